from __future__ import annotations

from pathlib import Path

from handouts.loader import load_project, read_yaml
from handouts.models import Claim, Include


def test_project_loads_with_lines(project: Path) -> None:
    loaded = load_project(project)
    assert loaded.problems == []
    assert loaded.state_codes() == ["CO", "MA"]
    claims = loaded.printed_claims("CO")
    assert [c.key for c in claims] == ["CO/state-law-limit", "US/federal-ruling", "CO/key-share",
                                         "CO/key-apply", "CO/key-call", "CO/hotline"]
    first = claims[0]
    assert (first.path, first.line) == ("sheets/CO.yaml", 4)
    assert first.line_of("checked") == 8
    assert first.citations[0].line_of("quote") == 12
    assert isinstance(loaded.states["CO"].claims[1], Include)
    assert isinstance(loaded.states["CO"].claims[0], Claim)


def test_duplicate_key_reported_with_both_lines(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("a: 1\nb:\n  c: 2\n  c: 3\n")
    data, lines, problems = read_yaml(path, tmp_path)
    assert data == {"a": 1, "b": {"c": 2}}
    assert [(p.line, p.rule) for p in problems] == [(4, "duplicate-key")]
    assert "repeats line 3" in problems[0].message


def test_alias_bomb_is_refused(tmp_path: Path) -> None:
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for i in range(1, 9):
        prev = f"*a{i-1}"
        lines.append(f"a{i}: &a{i} [{', '.join([prev] * 10)}]")
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n")
    data, _lines, problems = read_yaml(path, tmp_path)
    assert data is None
    assert problems[0].rule == "file-too-large"
