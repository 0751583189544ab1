from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from placebook.contracts.models import Contract, ContractKind
from placebook.core.models import AuditEvent, Role
from placebook.core.money import Money
from placebook.core.permissions import PermissionDenied
from placebook.purchasing.models import AwardStatus, PackageStatus
from placebook.purchasing.services import packages as svc
from placebook.purchasing.services.errors import (
    AlreadyAwarded,
    DeadlinePassed,
    OutsideDelegation,
    PurchasingError,
)
from placebook.purchasing.services.ras import calculate_budget
from tests.factories.core import user_with_role
from tests.factories.market import (
    ANSWERS,
    build_market,
    evaluated_package,
    open_package,
    request_package,
    respond,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def market():
    return build_market()


@pytest.fixture
def second_manager(db):
    return user_with_role(Role.SENIOR_MANAGER, username="manager2")


def test_ras_budget_is_points_times_price_within_floor_and_ceiling(market):
    budget = calculate_budget(market.ras, ANSWERS)
    assert budget.points == 6 + 10 + 8
    assert budget.weekly == Money("600.00")
    assert [line["points"] for line in budget.lines[:3]] == [6, 10, 8]
    low = calculate_budget(market.ras, {"personal-care": "none", "daily-living": "some",
                                        "night": "none"})  # fmt: skip
    assert low.weekly == Money("125.00")
    floor = calculate_budget(market.ras, dict.fromkeys(ANSWERS, "none"))
    assert floor.weekly == Money("100.00")
    assert floor.lines[-1]["question"] == "Table floor"


def test_ras_names_every_bad_answer(market):
    with pytest.raises(PurchasingError) as error:
        calculate_budget(market.ras, {"personal-care": "lots", "mood": "low"})
    message = str(error.value)
    assert "personal-care: 'lots' is not one of none, some, all" in message
    assert "daily-living: not answered" in message
    assert "mood: not a question" in message


def test_request_gets_its_indicative_budget_and_working(market, officer):
    package = request_package(market, officer)
    assert package.indicative_weekly_budget == Money("600.00")
    assert package.budget_calculation[-1]["answer"].startswith("24 x")
    assert package.status == PackageStatus.DRAFT
    assert package.reference.startswith("PK-")


def test_weekly_profile_must_add_up(market, officer):
    with pytest.raises(PurchasingError, match="add up to 12 hours"):
        request_package(market, officer, weekly_profile={"mon": 6, "tue": 6})


def test_only_brokers_create_requests(market, commissioner, provider_user):
    for user in (commissioner, provider_user):
        with pytest.raises(PermissionDenied):
            request_package(market, user)


def test_open_invites_providers_covering_locality_and_capacity(market, officer):
    market.admissions[0].localities.add(market.locality)
    from tests.factories.core import AreaFactory

    market.admissions[1].localities.add(AreaFactory(type="council_locality"))
    market.admissions[2].capacity_hours_per_week = Decimal("10")
    market.admissions[2].save()
    package = open_package(market, officer)
    assert [i.provider for i in package.invitations.all()] == [market.providers[0]]
    assert package.status == PackageStatus.OPEN


def test_open_refuses_when_no_provider_fits(market, officer):
    for admission in market.admissions:
        admission.capacity_hours_per_week = Decimal("5")
        admission.save()
    package = request_package(market, officer)
    with pytest.raises(PurchasingError, match="consider a spot purchase"):
        svc.open_request(by=officer, package=package, deadline=timezone.now() + timedelta(1))


def test_providers_see_only_requests_sent_to_them(market, officer):
    market.admissions[0].localities.add(market.locality)
    from tests.factories.core import AreaFactory

    market.admissions[1].localities.add(AreaFactory(type="council_locality"))
    package = open_package(market, officer)
    assert list(svc.requests_for_provider(market.provider_users[0])) == [package]
    assert list(svc.requests_for_provider(market.provider_users[1])) == []
    with pytest.raises(PurchasingError, match="was not asked"):
        respond(market, package, 1, "500.00")


def test_late_response_is_refused_with_the_times(market, officer):
    package = open_package(market, officer)
    late = package.response_deadline + timedelta(minutes=1)
    with pytest.raises(DeadlinePassed, match=r"closed at .*; this one arrived at"):
        svc.submit_response(
            by=market.provider_users[0],
            package=package,
            weekly_price=Money("500.00"),
            start_date=package.start_date,
            proposal="Late.",
            now=late,
        )
    assert not package.responses.exists()


def test_second_response_replaces_the_first(market, officer):
    package = open_package(market, officer)
    respond(market, package, 0, "550.00")
    respond(market, package, 0, "540.00")
    assert [r.weekly_price for r in package.responses.all()] == [Money("540.00")]


def test_evaluation_ranks_by_published_weights(market, officer):
    package = open_package(market, officer)
    a = respond(market, package, 0, "600.00")  # best quality (50), dearest compliant
    b = respond(market, package, 1, "480.00")  # quality 45, cheapest
    c = respond(market, package, 2, "650.00")  # above the £600 budget
    ranked = svc.evaluate(by=officer, package=package)
    by_provider = {r.provider_id: r for r in ranked}
    a, b, c = (by_provider[x.provider_id] for x in (a, b, c))
    # Price points: 30 x lowest / price. A: 30 x 480/600 = 24; B: 30.
    assert (a.price_score, b.price_score) == (Decimal("24.00"), Decimal("30.00"))
    assert (a.total_score, b.total_score) == (Decimal("88.00"), Decimal("89.00"))
    assert (b.rank, a.rank, c.rank) == (1, 2, None)
    assert not c.compliant
    assert "above the indicative budget" in c.non_compliance
    package.refresh_from_db()
    assert package.status == PackageStatus.EVALUATED


def test_evaluation_waits_for_deadline_unless_everyone_answered(market, officer):
    package = open_package(market, officer)
    respond(market, package, 0, "500.00")
    with pytest.raises(PurchasingError, match="2 invited providers have not responded"):
        svc.evaluate(by=officer, package=package)
    svc.evaluate(by=officer, package=package, now=package.response_deadline + timedelta(1))


def test_whole_call_off_to_contract(market, officer, manager):
    package = evaluated_package(market, officer)
    best = package.responses.get(rank=1)
    award = svc.propose_award(by=officer, package=package, response=best, reasons="Top ranked.")
    assert award.status == AwardStatus.AWAITING_APPROVAL
    svc.approve_award(by=manager, award=award, note="Within budget.")
    award.refresh_from_db()
    assert award.status == AwardStatus.APPROVED
    assert award.delegation.weekly_limit == Money("1500.00")
    contract = Contract.objects.get(award=award)
    assert contract.kind == ContractKind.CALL_OFF
    assert contract.supplier == best.provider
    assert contract.lot == market.lot
    assert contract.end == contract.start.replace(year=contract.start.year + 3) - timedelta(1)
    assert [e.months for e in contract.extensions.all()] == [12, 12]
    assert contract.weekly_value == Money("480.00")
    package.refresh_from_db()
    assert package.status == PackageStatus.AWARDED
    award_events = AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(award), object_id=str(award.pk)
    )
    assert [(e.action, e.actor) for e in award_events.order_by("id")] == [
        ("create", officer),
        ("update", manager),
    ]
    assert (
        AuditEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(contract), action="create"
        )
        .get()
        .actor
        == manager
    )


