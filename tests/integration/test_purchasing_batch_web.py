import pytest
from django.urls import reverse

from placebook.purchasing.models import AwardStatus, BrokerageRun
from tests.factories.market import build_market, two_competing_packages

pytestmark = pytest.mark.django_db


def test_broker_runs_changes_and_accepts_a_proposal(
    client, officer, django_capture_on_commit_callbacks
):
    market = build_market()
    first, second = two_competing_packages(market, officer)
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("purchasing:batch-list"), {"lot": "", "time_limit": "10"})
    run = BrokerageRun.objects.get()
    assert response.url == reverse("purchasing:batch-detail", args=[run.pk])
    page = client.get(response.url).content.decode()
    assert "Proved the best possible allocation" in page
    assert first.reference in page
    assert second.reference in page
    other = first.responses.get(provider=market.providers[2])
    response = client.post(
        reverse("purchasing:batch-detail", args=[run.pk]),
        {f"package-{first.pk}": str(other.pk), f"package-{second.pk}": "leave"},
        follow=True,
    )
    assert "1 awards proposed" in response.content.decode()
    first.refresh_from_db()
    assert first.award.response == other
    assert first.award.status == AwardStatus.AWAITING_APPROVAL


def test_starting_with_nothing_to_broker_shows_the_problem(client, officer):
    client.force_login(officer)
    response = client.post(reverse("purchasing:batch-list"), {"time_limit": "10"})
    assert response.status_code == 400
    assert "No evaluated packages are waiting" in response.content.decode()


def test_batch_brokerage_is_for_brokers(client, commissioner):
    assert client.get(reverse("purchasing:batch-list")).status_code == 302
    client.force_login(commissioner)
    assert client.get(reverse("purchasing:batch-list")).status_code == 403
