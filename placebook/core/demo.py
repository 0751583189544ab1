"""Sefton reference data and demo accounts, loaded by ``manage.py load_demo``.

The facts live in ``demo_data/sefton/*.json`` with their provenance; this module only
checks and writes them. Loading is idempotent: rows are matched on their natural keys
(area code, organisation key, group slug and version), so a second run changes nothing.
"""

import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ValidationError

from placebook.core.models import (
    Area,
    AreaLink,
    ComparatorGroup,
    ComparatorGroupStatus,
    Organisation,
    Role,
    Source,
    User,
)
from placebook.core.services import grant_role

DATA_DIR = Path(__file__).parent / "demo_data" / "sefton"

# Demo sign-ins, one per role, printed by the run command. The password is public by design:
# load_demo refuses to create these accounts unless DEBUG is on or --with-demo-users is given.
DEMO_PASSWORD = "sefton-demo-2024"
DEMO_USERS = [
    # username, first name, last name, role, organisation key, delegated limit (pounds)
    ("officer", "Olu", "Officer", Role.COUNCIL_OFFICER, "sefton-council", None),
    ("commissioner", "Cara", "Commissioner", Role.COMMISSIONER, "sefton-council", None),
    ("manager", "Sam", "Manager", Role.SENIOR_MANAGER, "sefton-council", Decimal("250000")),
    ("provider", "Pat", "Provider", Role.PROVIDER_USER, "sefton-new-directions", None),
    ("linkworker", "Lee", "Linkworker", Role.LINK_WORKER, "sefton-cvs", None),
    ("councillor", "Chris", "Councillor", Role.COUNCILLOR, "sefton-council", None),
]


class DemoDataError(Exception):
    """A record in a demo data file is wrong; the message names file, record and field."""


def _read(name: str) -> list[dict]:
    path = DATA_DIR / name
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise DemoDataError(f"{name}: not valid JSON ({exc})") from exc


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _each(name: str, records: list[dict], write: Callable[[dict], object]) -> int:
    for index, record in enumerate(records, start=1):
        label = record.get("code") or record.get("key") or record.get("slug") or ""
        try:
            write(record)
        except (ValidationError, KeyError, ValueError, LookupError) as exc:
            detail = "; ".join(exc.messages) if isinstance(exc, ValidationError) else repr(exc)
            raise DemoDataError(f"{name} record {index} ({label!r}): {detail}") from exc
    return len(records)


def _upsert(model, lookup: dict, values: dict):
    """Update only what differs, so a re-run writes nothing and audits nothing."""
    obj = model.objects.filter(**lookup).first() or model(**lookup)
    changed = obj.pk is None
    for field, value in values.items():
        if getattr(obj, field) != value:
            setattr(obj, field, value)
            changed = True
    if changed:
        obj.full_clean()
        obj.save()
    return obj


def load_sources() -> dict[str, Source]:
    def write(r):
        _upsert(
            Source,
            {"key": r["key"]},
            {
                "kind": r["kind"],
                "title": r["title"],
                "reference": r["reference"],
                "published": _date(r.get("published")),
            },
        )

    _each("sources.json", _read("sources.json"), write)
    return {s.key: s for s in Source.objects.all()}


def _provenance(record: dict, sources: dict[str, Source]) -> dict:
    key = record.get("source")
    if key and key not in sources:
        raise ValidationError({"source": f"Unknown source '{key}'."})
    return {"source": sources.get(key), "source_line": record.get("line")}


