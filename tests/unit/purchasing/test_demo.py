"""The Sefton purchasing demo: the scale of seed 003, all of it synthetic, idempotent, with
live work for the demo sign-ins, and publishable as valid OCDS."""

import io
import time
from datetime import date, timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from placebook.contracts.models import Contract, ContractKind, ContractStatus, DirectAwardReason
from placebook.core.actors import SystemActor
from placebook.core.audit import acting_as
from placebook.core.models import AuditEvent, Organisation, Person, User
from placebook.core.money import Money
from placebook.purchasing import demo
from placebook.purchasing.models import (
    Admission,
    AdmissionStatus,
    Application,
    AwardStatus,
    PackageRequest,
    PackageStatus,
    PurchasingSystem,
    Response,
)
from placebook.purchasing.ocds import release_package
from placebook.purchasing.services.packages import (
    approve_award,
    requests_for_provider,
    score_responses,
)
from placebook.purchasing.services.spend import spend_report
from tests.ocds_schema import needs_ocds_schema, ocds_validator

# Seed 003: ~611 people (paragraph 3.1), 27 providers in Sefton and 10 outside, ~£22m a
# year (paragraph 3.2).
SEED_PEOPLE, SEED_PROVIDERS, SEED_ANNUAL = 611, 37, Money("22000000")


@pytest.fixture(scope="module")
def sefton(django_db_setup, django_db_blocker):
    """The whole demo, loaded once, with the time the purchasing part took."""
    loaded = {}
    load = demo.load

    def timed(**kwargs):
        started = time.perf_counter()
        counts = load(**kwargs)
        loaded["seconds"] = time.perf_counter() - started
        return counts

    with django_db_blocker.unblock():
        out = io.StringIO()
        with mock.patch.object(demo, "load", timed):
            call_command("load_demo", "--with-demo-users", stdout=out)
        loaded["output"] = out.getvalue()
        yield loaded
        call_command("flush", "--no-input", verbosity=0)


pytestmark = pytest.mark.django_db


def _system() -> PurchasingSystem:
    return PurchasingSystem.objects.get(key=demo.SYSTEM_KEY)


def _call_offs():
    return Contract.objects.filter(kind=ContractKind.CALL_OFF, lot__system__key=demo.SYSTEM_KEY)


def test_demo_load_time_and_counts_printed(sefton, capsys):
    line = next(line for line in sefton["output"].splitlines() if line.startswith("purchasing:"))
    with capsys.disabled():
        print(f"\npurchasing demo loaded in {sefton['seconds']:.1f} s: {line}")
    assert "37 synthetic providers" in line
    assert "611 package requests" in line
    # About 8-20 s on the shared 2-core machine; far more means a per-row write crept in.
    assert sefton["seconds"] < 60


def test_demo_counts_near_the_seed(sefton):
    providers = Organisation.objects.filter(is_synthetic=True, kind="care_provider")
    assert providers.count() == SEED_PROVIDERS
    assert providers.filter(area__code="E08000014").count() == 27
    packages = PackageRequest.objects.filter(lot__system__key=demo.SYSTEM_KEY)
    assert packages.count() == SEED_PEOPLE
    assert packages.values("person").distinct().count() == SEED_PEOPLE
    assert 590 <= _call_offs().count() <= 611
    annual = Money.sum(c.annual_value for c in _call_offs())
    assert abs(annual - SEED_ANNUAL) <= SEED_ANNUAL * Decimal("0.1")
    # Supported living is 24-hour support, so dearer than community support.
    supported_living, community = (
        [c.weekly_value.amount for c in _call_offs().filter(lot__number=n)] for n in (1, 2)
    )
    assert sum(supported_living) / len(supported_living) > sum(community) / len(community)


def test_demo_providers_people_and_packages_are_synthetic(sefton):
    on_system = Organisation.objects.filter(admissions__isnull=False).distinct()
    real = [o.key for o in on_system if not o.is_synthetic]
    assert real == ["sefton-new-directions"]
    assert not Person.objects.filter(packages__isnull=False, is_synthetic=False).exists()
    assert not PackageRequest.objects.filter(is_synthetic=False).exists()
    assert not Application.objects.filter(is_synthetic=False).exists()
    assert not Contract.objects.filter(supplier__is_synthetic=False).exists()


