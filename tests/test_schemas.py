from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from conftest import REPO

Cli = Callable[..., tuple[int, str, str]]


def _as_editor_sees(path: Path) -> Any:
    # Editors hand JSON Schema validators plain JSON values: dates are strings.
    return json.loads(json.dumps(yaml.safe_load(path.read_text()), default=str))


def _schema(name: str) -> dict[str, Any]:
    return dict(json.loads((REPO / "schemas" / name).read_text()))


def test_schemas_are_current(cli: Cli) -> None:
    code, out, _err = cli("schema", "--check", "--root", str(REPO))
    assert code == 0, out


@pytest.mark.parametrize("path", sorted((REPO / "sheets").glob("[A-Z][A-Z].yaml")),
                         ids=lambda p: p.name)
def test_real_sheets_validate(path: Path) -> None:
    name = "federal.schema.json" if path.stem == "US" else "state.schema.json"
    jsonschema.validate(_as_editor_sees(path), _schema(name))


def test_real_source_registries_validate() -> None:
    for path in [REPO / "sheets/sources.yaml", *sorted((REPO / "sheets/sources").glob("*.yaml"))]:
        jsonschema.validate(_as_editor_sees(path), _schema("sources.schema.json"))


def test_a_typo_is_rejected() -> None:
    sheet = _as_editor_sees(REPO / "sheets/CO.yaml")
    claim = next(entry for entry in sheet["claims"] if "citations" in entry)
    claim["sorce"] = claim.pop("citations")
    with pytest.raises(jsonschema.ValidationError, match="sorce"):
        jsonschema.validate(sheet, _schema("state.schema.json"))
