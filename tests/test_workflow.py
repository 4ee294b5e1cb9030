"""The editorial workflow as a team lives it: an English edit, the translator's turn, a review,
a release; languages as data; catalogs saved by other tools; freshness ahead of time."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from conftest import TODAY
from handouts.catalogs import load_lookup, po_path
from handouts.languages import languages_of
from handouts.loader import load_project
from handouts.render import render_html

Cli = Callable[..., tuple[int, str, str]]
ES = "translations/es/LC_MESSAGES/messages.po"
OLD = "A 2021 law limits what state workers may share for immigration enforcement."
NEW = "A 2021 law limits what state workers must share for immigration enforcement."


def _edit_claim(project: Path) -> None:
    sheet = project / "sheets/CO.yaml"
    sheet.write_text(sheet.read_text().replace("may share", "must share"))


def _entry_lines(project: Path, lang: str, context: str) -> tuple[list[str], int, int]:
    """The catalog's lines, and the first and last line index of the entry of ``context``."""
    lines = po_path(project, lang).read_text(encoding="utf-8").split("\n")
    at = lines.index(f'msgctxt "{context}"')
    start = at
    while start > 0 and lines[start - 1].strip():
        start -= 1
    end = at
    while end + 1 < len(lines) and lines[end + 1].strip():
        end += 1
    return lines, start, end


def _unfuzzy_by_hand(project: Path, lang: str, context: str) -> None:
    """What one click in Poedit does: the flag goes (and with it the previous English)."""
    lines, start, end = _entry_lines(project, lang, context)
    block = [line for line in lines[start:end + 1]
             if line != "#, fuzzy" and not line.startswith("#|")]
    assert len(block) < end + 1 - start, "the entry was not fuzzy"
    lines[start:end + 1] = block
    po_path(project, lang).write_text("\n".join(lines), encoding="utf-8")


def _set_msgstr(project: Path, lang: str, context: str, text: str) -> int:
    lines, start, end = _entry_lines(project, lang, context)
    at = next(i for i in range(start, end + 1) if lines[i].startswith("msgstr "))
    lines[at] = f'msgstr "{text}"'
    po_path(project, lang).write_text("\n".join(lines), encoding="utf-8")
    return at + 1


def _check(cli: Cli, project: Path, *args: str) -> tuple[int, str, str]:
    return cli("check", "--root", str(project), "--today", TODAY.isoformat(), *args)


def test_english_edit_is_one_summary_and_exit_0(project: Path, cli: Cli) -> None:
    _edit_claim(project)
    code, out, err = _check(cli, project)
    assert code == 0, err
    langs = len(languages_of(project).translated)
    assert (f"1 English string changed → {langs} catalogs need translation; "
            "run `sheets catalog update`") in err
    assert f"until then these {langs} handouts are withheld: CO: es" in err
    assert "catalog-not-updated" not in out + err  # no line per catalog
    code, _out, err = _check(cli, project, "--require-translations")
    assert code == 1
    # The line is where that entry (with its older English) is, not line 1.
    assert f"{ES}:1: " not in err
    assert "error[catalog-not-updated]: CO/state-law-limit: the English changed since" in err


def test_cleared_fuzzy_flag_is_an_error_naming_the_change(project: Path, cli: Cli) -> None:
    _edit_claim(project)
    assert cli("catalog", "update", "--root", str(project))[0] == 0
    basis = yaml.safe_load((project / "translations/es/translated-from.yaml").read_text())
    recorded = {entry["context"]: entry["english"] for entry in basis["translated_from"]}
    assert recorded["CO/state-law-limit"] == OLD
    # Fuzzy after the update: pending, not an error.
    assert _check(cli, project)[0] == 0
    _unfuzzy_by_hand(project, "es", "CO/state-law-limit")
    code, _out, err = _check(cli, project)
    assert code == 1
    lines, start, end = _entry_lines(project, "es", "CO/state-law-limit")
    msgstr = next(i for i in range(start, end + 1) if lines[i].startswith("msgstr")) + 1
    assert (f"{ES}:{msgstr}: error[translation-outdated]: CO/state-law-limit: translation of "
            "outdated English (the English changed since it was translated: \"may\" → \"must\")"
            in err), err
    # Another update does not launder it.
    assert cli("catalog", "update", "--root", str(project))[0] == 0
    assert "translation-outdated" in _check(cli, project)[2]
    # The translator translates the change: accepted, and recorded by the next update.
    _set_msgstr(project, "es", "CO/state-law-limit", "ES: una ley de 2021 obliga a compartir.")
    assert _check(cli, project)[0] == 0
    assert cli("catalog", "update", "--root", str(project))[0] == 0
    basis = yaml.safe_load((project / "translations/es/translated-from.yaml").read_text())
    recorded = {entry["context"]: entry["english"] for entry in basis["translated_from"]}
    assert recorded["CO/state-law-limit"] == NEW


