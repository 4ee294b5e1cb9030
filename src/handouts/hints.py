"""One line per rule saying what to do about it: every problem is printed with its "fix:".

Kept apart from the rules themselves so that the wording for people can be read (and
reviewed) in one place; a test checks that every rule of :data:`handouts.check.RULES` has one.
"""

from __future__ import annotations

from .errors import Problem

_TRANSLATE = "translate the entry in your gettext tool (docs/translators.md)"
_KEEP = "copy it from the English exactly as written, or fix the English if it is wrong"

FIXES: dict[str, str] = {
    "yaml-syntax": "fix the YAML at that line (an unclosed quote or a bad indent starts there)",
    "yaml-tag": "remove the tag: content files hold plain text, numbers, dates and lists",
    "yaml-merge-key": "write the keys out instead of merging them with <<",
    "file-too-large": "split the file, or remove the repeated aliases",
    "file-unreadable": "check the file's permissions and that it is a regular file",
    "duplicate-key": "keep one of the two keys (YAML would silently drop the first)",
    "unknown-key": "check the key's spelling against the field reference in "
                   "src/handouts/models.py or schemas/",
    "missing-field": "add the key (see the field reference in schemas/)",
    "invalid-value": "give the value in the form the message names (dates are YYYY-MM-DD)",
    "empty-file": "add the content, or delete the file",
    "state-mismatch": "make `state:` match the file name (sheets/XX.yaml holds state XX)",
    "unknown-state": "check the state code, or add sheets/XX.yaml (docs/maintainers.md)",
    "duplicate-id": "give one of them a new id (ids key the translations: rename with care)",
    "claim-no-citation": "add a citation (source, locator, exact quote), or remove the claim",
    "contact-no-citation": "cite a source that gives this organization's phone or website",
    "contact-phone-unquoted": "quote the source passage that gives this phone number",
    "citation-unknown-source": "register the source in sheets/sources/XX.yaml, or fix the id",
    "citation-no-locator": "add `locator:` (section, paragraph or page of the source)",
    "citation-no-quote": "add `quote:` with the source's exact words",
    "quote-too-long": "quote only the sentence that supports the claim",
    "source-incomplete": "fill in the missing fields of the source in its registry file",
    "source-not-https": "use the https address of the page",
    "claim-stale": "re-read the sources; if they still say it, set `checked:` to today, "
                   "else rewrite the claim (`sheets due` lists the addresses)",
    "claim-due-soon": "re-read its sources before the date (`sheets due` lists them)",
    "date-in-future": "correct the date (or check `--today`)",
    "include-unknown": "fix the id, or add the claim to sheets/US.yaml",
    "source-unused": "cite the source from a claim, or remove it from the registry",
    "duplicate-url": "cite one id and remove the other",
    "catalog-missing": "run `sheets catalog init LANG` (a new language) or "
                       "`sheets catalog update`",
    "catalog-syntax": "fix the .po file at that line (or restore it from git); "
                      "`msgfmt -c FILE` says more",
    "catalog-not-updated": "run `sheets catalog update`, then translate what it marks",
    "translation-missing": _TRANSLATE,
    "translation-fuzzy": "compare with the previous English (#|), fix the translation, then "
                         "remove the fuzzy flag",
    "translation-outdated": "translate the change into the msgstr; if the translation is still "
                            "right as it is, a reviewer confirms it with `sheets review`",
    "translation-unreviewed": "a qualified translator reviews the handout's entries and "
                              "records it with `sheets review --lang LANG --state XX`",
    "translation-glossary": "use the glossary's rendering (translations/glossary.yaml), or "
                            "propose a better one there",
    "glossary-invalid": "fix translations/glossary.yaml at that line",
    "language-invalid": "fix translations/languages.yaml at that line (docs/translators.md)",
    "reviews-invalid": "restore the file from git; it is written by `sheets` commands",
    "translation-number": _KEEP,
    "translation-url": _KEEP,
    "translation-email": _KEEP,
    "translation-phone": _KEEP,
    "translation-identifier": _KEEP,
    "translation-placeholder": "keep each %(name)s placeholder exactly as in the English",
    "translation-markup": "keep the markup exactly as in the English",
    "translation-month": "use the month the English names, in your language's spelling",
    "translation-identical": _TRANSLATE,
    "translation-length": "check that nothing was left out or added",
    "translation-doubled-word": "remove the repeated word",
    "translation-punctuation": "end the sentence as the English does",
    "translation-control": "retype the text without invisible control characters",
    "settings-invalid": "set sources_url to an https address containing {state}",
    "text-control-chars": "retype the text without invisible control characters",
    "contact-website-not-https": "use the https address of the website",
    "too-many-claims": "move claims to another sheet or remove some",
    "text-too-long": "shorten the claim: a handout is one sheet of paper",
    "render-failed": "run `sheets doctor`; the message names what is missing",
    "page-overflow": "shorten or remove claims of that state until it fits two pages",
    # Handout v2 and hardening rules.
    "claim-number-unquoted": "write the number as one of the quotes gives it, or quote the "
                             "passage that gives this number",
    "claim-open": "resolve the open question and remove `open:`, or remove the claim",
    "claim-reading-level": "shorter sentences (8-14 words), common words, the answer first",
    "duplicate-include": "keep one of the two `include:` lines",
    "duplicate-state": "keep one file per state, named with its code in capitals (CO.yaml)",
    "help-not-on-page-1": "shorten the key points or the help cards (in that language) until "
                          "the help box fits on page 1",
    "help-missing": "add a get-help claim whose contact gives a phone number or a website",
    "key-points-count": "give the sheet 3 to 5 key-points claims (its own or included)",
    "quote-too-short": "quote the whole sentence the words come from",
    "reading-level": "shorten the hardest claims (`sheets catalog stats` lists them)",
    "sheet-empty": "add a claim, or include a federal one (`include: US/<id>`)",
    "source-title-placeholder": "give the page's own title, as its heading shows it",
    "translation-format": "write a literal % as %%, and keep only the English's placeholders",
    "translation-locked": "restore the recorded translation; a qualified reviewer records a "
                          "new one with `sheets catalog lock --lang L`",
    "url-credentials": "remove the user name and password from the address",
}


def fix_for(problem: Problem) -> str:
    return FIXES.get(problem.rule, "see `sheets check --list-rules`")
