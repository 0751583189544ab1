import io
import json
import re
import shutil

import pytest
from django.core.management import CommandError, call_command

from placebook.core import demo
from placebook.core.models import Area, AuditEvent, ComparatorGroup, Organisation, Role, User

pytestmark = pytest.mark.django_db


def load(**kwargs):
    call_command("load_demo", stdout=io.StringIO(), **kwargs)


def test_load_demo_loads_sefton_and_its_wards():
    load()
    sefton = Area.objects.get(code="E08000014")
    assert sefton.name == "Sefton"
    wards = Area.objects.filter(
        type="ward", parent_links__parent=sefton, parent_links__hierarchy="administrative"
    ).current()
    assert wards.count() == 22
    assert sefton.provenance


def test_load_demo_groups_match_the_sizes_the_seed_prints():
    load()
    lcr = ComparatorGroup.objects.get(slug="liverpool-city-region")
    assert lcr.members.count() == 6
    north_west = ComparatorGroup.objects.get(slug="north-west-councils", version="2021/22")
    assert north_west.members.count() == 23


def test_load_demo_records_provenance_to_the_line():
    """Every fact cited to a seed paper names something printed on (or next to) that line."""
    load()
    seeds = demo.DATA_DIR.parents[3].parent / "shared" / "seeds"
    assert seeds.exists(), f"the seeds sit beside the checkout in development and CI: {seeds}"
    generic = {"the", "and", "with", "former", "area", "ltd"}
    checked = 0
    for model in (Organisation, Area, ComparatorGroup):
        for record in model.objects.filter(source__kind="seed").select_related("source"):
            lines = (seeds / record.source.reference).read_text().splitlines()
            near = " ".join(lines[record.source_line - 2 : record.source_line + 1]).lower()
            words = set(re.findall(r"[a-z]{3,}", record.name.lower())) - generic
            assert any(w in near for w in words), (record, record.source_line)
            checked += 1
    assert checked > 50


def test_load_demo_is_idempotent():
    load(with_demo_users=True)

    def counts():
        return [m.objects.count() for m in (Area, Organisation, AuditEvent)]

    before = counts()
    load(with_demo_users=True)
    assert counts() == before


def test_load_demo_makes_one_sign_in_per_role():
    load(with_demo_users=True)
    roles = {u.username: set(u.role_set) for u in User.objects.all()}
    assert {r for rs in roles.values() for r in rs} == set(Role.values)
    assert User.objects.get(username="manager").financial_authority_limit is not None
    assert User.objects.get(username="provider").organisation.kind == "care_provider"


def test_load_demo_without_users_flag_and_debug_off_makes_no_accounts(settings):
    settings.DEBUG = False
    load()
    assert not User.objects.exists()


def test_load_demo_is_audited_as_load_demo():
    load()
    assert set(AuditEvent.objects.values_list("actor_label", flat=True)) == {"load_demo"}


def test_load_demo_bad_record_names_file_record_and_value_and_writes_nothing(tmp_path, monkeypatch):
    data = tmp_path / "sefton"
    shutil.copytree(demo.DATA_DIR, data)
    areas = json.loads((data / "areas.json").read_text())
    areas[5]["parents"] = [{"code": "E99999999", "hierarchy": "administrative"}]
    (data / "areas.json").write_text(json.dumps(areas))
    monkeypatch.setattr(demo, "DATA_DIR", data)
    with pytest.raises(CommandError) as exc:
        load()
    message = str(exc.value)
    assert "areas.json record 6" in message
    assert "E99999999" in message
    assert not Area.objects.exists()
    assert not AuditEvent.objects.exists()


def test_load_demo_dry_run_writes_nothing():
    load(dry_run=True)
    assert not Area.objects.exists()