def test_a_reviewer_may_confirm_a_translation_that_needs_no_change(project: Path,
                                                                   cli: Cli) -> None:
    _edit_claim(project)
    assert cli("catalog", "update", "--root", str(project))[0] == 0
    _unfuzzy_by_hand(project, "es", "CO/state-law-limit")
    assert _check(cli, project)[0] == 1
    code, out, err = cli("review", "--lang", "es", "--entry", "CO/state-law-limit", "--reviewer",
                         "Ana Ruiz <ana@example.org>", "--yes", "--root", str(project))
    assert code == 0, err
    assert "approval of 1 es entry" in out
    assert _check(cli, project)[0] == 0


def test_fuzzy_entries_from_before_the_records_are_covered(project: Path, cli: Cli) -> None:
    from handouts.catalogs import extract_messages, update_catalogs

    _edit_claim(project)
    # A merge by other means (an older `sheets`, msgmerge) records nothing.
    update_catalogs(project, extract_messages(load_project(project)), ["es"])
    assert not (project / "translations/es/translated-from.yaml").exists()
    assert cli("catalog", "update", "--root", str(project))[0] == 0  # reads #| msgid
    _unfuzzy_by_hand(project, "es", "CO/state-law-limit")
    code, _out, err = _check(cli, project)
    assert code == 1 and "error[translation-outdated]: CO/state-law-limit" in err
    assert '"may" → "must"' in err


def test_outdated_spanish_pdf_is_not_written(project: Path, cli: Cli) -> None:
    _edit_claim(project)
    assert cli("catalog", "update", "--root", str(project))[0] == 0
    _unfuzzy_by_hand(project, "es", "CO/state-law-limit")
    code, _out, err = cli("build", "--state", "CO", "--lang", "en", "--lang", "es", "--root",
                          str(project), "--today", TODAY.isoformat())
    assert code == 1
    assert "blocked build/CO/CO-es-letter.pdf" in err
    assert (project / "build/CO/CO-en-letter.pdf").exists()
    assert not (project / "build/CO/CO-es-letter.pdf").exists()


def _reviewed(project: Path, state: str = "CO") -> bool:
    lookup = load_lookup(project, "es")
    _html, handout = render_html(load_project(project), state,
                                 languages_of(project).by_code["es"], lookup)
    return handout.reviewed


def test_review_removes_the_notice_until_the_text_changes(project: Path, cli: Cli) -> None:
    assert not _reviewed(project)
    args = ("review", "--lang", "es", "--state", "CO", "--reviewer", "Ana Ruiz <ana@example.org>",
            "--root", str(project))
    code, _out, err = cli(*args)  # not a terminal: asks for --yes
    assert code == 1 and "add --yes" in err
    assert not (project / "translations/es/reviews.yaml").exists()
    code, out, _err = cli(*args, "--yes")
    assert code == 0, out
    assert "about to record Ana Ruiz <ana@example.org>'s approval of" in out
    assert "  CO/state-law-limit: A 2021 law limits" in out
    records = yaml.safe_load((project / "translations/es/reviews.yaml").read_text())["reviews"]
    entry = next(r for r in records if r["context"] == "CO/state-law-limit")
    assert entry["reviewer"] == "Ana Ruiz <ana@example.org>"
    assert entry["date"] == TODAY and len(entry["english_sha256"]) == 64
    assert _reviewed(project)
    assert not _reviewed(project, "MA")  # MA's own claims were not reviewed
    code, out, _err = cli("catalog", "stats", "--lang", "es", "--root", str(project),
                          "--today", TODAY.isoformat())
    row = next(line.split() for line in out.splitlines() if line.startswith("es       CO"))
    assert row[5:8] == [row[2], "0", "0"]  # all reviewed, none unreviewed or outdated
    # An edit of the approved translation voids the approval: the notice is back.
    _set_msgstr(project, "es", "CO/state-law-limit", "ES: una ley de 2021 limita lo compartido.")
    assert not _reviewed(project)
    out = cli("catalog", "stats", "--lang", "es", "--root", str(project), "--today",
              TODAY.isoformat())[1]
    row = next(line.split() for line in out.splitlines() if line.startswith("es       CO"))
    assert row[7] == "1"  # outdated