def test_approver_must_be_someone_else_and_within_limit(market, officer, manager,
                                                         second_manager):  # fmt: skip
    package = evaluated_package(market, officer)
    best = package.responses.get(rank=1)
    award = svc.propose_award(by=manager, package=package, response=best, reasons="Top ranked.")
    with pytest.raises(PurchasingError, match="someone else must approve"):
        svc.approve_award(by=manager, award=award)
    second_manager.financial_authority_limit = Money("20000.00")
    second_manager.save()
    with pytest.raises(OutsideDelegation, match=r"above manager2's own limit of £20,000\.00"):
        svc.approve_award(by=second_manager, award=award)
    assert not Contract.objects.exists()
    award.refresh_from_db()
    assert award.status == AwardStatus.AWAITING_APPROVAL


def test_award_above_the_weekly_limit_is_refused(market, officer, manager):
    market.scheme.limits.update(weekly_limit=Money("400.00"))
    package = evaluated_package(market, officer)
    award = svc.propose_award(by=officer, package=package,
                              response=package.responses.get(rank=1), reasons="Top.")  # fmt: skip
    with pytest.raises(OutsideDelegation, match=r"above the weekly limit of £400\.00"):
        svc.approve_award(by=manager, award=award)


def test_officers_cannot_approve(market, officer):
    package = evaluated_package(market, officer)
    award = svc.propose_award(by=officer, package=package,
                              response=package.responses.get(rank=1), reasons="Top.")  # fmt: skip
    with pytest.raises(PermissionDenied):
        svc.approve_award(by=officer, award=award)


def test_one_award_per_package(market, officer, manager):
    package = evaluated_package(market, officer)
    first, second = package.responses.order_by("rank")[:2]
    svc.propose_award(by=officer, package=package, response=first, reasons="Top.")
    with pytest.raises(AlreadyAwarded):
        svc.propose_award(by=manager, package=package, response=second, reasons="Cheaper.")


def test_rejected_award_can_be_proposed_again(market, officer, manager):
    package = evaluated_package(market, officer)
    first, second = package.responses.order_by("rank")[:2]
    award = svc.propose_award(by=officer, package=package, response=first, reasons="Top.")
    svc.reject_award(by=manager, award=award, note="Check the second provider's start date.")
    again = svc.propose_award(by=officer, package=package, response=second,
                              reasons="Second ranked; starts sooner.")  # fmt: skip
    assert again.pk == award.pk
    assert again.response == second
    assert again.status == AwardStatus.AWAITING_APPROVAL


def test_non_compliant_response_cannot_be_awarded(market, officer):
    package = open_package(market, officer)
    respond(market, package, 0, "900.00")
    respond(market, package, 1, "500.00")
    respond(market, package, 2, "500.00")
    svc.evaluate(by=officer, package=package)
    dear = package.responses.get(provider=market.providers[0])
    with pytest.raises(PurchasingError, match="not compliant"):
        svc.propose_award(by=officer, package=package, response=dear, reasons="Preferred.")


def test_half_finished_approval_leaves_nothing(market, officer, manager, monkeypatch):
    package = evaluated_package(market, officer)
    award = svc.propose_award(by=officer, package=package,
                              response=package.responses.get(rank=1), reasons="Top.")  # fmt: skip

    def broken(**_kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(svc, "create_contract", broken)
    with pytest.raises(RuntimeError):
        svc.approve_award(by=manager, award=award)
    award.refresh_from_db()
    package.refresh_from_db()
    assert award.status == AwardStatus.AWAITING_APPROVAL
    assert package.status == PackageStatus.AWAITING_APPROVAL
    assert not Contract.objects.exists()
