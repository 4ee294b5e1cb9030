"""Each check rule and each broken-input case is a small file; its expected problems are marked
in the file itself: ``# expect[rule-id]: message fragment`` on the line the problem must name."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import DATA, TODAY
from handouts.check import RULES
from handouts.qa import CONTROL_RULE, MONTH_RULE, TOKEN_RULES, WARNING_RULES

EXPECT = re.compile(r"#\s*expect\[(?P<rule>[a-z-]+)\]:\s*(?P<fragment>.*)$")
TARGET = re.compile(r"^#\s*file:\s*(?P<path>\S+)")
CASES = sorted((DATA / "rules").glob("*.yaml")) + sorted((DATA / "bad").glob("*.yaml"))


def expectations(path: Path) -> tuple[str, list[tuple[int, str, str]]]:
    target = "sheets/CO.yaml"
    expected = []
    text = path.read_text(encoding="utf-8", errors="replace")
    for number, line in enumerate(text.splitlines(), start=1):
        if match := TARGET.match(line):
            target = match["path"]
        if match := EXPECT.search(line):
            # An expectation on an otherwise empty comment line names line 1 (whole file).
            where = 1 if line.lstrip().startswith("#") else number
            expected.append((where, match["rule"], match["fragment"].strip()))
    return target, expected


@pytest.mark.parametrize("case", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_case_produces_its_problems(case: Path, project: Path,
                                    cli: Callable[..., tuple[int, str, str]]) -> None:
    target, expected = expectations(case)
    assert expected, f"{case.name} marks no expected problem"
    (project / target).write_bytes(case.read_bytes())
    only_warnings = {rule for _l, rule, _f in expected} <= {"source-unused", "duplicate-url",
                                                            "claim-reading-level",
                                                            "claim-due-soon"}
    # A warning-only case must otherwise check clean; its new claims have no translations.
    langs = ["--lang", "en"] if only_warnings else []
    code, out, err = cli("check", "--root", str(project), "--today", TODAY.isoformat(), *langs)
    lines = (out + err).splitlines()
    assert code == (0 if only_warnings else 1)
    for line, rule, fragment in expected:
        prefix = f"{target}:{line}: "
        hits = [text for text in lines if text.startswith(prefix) and f"[{rule}]: " in text]
        assert any(fragment in text for text in hits), (
            f"expected {prefix}...[{rule}]: ...{fragment}... in:\n" + "\n".join(lines))


def test_every_rule_has_a_fixture_or_a_dedicated_test() -> None:
    covered = {rule for case in CASES for _line, rule, _frag in expectations(case)[1]}
    # Rules exercised by tests elsewhere (catalog, CLI and loader tests).
    covered |= {"translation-missing", "translation-fuzzy", "catalog-missing", "catalog-syntax",
                "unknown-state", "render-failed", "page-overflow",
                "help-not-on-page-1"}  # tests/test_build.py
    # Editorial workflow rules: tests/test_workflow.py.
    covered |= {"catalog-not-updated", "translation-outdated", "translation-unreviewed",
                "translation-glossary", "glossary-invalid", "language-invalid", "reviews-invalid"}
    # Translation QA rules: tests/test_qa.py edits real catalogs to trigger each one.
    covered |= set(TOKEN_RULES.values()) | set(WARNING_RULES) | {CONTROL_RULE, MONTH_RULE}
    covered |= {"translation-format", "translation-locked"}  # tests/test_qa.py too
    # Limits: tests/test_limits.py builds oversized input in code rather than as files.
    covered |= {"file-too-large", "file-unreadable", "too-many-claims", "text-too-long"}
    # tests/test_hostile.py: needs two files (co.yaml beside CO.yaml).
    covered |= {"duplicate-state"}
    assert set(RULES) - covered == set()


def test_clean_project_passes(project: Path, cli: Callable[..., tuple[int, str, str]]) -> None:
    code, out, err = cli("check", "--root", str(project), "--today", TODAY.isoformat())
    assert (code, out) == (0, "")
    assert "0 error(s), 0 warning(s)" in err
    # Each handout's reading level, for the maintainer to see before a reader does.
    assert re.search(r"^CO: reading level grade \d+\.\d \(Flesch-Kincaid, 6 printed claims\)$",
                     err, re.MULTILINE)


def test_json_output(project: Path, cli: Callable[..., tuple[int, str, str]]) -> None:
    (project / "sheets/CO.yaml").write_text((DATA / "rules/claim-no-citation.yaml").read_text())
    code, out, _err = cli("check", "--root", str(project), "--today", TODAY.isoformat(),
                          "--format", "json")
    import json

    result = json.loads(out)
    problems = result["problems"]
    assert code == 1
    assert result["reading_level"]["MA"]["claims"]["MA/help-line"] < 8
    assert {"path": "sheets/CO.yaml", "line": 4, "rule": "claim-no-citation"}.items() <= (
        next(p for p in problems if p["rule"] == "claim-no-citation").items())


def test_today_is_injected_not_read(project: Path,
                                    cli: Callable[..., tuple[int, str, str]]) -> None:
    # The fixture's time-sensitive claims were checked 2026-01-10: fine on 2026-03-01,
    # stale from the 91st day, whatever the calendar says.
    assert cli("check", "--root", str(project), "--today", "2026-04-10")[0] == 0
    code, _out, err = cli("check", "--root", str(project), "--today", "2026-04-11")
    assert code == 1
    assert "sheets/US.yaml:8: error[claim-stale]: US/federal-ruling" in err


def test_unknown_state_and_bad_usage(project: Path,
                                     cli: Callable[..., tuple[int, str, str]]) -> None:
    code, _out, err = cli("check", "--root", str(project), "--today", TODAY.isoformat(),
                          "--state", "ZZ")
    assert code == 1 and "error[unknown-state]: no sheet sheets/ZZ.yaml" in err
    assert cli("check", "--root", str(project), "--lang", "xx")[0] == 2
    assert cli("check", "--root", str(project), "--today", "yesterday")[0] == 2
    assert cli("check", "--root", str(project), "--format", "xml")[0] == 2


def test_every_rule_has_a_fix_hint_and_list_rules_prints_it(
        cli: Callable[..., tuple[int, str, str]]) -> None:
    from handouts.hints import FIXES

    assert set(RULES) - set(FIXES) == set()
    code, out, _err = cli("check", "--list-rules")
    assert code == 0
    for rule, meaning in RULES.items():
        assert f"{rule}: {meaning}\n    fix: {FIXES[rule]}" in out


def test_each_problem_is_printed_with_its_fix(
        project: Path, cli: Callable[..., tuple[int, str, str]]) -> None:
    (project / "sheets/CO.yaml").write_text((DATA / "rules/claim-no-citation.yaml").read_text())
    _code, _out, err = cli("check", "--root", str(project), "--today", TODAY.isoformat())
    lines = err.splitlines()
    at = next(i for i, line in enumerate(lines) if "error[claim-no-citation]" in line)
    assert lines[at + 1].startswith("    fix: add a citation")