def test_release_requires_reviews(project: Path, cli: Cli) -> None:
    code, _out, err = _check(cli, project, "--lang", "es", "--release")
    assert code == 1
    assert "error[translation-unreviewed]: CO in es: " in err
    assert cli("review", "--lang", "es", "--reviewer", "Ana Ruiz <ana@example.org>", "--yes",
               "--root", str(project))[0] == 0
    assert _check(cli, project, "--lang", "es", "--release")[0] == 0
    code, _out, err = cli("build", "--state", "CO", "--release", "--lang", "es", "--lang", "fr",
                          "--root", str(project), "--today", TODAY.isoformat())
    assert code == 1 and "blocked build/CO/CO-fr-letter.pdf" in err
    assert (project / "build/CO/CO-es-letter.pdf").exists()


def test_review_refuses_what_it_cannot_approve(project: Path, cli: Cli) -> None:
    code, _out, err = cli("review", "--lang", "es", "--reviewer", "nobody", "--yes",
                          "--root", str(project))
    assert code == 1 and "Name <email>" in err
    _edit_claim(project)
    assert cli("catalog", "update", "--root", str(project))[0] == 0
    code, _out, err = cli("review", "--lang", "es", "--entry", "CO/state-law-limit",
                          "--reviewer", "Ana <ana@example.org>", "--yes", "--root", str(project))
    assert "not approvable: CO/state-law-limit: fuzzy" in err and code == 1


def _set_language(project: Path, code: str, **fields: str) -> None:
    path = project / "translations/languages.yaml"
    data = yaml.safe_load(path.read_text())
    for entry in data["languages"]:
        if entry["code"] == code:
            entry.update(fields)
    path.write_text(yaml.safe_dump(data, allow_unicode=True))


def test_draft_language_is_built_on_request_and_never_fails_check(project: Path,
                                                                  cli: Cli) -> None:
    _set_language(project, "fr", status="draft")
    lines, start, end = _entry_lines(project, "fr", "CO/state-law-limit")
    _set_msgstr(project, "fr", "CO/state-law-limit", "Une loi de 2012.")  # a wrong number
    code, _out, err = _check(cli, project)
    assert code == 0 and "fr" not in err  # not checked by default
    code, _out, err = _check(cli, project, "--lang", "fr", "--require-translations")
    assert code == 0, err
    assert "draft language(s) fr" in err
    code, _out, err = cli("build", "--state", "CO", "--root", str(project), "--today",
                          TODAY.isoformat())
    assert code == 0
    assert not list((project / "build/CO").glob("CO-fr-*"))
    assert (project / "build/CO/CO-es-letter.pdf").exists()


def test_missing_entry_of_published_language_withholds_only_its_handouts(project: Path,
                                                                         cli: Cli) -> None:
    _set_msgstr(project, "es", "CO/state-law-limit", "")
    code, _out, err = cli("build", "--all", "--lang", "es", "--lang", "fr", "--root",
                          str(project), "--today", TODAY.isoformat())
    assert code == 0, err
    assert "withheld build/CO/CO-es-letter.pdf" in err
    assert "until then this handout is withheld: CO: es" in err
    for built in ("MA/MA-es", "CO/CO-fr", "MA/MA-fr"):
        assert (project / f"build/{built}-letter.pdf").exists()


