from datetime import date, timedelta

import pytest

from placebook.contracts.models import Contract, ContractKind, ContractStatus, DirectAwardReason
from placebook.core.money import Money
from placebook.core.permissions import PermissionDenied
from placebook.purchasing.models import AdmissionStatus
from placebook.purchasing.services import packages as svc
from placebook.purchasing.services.direct import continuity_award, direct_award, record_exit
from placebook.purchasing.services.errors import OutsideDelegation, PurchasingError
from placebook.purchasing.services.spend import OFF_FRAMEWORK, spend_report
from tests.factories.core import CareProviderFactory
from tests.factories.market import build_market, evaluated_package

pytestmark = pytest.mark.django_db

WHY = "The current provider keeps supporting the tenants while the new system is procured."


@pytest.fixture
def market():
    return build_market()


def _award(market, by, **overrides):
    values = {
        "reason": DirectAwardReason.TEMPORARY,
        "justification": WHY,
        "buyer": market.council,
        "supplier": market.providers[0],
        "start": date(2025, 4, 1),
        "weekly_value": Money("700.00"),
        "service_category": "supported_living",
        "lot": market.lot,
    }
    return direct_award(by=by, **(values | overrides))


def test_temporary_award_runs_twelve_months_with_its_justification(market, manager):
    contract = _award(market, manager)
    assert contract.kind == ContractKind.DIRECT_AWARD
    assert (contract.start, contract.end) == (date(2025, 4, 1), date(2026, 3, 31))
    assert contract.justification == WHY
    assert contract.annual_value == Money("36525.00")


def test_temporary_award_longer_than_a_year_is_refused(market, manager):
    with pytest.raises(PurchasingError, match="at most 12 months"):
        _award(market, manager, months=18)


def test_direct_award_needs_a_real_justification(market, manager):
    with pytest.raises(PurchasingError, match="justification"):
        _award(market, manager, justification="ok")
    assert not Contract.objects.exists()


def test_spot_purchase_is_off_framework(market, manager):
    spot = _award(market, manager, reason=DirectAwardReason.SPOT, lot=None, months=6,
                  supplier=CareProviderFactory(name="Off-framework Care Ltd"))  # fmt: skip
    assert spot.kind == ContractKind.SPOT
    assert not spot.on_framework
    with pytest.raises(PurchasingError, match="off framework"):
        _award(market, manager, reason=DirectAwardReason.SPOT)


def test_direct_awards_need_an_approver_within_delegation(market, officer, manager):
    with pytest.raises(PermissionDenied):
        _award(market, officer)
    with pytest.raises(OutsideDelegation, match="weekly limit"):
        _award(market, manager, weekly_value=Money("1600.00"))


def test_provider_exit_ends_its_packages_and_continuity_moves_them(market, officer, manager):
    package = evaluated_package(market, officer)
    best = package.responses.get(rank=1)
    award = svc.propose_award(by=officer, package=package, response=best, reasons="Top.")
    svc.approve_award(by=manager, award=award)
    leaving = best.provider
    exit_day = date.today() + timedelta(days=60)
    ended = record_exit(by=manager, provider=leaving, on=exit_day, note="Provider closed.")
    assert [c.package for c in ended] == [package]
    assert ended[0].status == ContractStatus.TERMINATED
    assert ended[0].ended_on == exit_day
    assert set(leaving.admissions.values_list("status", flat=True)) == {AdmissionStatus.EXITED}
    other = next(p for p in market.providers if p != leaving)
    moved = continuity_award(by=manager, ended=ended[0], supplier=other,
                             weekly_value=Money("520.00"), justification=WHY)  # fmt: skip
    assert moved.direct_award_reason == DirectAwardReason.CONTINUITY
    assert moved.package == package
    assert moved.lot == market.lot


def test_spend_report_splits_months_and_routes(market, manager):
    _award(market, manager, start=date(2025, 4, 1))  # on framework, £100 a day
    _award(market, manager, reason=DirectAwardReason.SPOT, lot=None, months=1,
           start=date(2025, 4, 16), weekly_value=Money("350.00"),
           supplier=CareProviderFactory(name="Spot Care"))  # fmt: skip
    report = spend_report(date(2025, 4, 1), date(2025, 5, 31))
    by_month = report.by("month")
    april, may = date(2025, 4, 1), date(2025, 5, 1)
    assert by_month[april] == {True: Money("3000.00"), False: Money("750.00")}
    # The spot purchase runs 16 April to 15 May: 15 days in May at £50 a day.
    assert by_month[may] == {True: Money("3100.00"), False: Money("750.00")}
    assert report.by("route")[OFF_FRAMEWORK][False] == Money("1500.00")
    assert report.total() == Money("7600.00")
    assert report.off_framework_share == pytest.approx(1500 / 7600)


def test_spend_stops_when_a_contract_ends_early(market, manager):
    contract = _award(market, manager, start=date(2025, 4, 1))
    contract.ended_on = date(2025, 4, 10)
    contract.save()
    assert spend_report(date(2025, 4, 1), date(2025, 6, 30)).total() == Money("1000.00")