def load_areas(sources) -> int:
    areas = {a.code: a for a in Area.objects.all()}

    def write(r):
        area = _upsert(
            Area,
            {"code": r["code"]},
            {
                "name": r["name"],
                "type": r["type"],
                "valid_from": _date(r.get("valid_from")),
                "valid_to": _date(r.get("valid_to")),
                **_provenance(r, sources),
            },
        )
        areas[area.code] = area
        predecessors = [areas[c] for c in r.get("replaces", []) if c in areas]
        if len(predecessors) != len(r.get("replaces", [])):
            raise ValidationError({"replaces": "Replaced areas must come earlier in the file."})
        if {a.pk for a in predecessors} != set(area.replaces.values_list("pk", flat=True)):
            area.replaces.set(predecessors)
        for link in r.get("parents", []):
            parent = areas.get(link["code"])
            if parent is None:
                raise ValidationError({"parents": f"Unknown parent area code '{link['code']}'."})
            AreaLink.objects.get_or_create(
                child=area,
                parent=parent,
                hierarchy=link["hierarchy"],
                defaults=_provenance(r, sources),
            )

    return _each("areas.json", _read("areas.json"), write)


def load_organisations(sources) -> int:
    records = _read("organisations.json")
    areas = {a.code: a for a in Area.objects.all()}
    identifier_fields = [
        "gss_code",
        "ods_code",
        "cqc_provider_id",
        "companies_house_number",
        "charity_number",
        "website",
    ]

    def write(r):
        area_code = r.get("area") or ""
        if area_code and area_code not in areas:
            raise ValidationError({"area": f"Unknown area code '{area_code}'."})
        _upsert(
            Organisation,
            {"key": r["key"]},
            {
                "name": r["name"],
                "kind": r["kind"],
                "area": areas.get(area_code),
                **{f: r.get(f) or "" for f in identifier_fields},
                **_provenance(r, sources),
            },
        )

    count = _each("organisations.json", records, write)
    # Parents second, so the file need not be ordered by hierarchy.
    by_key = {o.key: o for o in Organisation.objects.all()}

    def link_parent(r):
        parent_key = r.get("parent")
        if parent_key and parent_key not in by_key:
            raise ValidationError({"parent": f"Unknown organisation key '{parent_key}'."})
        _upsert(Organisation, {"key": r["key"]}, {"parent": by_key.get(parent_key)})

    _each("organisations.json", records, link_parent)
    return count


def load_comparator_groups(sources) -> int:
    areas = {a.code: a for a in Area.objects.all()}

    def write(r):
        missing = [c for c in r["members"] if c not in areas]
        if missing:
            raise ValidationError({"members": f"Unknown area code(s) {', '.join(missing)}."})
        group = _upsert(
            ComparatorGroup,
            {"slug": r["slug"], "version": r["version"]},
            {
                "name": r["name"],
                "description": r.get("description", ""),
                "subject": areas.get(r.get("subject") or ""),
                # Groups were published by the bodies that define them; one whose members
                # we could not establish (CIPFA's licensed model) stays a draft.
                "status": ComparatorGroupStatus.PUBLISHED
                if r["members"]
                else ComparatorGroupStatus.DRAFT,
                **_provenance(r, sources),
            },
        )
        wanted = {areas[c].pk for c in r["members"]}
        current = set(group.members.values_list("pk", flat=True))
        if wanted != current:
            group.members.set(wanted)

    return _each("comparator_groups.json", _read("comparator_groups.json"), write)


def load_demo_users(*, by) -> list[tuple[str, str]]:
    """Create one sign-in per role; returns (username, role label) pairs."""
    made = []
    for username, first, last, role, org_key, limit in DEMO_USERS:
        org = Organisation.objects.filter(key=org_key).first()
        if org is None:
            raise DemoDataError(f"Demo user {username}: organisation '{org_key}' is not loaded.")
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "organisation": org},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        grant_role(by=by, user=user, role=role, financial_authority_limit=limit)
        made.append((username, role.label))
    return made


def load(*, by, with_users: bool) -> dict[str, int]:
    sources = load_sources()
    counts = {
        "sources": len(sources),
        "areas": load_areas(sources),
        "organisations": load_organisations(sources),
        "comparator groups": load_comparator_groups(sources),
    }
    if with_users:
        counts["demo users"] = len(load_demo_users(by=by))
    return counts