def test_languages_file_errors_are_located(project: Path, cli: Cli) -> None:
    path = project / "translations/languages.yaml"
    text = path.read_text()
    path.write_text(text + "  - {code: xx_YY, name: Bogus, direction: ltr, fonts: [Noto Sans]}\n"
                    "  - {code: es, name: Spanish again, fonts: [Noto Sans]}\n"
                    "  - {code: de, name: German, direction: sideways, fonts: [Noto Sans]}\n")
    total = len(text.splitlines())
    code, _out, err = _check(cli, project)
    assert code == 1
    rel = "translations/languages.yaml"
    assert f"{rel}:{total + 1}: error[language-invalid]: 'xx_YY' is not a locale" in err
    assert f"{rel}:{total + 2}: error[language-invalid]: language 'es' is configured twice" in err
    assert f"{rel}:{total + 3}: error[invalid-value]: languages[" in err


def test_adding_a_language_is_data_plus_catalog_init(project: Path, cli: Cli) -> None:
    path = project / "translations/languages.yaml"
    path.write_text(path.read_text() + "  - {code: de, name: German, native: Deutsch, "
                    "direction: ltr, fonts: [Noto Sans], status: draft}\n")
    assert cli("catalog", "init", "de", "--root", str(project))[0] == 0
    assert po_path(project, "de").exists()
    assert _check(cli, project)[0] == 0  # a draft, empty: blocks nothing
    code, _out, err = _check(cli, project, "--lang", "de")
    assert code == 0 and "draft language(s) de" in err


def test_broken_review_file_is_a_warning(project: Path, cli: Cli) -> None:
    (project / "translations/es/reviews.yaml").write_text("reviews:\n  - context: [1\n")
    code, out, _err = _check(cli, project)
    assert code == 0
    assert "translations/es/reviews.yaml:2: warning[reviews-invalid]: " in out


def test_glossary_rendering_is_a_warning(project: Path, cli: Cli) -> None:
    (project / "translations/glossary.yaml").write_text(
        "terms:\n  - term: law\n    note: a statute\n    renderings: {es: ley}\n")
    line = _set_msgstr(project, "es", "CO/state-law-limit", "ES: Una norma de 2021 limita.")
    code, out, _err = _check(cli, project, "--lang", "es")
    assert code == 0
    assert (f"{ES}:{line}: warning[translation-glossary]: CO/state-law-limit: the English says "
            "'law'; the glossary renders it 'ley' in es") in out
    (project / "translations/glossary.yaml").write_text("terms:\n  - term: law\n    colour: 1\n")
    code, _out, err = _check(cli, project, "--lang", "es")
    assert code == 1 and "translations/glossary.yaml:3: error[glossary-invalid]: " in err


def test_catalog_check_compares_entries_not_bytes(project: Path, cli: Cli) -> None:
    if shutil.which("msgcat") is None:
        pytest.skip("needs GNU gettext's msgcat")
    path = po_path(project, "es")
    assert cli("catalog", "update", "--check", "--root", str(project))[0] == 0
    # What Poedit and Weblate add to the header.
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('"Generated-By:', '"X-Generator: Poedit 3.4.2\\n"\n'
                                 '"Generated-By:', 1), encoding="utf-8")
    assert cli("catalog", "update", "--check", "--root", str(project))[0] == 0
    # gettext's own wrapping at 79 columns.
    subprocess.run(["msgcat", "--width=79", "-o", str(path), str(path)], check=True)
    assert max(len(line) for line in path.read_text().splitlines()) <= 79
    assert path.read_text() != text
    assert cli("catalog", "update", "--check", "--root", str(project))[0] == 0
    # A real difference: a translation a tool changed in the template's entry set.
    _set_msgstr(project, "es", "CO/state-law-limit", "ES: otra cosa.")
    assert cli("catalog", "update", "--check", "--root", str(project))[0] == 0  # translations
    lines, start, end = _entry_lines(project, "es", "CO/state-law-limit")
    lines[start:end + 1] = []
    path.write_text("\n".join(lines), encoding="utf-8")
    code, out, _err = cli("catalog", "update", "--check", "--root", str(project))
    assert code == 1
    assert f"{ES}: out of date (1 entry to add, e.g. CO/state-law-limit)" in out


