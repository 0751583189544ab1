"""Indicator definitions: one version-controlled JSON file per indicator in ``definitions/``.

Keeping definitions as files (the openprescribing way) means a change to what an indicator
means is reviewed like code, and the method shown on every indicator page is the one in git.
"""

import json
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError

from placebook.core.models import Source
from placebook.indicators.models import Indicator

DEFINITIONS_DIR = Path(__file__).parent / "definitions"

FIELDS = [
    "framework", "framework_ref", "fingertips_id", "name", "definition", "why_it_matters",
    "unit", "polarity", "value_type", "period_type", "geography_level", "data_source",
    "update_frequency", "owner", "notes",
]  # fmt: skip
OPTIONAL = {"framework_ref", "fingertips_id", "why_it_matters", "notes"}
REQUIRED = {"code", *FIELDS} - OPTIONAL


class DefinitionError(Exception):
    """A definition file is wrong; the message names the file and the field."""


@dataclass(frozen=True)
class LoadResult:
    created: int
    updated: int
    unchanged: int


def read_definitions(directory: Path = DEFINITIONS_DIR) -> list[tuple[Path, dict]]:
    definitions = []
    for path in sorted(directory.glob("*.json")):
        try:
            data = json.loads(path.read_text())
        except json.JSONDecodeError as exc:
            raise DefinitionError(f"{path.name}: not valid JSON ({exc})") from exc
        missing = sorted(REQUIRED - {k for k, v in data.items() if v not in (None, "")})
        if missing:
            raise DefinitionError(f"{path.name}: missing {', '.join(missing)}")
        if data["code"] != path.stem:
            raise DefinitionError(f"{path.name}: code '{data['code']}' must match the file name")
        definitions.append((path, data))
    return definitions


def load_definitions(directory: Path = DEFINITIONS_DIR) -> LoadResult:
    """Create or update every indicator from its file. Callers hold the transaction."""
    sources = {s.key: s for s in Source.objects.all()}
    created = updated = unchanged = 0
    for path, data in read_definitions(directory):
        values = {
            field: data.get(field) or ("" if field != "fingertips_id" else None) for field in FIELDS
        }
        source_key = data.get("source")
        if source_key and source_key not in sources:
            raise DefinitionError(f"{path.name}: source: unknown source '{source_key}'")
        values["source"] = sources.get(source_key)
        values["source_line"] = data.get("line")
        indicator = Indicator.objects.filter(code=data["code"]).first()
        if indicator is None:
            indicator, changed = Indicator(code=data["code"]), True
            created += 1
        else:
            changed = any(getattr(indicator, f) != v for f, v in values.items())
            updated += changed
            unchanged += not changed
        if not changed:
            continue
        for field, value in values.items():
            setattr(indicator, field, value)
        try:
            indicator.full_clean()
        except ValidationError as exc:
            detail = "; ".join(f"{f}: {' '.join(m)}" for f, m in exc.message_dict.items())
            raise DefinitionError(f"{path.name}: {detail}") from exc
        indicator.save()
    return LoadResult(created, updated, unchanged)
