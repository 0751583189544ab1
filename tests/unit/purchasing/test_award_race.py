"""Two officers awarding the same package at the same moment: exactly one award.

Runs on PostgreSQL, where the row lock in propose_award is what serialises them; SQLite has
one writer at a time and no row locks, so there is no race to test there.
"""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from placebook.core.models import Role
from placebook.core.money import Money
from placebook.purchasing.models import Award, PackageStatus
from placebook.purchasing.services import packages as svc
from placebook.purchasing.services.errors import AlreadyAwarded
from tests.factories.core import user_with_role
from tests.factories.market import build_market

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks are a PostgreSQL strength"
    ),
]


def test_two_officers_awarding_at_once_make_one_award():
    market = build_market()
    first = user_with_role(Role.COUNCIL_OFFICER, username="broker-1")
    second = user_with_role(Role.COUNCIL_OFFICER, username="broker-2")
    package = svc.create_request(
        by=first, person=market.person, lot=market.lot, support_needed="Daily support.",
        hours_per_week=20, start_date=timezone.localdate() + timedelta(days=7),
        ras_table=market.ras, answers={"personal-care": "some", "daily-living": "most",
                                       "night": "sleep-in"},
    )  # fmt: skip
    svc.open_request(by=first, package=package, deadline=timezone.now() + timedelta(days=1))
    package.refresh_from_db()
    for user, price in zip(market.provider_users, ["500.00", "520.00", "540.00"], strict=True):
        svc.submit_response(by=user, package=package, weekly_price=Money(price),
                            start_date=package.start_date, proposal="Proposal.")  # fmt: skip
    svc.evaluate(by=first, package=package)
    responses = list(package.responses.order_by("rank"))

    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def award(user, response):
        try:
            barrier.wait(timeout=10)
            outcomes[user.username] = svc.propose_award(
                by=user, package=package, response=response, reasons="Chosen."
            )
        except AlreadyAwarded as error:
            outcomes[user.username] = error
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=award, args=(first, responses[0])),
        threading.Thread(target=award, args=(second, responses[1])),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert Award.objects.filter(package=package).count() == 1
    kinds = sorted(type(outcome).__name__ for outcome in outcomes.values())
    assert kinds == ["AlreadyAwarded", "Award"]
    package.refresh_from_db()
    assert package.status == PackageStatus.AWAITING_APPROVAL