def test_due_soon_warns_and_due_lists_urls(project: Path, cli: Cli) -> None:
    # CO/hotline: checked 2026-01-10, time-sensitive: due 2026-04-10.
    code, out, _err = cli("check", "--root", str(project), "--today", "2026-03-15")
    assert "warning[claim-due-soon]: CO/hotline: re-check due 2026-04-10 (in 26 day(s))" in out
    assert code == 0
    code, out, _err = cli("due", "--within", "60d", "--root", str(project), "--today",
                          TODAY.isoformat())
    assert code == 0
    first = out.splitlines()[0]
    assert first.startswith("2026-04-10  CO/hotline (in 40 day(s); printed in CO)")
    assert out.splitlines()[1].startswith("    https://")


def test_what_if_date_never_touches_build(project: Path, cli: Cli) -> None:
    assert cli("build", "--all", "--lang", "en", "--root", str(project), "--today",
               TODAY.isoformat())[0] == 0
    before = {p: p.stat().st_mtime_ns for p in (project / "build").rglob("*") if p.is_file()}
    later = (TODAY + dt.timedelta(days=200)).isoformat()  # every claim is stale by then
    code, out, err = cli("build", "--all", "--lang", "en", "--root", str(project), "--today",
                         later)
    assert code == 1
    assert "nothing under build/ was written or removed" in err
    assert "would remove build/CO/CO-en-letter.pdf (claim-stale)" in out
    code, out, err = cli("site", "--lang", "en", "--root", str(project), "--today", later)
    assert "would write build/site/" in err
    code, _out, _err = cli("check", "--root", str(project), "--today", later)
    assert code == 1
    after = {p: p.stat().st_mtime_ns for p in (project / "build").rglob("*") if p.is_file()}
    assert after == before
    shutil.rmtree(project / "build")
    cli("check", "--root", str(project), "--today", later)
    cli("catalog", "stats", "--root", str(project), "--today", later)
    assert not (project / "build").exists()


def _hooks(project: Path) -> list[dict[str, object]]:
    config = yaml.safe_load((Path(__file__).resolve().parents[1] /
                             ".pre-commit-config.yaml").read_text())
    return [hook for repo in config["repos"] for hook in repo["hooks"]]


def _run_hooks(project: Path, changed: list[str]) -> list[tuple[str, int, str]]:
    """Run each hook of .pre-commit-config.yaml whose `files` matches, as pre-commit would."""
    import re
    import sys

    ran = []
    for hook in _hooks(project):
        if not any(re.search(str(hook["files"]), path) for path in changed):
            continue
        entry = str(hook["entry"]).split()
        assert entry[0] == ".venv/bin/sheets"
        result = subprocess.run([sys.executable, "-m", "handouts", *entry[1:]], cwd=project,
                                capture_output=True, text=True)
        ran.append((str(hook["id"]), result.returncode, result.stdout + result.stderr))
    return ran


def test_documented_paths_pass_the_hooks(project: Path, cli: Cli) -> None:
    # "Add a state" (docs/maintainers.md): a sheet, `sheets catalog update`, commit.
    # A state being written is a draft: its first claim can be committed before it has
    # the key points and help a published sheet needs.
    (project / "sheets/NM.yaml").write_text(
        "state: NM\nname: New Mexico\nstatus: draft\nclaims:\n"
        "  - id: state-law-limit\n    section: state-law\n"
        "    text: A 2021 law limits what state workers may share.\n"
        "    checked: 2026-01-10\n    citations:\n      - source: leg-act\n"
        "        locator: Bill Summary\n"
        "        quote: Since 2021, a state agency employee is prohibited from disclosing "
        "information.\n"
        "  - include: US/federal-ruling\n")
    langs = len(languages_of(project).translated)
    code, _out, err = _check(cli, project)
    assert code == 0  # its name and its claim: new, not yet in any catalog
    assert "sheets/NM.yaml:4: error[key-points-count]" in err  # shown, not failing
    assert "draft state(s) NM:" in err
    assert f"2 English strings added → {langs} catalogs need translation" in err
    assert cli("catalog", "update", "--root", str(project))[0] == 0
    ran = _run_hooks(project, ["sheets/NM.yaml", "translations/es/LC_MESSAGES/messages.po"])
    assert {hook for hook, _code, _out in ran} >= {"sheets-check", "sheets-catalogs-current"}
    assert all(code == 0 for _hook, code, _out in ran), ran
    check_out = next(out for hook, _code, out in ran if hook == "sheets-check")
    assert "strings to translate (missing or fuzzy): " in check_out
    assert "handouts are withheld: NM:" in check_out
    # ... while a release names the missing translations.
    code, _out, err = cli("check", "--release", "--root", str(project), "--today",
                          TODAY.isoformat())
    assert code == 1 and "error[translation-missing]: NM/state-law-limit: not translated" in err
    # "Edit a claim": one English sentence, `sheets catalog update`, commit.
    _edit_claim(project)
    assert cli("catalog", "update", "--root", str(project))[0] == 0
    ran = _run_hooks(project, ["sheets/CO.yaml", "translations/es/LC_MESSAGES/messages.po"])
    assert all(code == 0 for _hook, code, _out in ran), ran
    # Forgetting `catalog update` is what the catalog hook catches.
    (project / "sheets/CO.yaml").write_text(
        (project / "sheets/CO.yaml").read_text().replace("must share", "may share"))
    ran = _run_hooks(project, ["sheets/CO.yaml"])
    failed = [hook for hook, code, _out in ran if code]
    assert failed == ["sheets-catalogs-current"], ran


