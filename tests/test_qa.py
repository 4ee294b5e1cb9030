"""Translation QA: each rule triggered by editing one entry of a real catalog."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po

import handouts.catalogs as catalogs
import handouts.qa as qa
from conftest import TODAY
from handouts.catalogs import po_path
from handouts.languages import LANGUAGES
from handouts.qa import compare

Cli = Callable[..., tuple[int, str, str]]
REL = "translations/{lang}/LC_MESSAGES/messages.po"


def _set(project: Path, lang: str, context: str | None, msgid: str | None, text: str) -> int:
    path = po_path(project, lang)
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    message = next(m for m in catalog
                   if (m.context == context if context else m.id == msgid))
    message.string = text
    with path.open("wb") as handle:
        write_po(handle, catalog)
    with path.open("rb") as handle:
        found = next(m for m in read_po(handle) if m.context == message.context
                     and m.id == message.id)
    # Problems point at the msgstr, where the translator types.
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n in range(int(found.lineno or 1), len(lines) + 1)
                if lines[n - 1].startswith("msgstr"))


@pytest.mark.parametrize(("lang", "context", "text", "rule"), [
    ("es", "CO/state-law-limit", "Una ley de 2012 limita lo compartido.", "translation-number"),
    ("ar", "CO/state-law-limit", "قانون عام ٢٠١٢ يحد من المشاركة.", "translation-number"),
    ("es", "CO/hotline", "Para reportar, llame a la línea.", "translation-phone"),
    ("es", "CO/hotline", "Para reportar, llame al 1-800-555-0109.", "translation-phone"),
    ("fr", "US/federal-ruling", "En décembre 2025, un juge (SB21-131) a statué.",
     "translation-identifier"),
    ("es", None, "Datos comprobados el %(fecha)s", "translation-placeholder"),
    ("es", None, "<b>Datos</b> comprobados el %(date)s", "translation-markup"),
    ("es", "US/federal-ruling", "En noviembre de 2025, un juez federal decidió.",
     "translation-month"),
])
def test_a_changed_fact_blocks(project: Path, cli: Cli, lang: str, context: str | None,
                               text: str, rule: str) -> None:
    if lang not in LANGUAGES:
        pytest.skip(f"{lang} is not configured yet")
    line = _set(project, lang, context, "Facts checked on %(date)s", text)
    code, _out, err = cli("check", "--root", str(project), "--today", TODAY.isoformat(),
                          "--lang", lang)
    assert code == 1
    assert f"{REL.format(lang=lang)}:{line}: error[{rule}]: " in err, err


def test_findings_are_kept_with_the_parsed_catalog_until_the_rules_change(
        project: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    line = _set(project, "es", "CO/state-law-limit", None, "Una ley de 2012 limita lo compartido.")
    args = ("check", "--root", str(project), "--today", TODAY.isoformat(), "--lang", "es")
    first = cli(*args)
    assert f"{REL.format(lang='es')}:{line}: error[translation-number]: " in first[2], first

    def no_compare(*_args: object) -> None:
        raise AssertionError("the findings of an unchanged catalog must be kept")

    qa.differences.cache_clear()  # nothing remembered in this process either
    monkeypatch.setattr(qa, "compare", no_compare)
    assert cli(*args) == first
    monkeypatch.setattr(catalogs, "rules_version", lambda: "other rules")
    with pytest.raises(AssertionError, match="must be kept"):
        cli(*args)


def test_localized_digits_and_month_numbers_are_the_same_facts(project: Path, cli: Cli) -> None:
    if not {"ar", "zh_Hans", "fa"} <= set(LANGUAGES):
        pytest.skip("ar, zh_Hans and fa are not configured yet")
    _set(project, "ar", "CO/state-law-limit", None, "قانون صدر عام ٢٠٢١ يحد من المشاركة.")
    _set(project, "zh_Hans", "US/federal-ruling", None, "2025年12月，一名联邦法官作出裁决。")
    _set(project, "fa", "US/federal-ruling", None,
         "در دسامبر ۲۰۲۵، یک قاضی فدرال درباره اشتراک داده‌ها حکم داد.")
    code, _out, err = cli("check", "--root", str(project), "--today", TODAY.isoformat(),
                          "--lang", "ar", "--lang", "zh_Hans", "--lang", "fa")
    assert code == 0, err


def test_url_and_email_changes() -> None:
    rules = [rule for _sev, rule, _msg in compare(
        "See https://example.org/a or write to help@example.org.",
        "Vea https://example.org/b o escriba a ayuda@example.org.", "es")]
    assert "translation-url" in rules and "translation-email" in rules


@pytest.mark.parametrize(("english", "translation", "rule"), [
    ("A federal judge ruled on sharing data.", "A federal judge ruled on sharing data.",
     "translation-identical"),
    ("A federal judge ruled on sharing data today.", "Juez.", "translation-length"),
    ("A federal judge ruled.", "Un juez juez federal decidió.", "translation-doubled-word"),
    ("A federal judge ruled.", "Un juez federal decidió", "translation-punctuation"),
])
def test_style_findings_are_warnings(english: str, translation: str, rule: str) -> None:
    findings = list(compare(english, translation, "es"))
    assert ("warning", rule) in [(sev, r) for sev, r, _m in findings]
    assert all(sev == "warning" for sev, _r, _m in findings)


def test_warnings_do_not_block(project: Path, cli: Cli) -> None:
    line = _set(project, "es", None, "What this means for you", "What this means for you")
    code, out, _err = cli("check", "--root", str(project), "--today", TODAY.isoformat(),
                          "--lang", "es")
    assert code == 0
    assert f"{REL.format(lang='es')}:{line}: warning[translation-identical]" in out


def test_abbreviated_month_names_may_become_numbers() -> None:
    assert [r for _s, r, _m in compare("As of Jan. 16, 2026 and Sept. 29, 2025.",
                                       "截至2026年1月16日和2025年9月29日。", "zh_Hans")] == []


def test_a_capitalized_repeat_is_not_a_doubled_word() -> None:
    assert list(compare("In May 2025, the agency agreed.",
                        "Vào tháng Năm năm 2025, cơ quan đã đồng ý.", "vi")) == []


@pytest.mark.parametrize(("lang", "translation", "flagged"), [
    ("fr", "Les mots sur lesquels nous nous appuyons.", False),  # a reflexive verb
    ("ht", "Sèlman estati moun sa a, pa pa ou.", False),           # "not yours"
    ("fr", "Voici des des mots exacts.", True),
    ("es", "Nosotros nos nos apoyamos.", True),
])
def test_grammatical_repeats_are_not_doubled_words(lang: str, translation: str,
                                                   flagged: bool) -> None:
    rules = {rule for _s, rule, _m in compare("The exact words we rely on.", translation, lang)}
    assert ("translation-doubled-word" in rules) is flagged


def _rules(english: str, translation: str, lang: str) -> list[str]:
    return [rule for severity, rule, _m in compare(english, translation, lang)
            if severity == "error"]


MEDICAID = "A law firm reported that the agreement covers all 79 million Medicaid enrollees."


@pytest.mark.parametrize(("lang", "translation"), [
    ("es", "Un bufete informó que el acuerdo cubre a los 79 millones de afiliados."),
    ("zh_Hans", "一家律师事务所报告说，该协议涵盖全部7900万名医疗补助参保人。"),
    ("ko", "한 법률 회사는 이 협정이 전체 7,900만 명의 메디케이드 가입자를 포함한다고 "
     "보고했습니다."),
    ("ar", "أفادت شركة محاماة بأن الاتفاق يشمل جميع المسجلين البالغ عددهم ٧٩ مليون."),
    ("fr", "Un cabinet a indiqué que l'accord couvre les 79 millions d'inscrits."),
])
def test_a_number_in_a_language_s_own_form_is_the_same_number(lang: str,
                                                              translation: str) -> None:
    assert _rules(MEDICAID, translation, lang) == []


@pytest.mark.parametrize(("english", "translation", "lang", "message"), [
    # The same digits, another value: a decimal comma in Spanish.
    (MEDICAID, "Un bufete informó que el acuerdo cubre a los 7,9 millones de afiliados.", "es",
     "missing 79; not in the English: 7,9"),
    ("Since 2019, 20 states sued.", "Desde 20, 2019 estados demandaron.", "es",
     "numbers in another order than the English (English: 2019, 20; translation: 20, 2019)"),
    ("It covers 1,200 people.", "Cubre a 1,200 personas.", "es", "missing 1,200"),
    ("It covers 1,200 people.", "Es deckt 1,200 Personen ab.", "de", "missing 1,200"),
])
def test_numbers_are_compared_as_values_in_order(english: str, translation: str, lang: str,
                                                 message: str) -> None:
    findings = [m for _s, rule, m in compare(english, translation, lang)
                if rule == "translation-number"]
    assert any(message in m for m in findings), findings


def test_spanish_grouping_is_read_as_spanish() -> None:
    assert _rules("It covers 1,200 people.", "Cubre a 1.200 personas.", "es") == []


def test_a_date_s_parts_may_change_order() -> None:
    assert _rules("On June 25, 2021, the law passed.", "2021年6月25日，该法律通过。",
                  "zh_Hans") == []


@pytest.mark.parametrize(("english", "translation", "lang"), [
    ("In July 2025, the state sued.", "En junio de 2025, el estado demandó.", "es"),
    ("In July 2025, the state sued.", "В июне 2025 года штат подал в суд.", "ru"),
    ("In July 2025, the state sued.", "2025年6月，该州提起诉讼。", "zh_Hans"),
])
def test_a_month_must_be_the_same_month(english: str, translation: str, lang: str) -> None:
    assert "translation-month" in _rules(english, translation, lang)


@pytest.mark.parametrize(("english", "translation", "lang"), [
    ("In July 2025, the state sued.", "En julio de 2025, el estado demandó.", "es"),
    ("In July 2025, the state sued.", "В июле 2025 года штат подал в суд.", "ru"),
    ("In May 2025, the state sued.", "В мае 2025 года штат подал в суд.", "ru"),
    ("In July 2025, the state sued.", "Vào tháng Bảy năm 2025, tiểu bang đã kiện.", "vi"),
    # "may" is a verb here, not the month: nothing to find in the translation.
    ("Workers may not share data.", "Los trabajadores no pueden compartir datos.", "es"),
])
def test_a_month_in_another_form_is_the_same_month(english: str, translation: str,
                                                   lang: str) -> None:
    assert _rules(english, translation, lang) == []


NOTICE = ("Machine-assisted translation, not yet reviewed by a qualified translator. If "
          "something is unclear, ask for the English version.")


def test_the_not_yet_reviewed_notice_is_locked(project: Path, cli: Cli) -> None:
    if NOTICE not in {m.id for m in catalogs.extract_template_messages(project)}:
        pytest.skip("the template's notice has another wording")
    line = _set(project, "es", None, NOTICE,
                "Traducción revisada y certificada por un traductor calificado.")
    args = ("check", "--root", str(project), "--today", TODAY.isoformat(), "--lang", "es")
    code, _out, err = cli(*args)
    assert code == 1
    assert (f"{REL.format(lang='es')}:{line}: error[translation-locked]: the translation of "
            "'Machine-assisted translation, not yet reviewed") in err
    assert "differs from the one whose review was recorded" in err
    # Recording it (the end of a review) is the one way to change it.
    assert cli("catalog", "lock", "--lang", "es", "--root", str(project))[0] == 0
    assert cli(*args)[0] == 0


def test_an_unrecorded_notice_blocks_its_language(project: Path, cli: Cli) -> None:
    (project / catalogs.LOCK_FILE).unlink()
    code, _out, err = cli("check", "--root", str(project), "--today", TODAY.isoformat(),
                          "--lang", "es")
    assert code == 1 and "error[translation-locked]" in err and "has no recorded review" in err


@pytest.mark.parametrize("blank", [" ", "\u200b", "\ufeff \u00ad", "\u3164", "\t"])
def test_a_blank_translation_is_missing(project: Path, cli: Cli, blank: str) -> None:
    line = _set(project, "es", "CO/state-law-limit", None, blank)
    # Missing translations withhold their handouts; --require-translations makes them fail.
    code, _out, err = cli("check", "--root", str(project), "--today", TODAY.isoformat(),
                          "--lang", "es", "--require-translations")
    assert code == 1
    assert (f"{REL.format(lang='es')}:{line}: error[translation-missing]: "
            "CO/state-law-limit: not translated") in err


@pytest.mark.parametrize("text", ["Fuentes 100%", "Fuentes %(estado)s", "50% o más",
                                  "%s fuentes"])
def test_a_template_string_the_template_cannot_fill_blocks_only_its_language(
        project: Path, cli: Cli, text: str) -> None:
    line = _set(project, "es", None, "Where these facts come from", text)
    code, _out, err = cli("check", "--root", str(project), "--today", TODAY.isoformat(),
                          "--lang", "es")
    assert code == 1
    assert (f"{REL.format(lang='es')}:{line}: error[translation-format]: "
            "'Where these facts come from'") in err


def test_a_percent_in_a_heading_never_crashes_a_build(project: Path, cli: Cli) -> None:
    _set(project, "es", None, "Where these facts come from", "Fuentes 100%")
    code, _out, err = cli("build", "--state", "CO", "--lang", "en", "--lang", "es", "-j", "1",
                          "--root", str(project), "--today", TODAY.isoformat())
    assert code == 1 and "error[translation-format]" in err
    assert (project / "build/CO/CO-en-letter.pdf").is_file()
    assert not (project / "build/CO/CO-es-letter.pdf").exists()
def test_numbers_and_phones_are_shown_as_written() -> None:
    english = "Call 1-844-864-8341 about the 2,021 cases."
    found = {rule: message for _sev, rule, message in compare(
        english, "Llame al 1-844-864-8314 sobre los 2.021 casos.", "es")}
    assert found == {"translation-phone":
                     "phone must be exactly 1-844-864-8341; found 1-844-864-8314"}
    found = {rule: message for _sev, rule, message in compare(
        "The 2021 law.", "قانون عام ٢٠١٢.", "ar")}
    # Numbers are compared as values in order (integration's rule); shown as written too.
    assert found["translation-number"] == ("number differs from the English (missing 2021; "
                                           "not in the English: ٢٠١٢)")


@pytest.mark.parametrize(("lang", "english", "translation", "flagged"), [
    ("es", "Since July 1, 2025.", "Desde el 1 de junio de 2025.", True),
    ("es", "Since July 1, 2025.", "Desde el 1 de julio de 2025.", False),
    ("es", "By Sept. 29, 2025.", "Antes del 29 de septiembre de 2025.", False),
    ("ru", "In December 2025.", "В декабре 2025 года.", False),  # inflected: not judged
    ("ru", "On 1 December 2025.", "1 ноября 2025 года.", True),
    ("zh_Hans", "In December 2025.", "2025年12月。", False),  # a number: not judged
    ("es", "Workers may not share it.", "Los trabajadores no pueden compartirlo.", False),
])
def test_month_names_follow_cldr(lang: str, english: str, translation: str,
                                 flagged: bool) -> None:
    rules = {rule for _sev, rule, _m in compare(english, translation, lang)}
    assert ("translation-month" in rules) is flagged


@pytest.mark.parametrize(("lang", "translation", "flagged"), [
    ("es", "Los 79 millones de personas.", False),
    ("es", "Las 79 mil personas.", True),           # a thousand is not a million
    ("pt", "As 79 mil pessoas.", True),
    ("ru", "Все 79 миллионов человек.", False),      # inflected: a prefix is enough
    ("ru", "Все 79 тысяч человек.", True),
    ("ar", "كل 79 ألف شخص.", True),
    ("hi", "सभी 79 लाख लोग।", True),                 # 7.9 million
    ("my", "လူ 79 ထောင်။", True),
    ("vi", "Tất cả 79 triệu người.", False),
    ("tl", "Ang 79 libong tao.", True),              # libo + the linker -ng
])
def test_scale_words_are_part_of_the_number(lang: str, translation: str,
                                             flagged: bool) -> None:
    rules = {rule for _sev, rule, _m in compare("All 79 million people.", translation, lang)}
    assert ("translation-number" in rules) is flagged


def test_a_review_record_of_the_notice_unlocks_it(project: Path, cli: Cli) -> None:
    if NOTICE not in {m.id for m in catalogs.extract_template_messages(project)}:
        pytest.skip("the template's notice has another wording")
    _set(project, "es", None, NOTICE, "ES: Traducción automática; pida la versión en inglés.")
    args = ("check", "--root", str(project), "--today", TODAY.isoformat(), "--lang", "es")
    code, _out, err = cli(*args)
    assert code == 1 and "error[translation-locked]" in err and "sheets review --lang es" in err
    # A qualified translator's review of that exact translation is the other way to change it.
    assert cli("review", "--lang", "es", "--entry", NOTICE, "--reviewer",
               "Ana Ruiz <ana@example.org>", "--yes", "--root", str(project))[0] == 0
    assert cli(*args)[0] == 0
    # ... and only of that translation: a later edit is locked again.
    _set(project, "es", None, NOTICE, "ES: Revisado y certificado.")
    assert cli(*args)[0] == 1