def test_demo_history_follows_the_recommendations(sefton):
    system = _system()
    assert (system.kind, system.regime, system.start, system.end) == (
        "fps",
        "pcr2015",
        date(2022, 8, 1),
        date(2027, 7, 31),
    )
    assert "Procurement Act 2023" in system.description
    model = system.evaluation_models.get()
    assert (model.quality_weight, model.social_value_weight, model.innovation_weight) == (
        60,
        10,
        10,
    )
    # Recommendation 2: a 12-month temporary award to each then-current provider.
    temporary = Contract.objects.filter(direct_award_reason=DirectAwardReason.TEMPORARY)
    assert temporary.count() == SEED_PROVIDERS
    assert {(c.start, c.end) for c in temporary} == {(date(2021, 9, 1), date(2022, 8, 31))}
    # Paragraph 5.6: call-offs for 3 years with 1 + 1 years after a performance review.
    call_off = _call_offs().filter(start=date(2022, 9, 1)).first()
    assert call_off.end == date(2025, 8, 31)
    assert [e.months for e in call_off.extensions.all()] == [12, 12]
    # Recommendation 7: the provider that left has its packages carried on by others.
    exited = Admission.objects.filter(status=AdmissionStatus.EXITED).values("provider")
    ended = Contract.objects.filter(supplier__in=exited, status=ContractStatus.TERMINATED)
    continuity = Contract.objects.filter(direct_award_reason=DirectAwardReason.CONTINUITY)
    assert ended.count() == continuity.count() > 0
    assert {c.package_id for c in ended} == {c.package_id for c in continuity}
    # The Inadequate provider was refused, with reasons.
    refused = Application.objects.get(provider__cqc_ratings__rating="inadequate")
    assert not refused.admissions.exists()
    assert "Inadequate" in refused.decision_reasons
    lcr = PurchasingSystem.objects.get(key="lcr-flexible-purchasing-system")
    assert (lcr.owner.key, lcr.status) == ("lcr-combined-authority", "open")


def test_demo_history_scores_agree_with_the_service(sefton):
    system = _system()
    model = system.evaluation_models.get()
    exited = Admission.objects.filter(status=AdmissionStatus.EXITED).values("provider")
    packages = (
        PackageRequest.objects.filter(lot__system=system, status=PackageStatus.AWARDED)
        .annotate(responded=Count("responses"))
        .filter(responded__gte=2)
        .exclude(responses__provider__in=exited)
        .order_by("reference")[:40]
    )
    assert len(packages) == 40
    for package in packages:
        stored = {
            r.pk: (r.compliant, r.price_score, r.total_score)
            for r in Response.objects.filter(package=package)
        }
        scored = {
            s.response.pk: (s.compliant, s.price_points, s.total)
            for s in score_responses(package, model)
        }
        assert stored == scored, package.reference


def test_demo_load_again_changes_nothing(sefton):
    events = AuditEvent.objects.count()
    rows = [m.objects.count() for m in (Person, PackageRequest, Response, Contract, User)]
    by = SystemActor("load_demo")
    with acting_as(by):
        demo.load(by=by, with_users=True)
        demo.load(by=by, with_users=False)
    assert AuditEvent.objects.count() == events
    assert [m.objects.count() for m in (Person, PackageRequest, Response, Contract, User)] == rows


def test_demo_provider_user_has_an_open_invitation(sefton):
    provider = User.objects.get(username="provider")
    assert provider.organisation.key == "sefton-new-directions"
    now = timezone.now()
    waiting = requests_for_provider(provider).filter(
        status=PackageStatus.OPEN, response_deadline__gt=now
    )
    assert waiting.exists()
    assert min(p.response_deadline for p in waiting) < now + timedelta(days=7)
    assert not Response.objects.filter(provider=provider.organisation).exists()


def test_demo_live_packages_give_the_demo_staff_work(sefton):
    live = PackageRequest.objects.exclude(status=PackageStatus.AWARDED)
    assert set(live.values_list("status", flat=True)) == {
        PackageStatus.DRAFT,
        PackageStatus.OPEN,
        PackageStatus.EVALUATED,
        PackageStatus.AWAITING_APPROVAL,
    }
    officer, manager = User.objects.get(username="officer"), User.objects.get(username="manager")
    pending = live.filter(status=PackageStatus.AWAITING_APPROVAL)
    assert {p.award.proposed_by for p in pending} == {officer}
    award = pending.first().award
    approve_award(by=manager, award=award)
    award.refresh_from_db()
    assert award.status == AwardStatus.APPROVED
    assert award.contract.kind == ContractKind.CALL_OFF


def test_demo_spend_report_shows_off_framework_spend_falling(sefton):
    report = spend_report(date(2021, 9, 1), date(2026, 3, 31))
    by_year = {}
    for line in report.lines:
        year = line.month.year - (line.month.month < 4)
        totals = by_year.setdefault(year, {True: Money.zero(), False: Money.zero()})
        totals[line.on_framework] += line.amount
    shares = [float(t[False] / (t[True] + t[False])) for _, t in sorted(by_year.items())]
    # 2021/22 is all temporary awards; from 2022/23 the system, and a few spot purchases.
    assert shares[0] == 1.0
    assert shares == sorted(shares, reverse=True)
    assert 0 < shares[-1] < 0.01


@needs_ocds_schema
def test_demo_ocds_export_is_valid(sefton):
    package = release_package()
    errors = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in ocds_validator().iter_errors(package)
    ]
    assert errors == []
    assert len(package["releases"]) > SEED_PEOPLE


def test_demo_bad_record_names_file_record_and_field(monkeypatch):
    record = {"key": "synthetic-x", "name": "X", "area": "E99999999"}
    monkeypatch.setattr(demo, "_read", lambda name: [record])
    with pytest.raises(demo.DemoDataError) as raised:
        demo.load_providers(demo._Lookups({}, {}, {}))
    assert str(raised.value) == (
        "providers.json record 1 ('synthetic-x'): area: unknown 'E99999999'"
    )
