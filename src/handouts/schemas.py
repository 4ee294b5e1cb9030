"""JSON Schemas of the content files, generated from the models, for editors and CI.

VS Code's YAML extension (and any JSON Schema tool) validates and completes sheets while they are
typed; the schemas are committed under schemas/ and `sheets schema --check` keeps them current.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from .glossary import GlossaryFile
from .languages import LanguagesFile
from .models import FederalFile, Settings, SourceRegistry, StateFile
from .output import write_atomic

SCHEMA_DIR = "schemas"
SCHEMAS: dict[str, tuple[type[BaseModel], str]] = {
    "state.schema.json": (StateFile, "A state's handout: sheets/XX.yaml"),
    "federal.schema.json": (FederalFile, "Federal claims: sheets/US.yaml"),
    "sources.schema.json": (SourceRegistry, "Source registries: sheets/sources*.yaml"),
    "settings.schema.json": (Settings, "Publishing settings: sheets/settings.yaml"),
    "languages.schema.json": (LanguagesFile, "Languages: translations/languages.yaml"),
    "glossary.schema.json": (GlossaryFile, "Glossary: translations/glossary.yaml"),
}


def render_schemas() -> dict[str, bytes]:
    out = {}
    for name, (model, title) in SCHEMAS.items():
        schema = model.model_json_schema()
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema["title"] = title
        out[name] = (json.dumps(schema, indent=2, ensure_ascii=False) + "\n").encode()
    return out


def write_schemas(root: Path) -> list[Path]:
    written = []
    for name, data in render_schemas().items():
        path = root / SCHEMA_DIR / name
        if not path.exists() or path.read_bytes() != data:
            write_atomic(path, data)
            written.append(path)
    return written


def outdated_schemas(root: Path) -> list[Path]:
    return [root / SCHEMA_DIR / name for name, data in render_schemas().items()
            if not (root / SCHEMA_DIR / name).exists()
            or (root / SCHEMA_DIR / name).read_bytes() != data]
