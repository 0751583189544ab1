"""Batch brokerage on the live market: a run is queued as a task (run at once under
pytest's ImmediateBackend), proposes, and a broker accepts or changes the proposal."""

import pytest

from placebook.purchasing.models import AwardStatus, BrokerageRun, PackageStatus, RunStatus
from placebook.purchasing.services import brokerage as svc
from placebook.purchasing.services.errors import PurchasingError
from tests.factories.market import build_market, two_competing_packages

pytestmark = pytest.mark.django_db


@pytest.fixture
def market():
    return build_market()


@pytest.fixture
def started(django_capture_on_commit_callbacks):
    """Start a run and let its task run, as it would once the request's transaction ends."""

    def start(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            run = svc.start_run(**kwargs)
        run.refresh_from_db()
        return run

    return start


def test_run_proposes_best_total_and_compares_with_greedy(market, officer, started):
    first, second = two_competing_packages(market, officer)
    requests, providers, offers = svc.market_inputs()
    assert {r.id for r in requests} == {first.pk, second.pk}
    assert len(offers) == 6  # every response was within budget and compliant
    capacity = {p.id: p.capacity_hours_per_week for p in providers}
    assert capacity[market.providers[0].pk] == 20.0
    run = started(by=officer, time_limit=10)
    assert run.status == RunStatus.PROPOSED
    chosen = {line["package"]: line["provider"] for line in run.proposal["allocations"]}
    assert chosen == {first.pk: market.providers[1].pk, second.pk: market.providers[0].pk}
    assert run.proved_optimal
    assert run.objective >= run.greedy_objective


def test_accepting_proposes_awards_for_approval(market, officer, started):
    first, second = two_competing_packages(market, officer)
    run = started(by=officer, time_limit=10)
    other = first.responses.get(provider=market.providers[2])
    awards = svc.accept(by=officer, run=run, choices={first.pk: other.pk, second.pk: None})
    assert [(a.package, a.response) for a in awards] == [(first, other)]
    assert awards[0].status == AwardStatus.AWAITING_APPROVAL
    assert "instead of the proposal's" in awards[0].reasons
    second.refresh_from_db()
    assert second.status == PackageStatus.EVALUATED
    run.refresh_from_db()
    assert (run.status, run.accepted_awards) == (RunStatus.ACCEPTED, 1)
    with pytest.raises(PurchasingError, match="not a proposal"):
        svc.accept(by=officer, run=run, choices={})


def test_nothing_to_broker_is_refused(market, officer):
    with pytest.raises(PurchasingError, match="No evaluated packages"):
        svc.start_run(by=officer)
    assert not BrokerageRun.objects.exists()


def test_only_brokers_run_brokerage(market, officer, commissioner):
    from placebook.core.permissions import PermissionDenied

    two_competing_packages(market, officer)
    with pytest.raises(PermissionDenied):
        svc.start_run(by=commissioner)