def test_catalog_comments_give_the_translator_context(project: Path, cli: Cli) -> None:
    sheet = project / "sheets/CO.yaml"
    sheet.write_text(sheet.read_text().replace(
        "    checked: 2026-01-10\n    citations:\n      - source: leg-act",
        "    checked: 2026-01-10\n    translator_note: share means disclose, not sell\n"
        "    citations:\n      - source: leg-act", 1))
    (project / "translations/glossary.yaml").write_text(
        "terms:\n  - term: law\n    note: a statute\n    renderings: {es: ley}\n")
    assert cli("catalog", "update", "--root", str(project))[0] == 0
    from handouts.catalogs import read_catalog

    catalog = read_catalog(po_path(project, "es"), project, "es")
    claim = catalog.get(OLD, context="CO/state-law-limit")
    assert claim is not None
    assert ("Quote (Bill Summary): \u201cSince 2021, a state agency employee is prohibited "
            "from disclosing information.\u201d") in " ".join(claim.auto_comments)
    assert "Note for translators: share means disclose, not sell" in claim.auto_comments
    assert "Glossary (translations/glossary.yaml): law (a statute)" in claim.auto_comments
    dated = catalog.get("Facts checked on %(date)s")
    assert dated is not None
    assert any(c.startswith("%(date)s is the date the facts were last checked")
               for c in dated.auto_comments)
    assert not any("%(name)s" in c for m in catalog for c in m.auto_comments)


def test_a_draft_state_is_built_only_when_named(project: Path, cli: Cli) -> None:
    sheet = (project / "sheets/MA.yaml").read_text()
    (project / "sheets/MA.yaml").write_text(sheet.replace("name: Massachusetts",
                                                          "name: Massachusetts\nstatus: draft"))
    code, out, _err = cli("build", "--all", "--lang", "en", "--root", str(project), "--today",
                          TODAY.isoformat())
    assert code == 0 and "build/CO/CO-en-letter.pdf" in out
    assert not list((project / "build").glob("MA/*.pdf"))
    code, out, _err = cli("build", "--state", "MA", "--lang", "en", "--root", str(project),
                          "--today", TODAY.isoformat())
    assert code == 0 and (project / "build/MA/MA-en-letter.pdf").is_file()
    # A release counts a draft's problems: a draft state cannot be released by accident.
    (project / "sheets/MA.yaml").write_text(sheet.replace(
        "name: Massachusetts", "name: Massachusetts\nstatus: draft").replace(
        "section: key-points", "section: courts"))
    code, _out, err = cli("check", "--release", "--state", "MA", "--lang", "en", "--root",
                          str(project), "--today", TODAY.isoformat())
    assert code == 1 and "error[key-points-count]" in err
    code, _out, err = cli("check", "--state", "MA", "--lang", "en", "--root", str(project),
                          "--today", TODAY.isoformat())
    assert code == 0 and "error[key-points-count]" in err and "draft state(s) MA" in err
