"""A small purchasing market, built through the models, for package tests: a council, one
open system with a published evaluation model, one lot, admitted providers each with a
provider user, a published RAS table, a scheme of delegation and a resident."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from placebook.core.actors import SystemActor
from placebook.core.audit import acting_as
from placebook.core.models import Area, Organisation, Person, Role
from placebook.core.money import Money
from placebook.purchasing.models import (
    Admission,
    DelegationLimit,
    EvaluationModel,
    Lot,
    PurchasingSystem,
    RasAnswer,
    RasQuestion,
    RasTable,
    SchemeOfDelegation,
)
from placebook.purchasing.services import packages
from tests.factories.core import AreaFactory, CareProviderFactory, user_with_role

RAS_QUESTIONS = {
    "personal-care": [("none", "No help needed", 0), ("some", "Some help", 6),
                      ("all", "Help with everything", 14)],
    "daily-living": [("none", "Independent", 0), ("some", "Some help", 5),
                     ("most", "Help with most tasks", 10)],
    "night": [("none", "None", 0), ("sleep-in", "Sleep-in", 8), ("waking", "Waking night", 16)],
}  # fmt: skip


# Answers to the market's RAS table that cost £600 a week (24 points at £25).
ANSWERS = {"personal-care": "some", "daily-living": "most", "night": "sleep-in"}


@dataclass
class Market:
    council: Organisation
    system: PurchasingSystem
    model: EvaluationModel
    lot: Lot
    locality: Area
    providers: list[Organisation]
    admissions: list[Admission]
    provider_users: list = field(default_factory=list)
    ras: RasTable | None = None
    scheme: SchemeOfDelegation | None = None
    person: Person | None = None


def build_market(providers: int = 3, *, scores=(Decimal("50"), Decimal("45"), Decimal("40"))):
    actor = SystemActor("test market")
    with acting_as(actor):
        council = Organisation.objects.create(key="test-council", name="Test Council",
                                              kind="local_authority")  # fmt: skip
        system = PurchasingSystem.objects.create(
            key="test-supported-living",
            name="Test Supported Living Dynamic Market",
            kind="dynamic_market",
            regime="pa2023",
            owner=council,
            start=date(2025, 4, 1),
            end=date(2030, 3, 31),
            status="open",
            extension_months=[12, 12],
        )
        model = EvaluationModel.objects.create(
            system=system,
            quality_weight=Decimal(50),
            social_value_weight=Decimal(10),
            innovation_weight=Decimal(10),
            price_weight=Decimal(30),
            published_at=timezone.now(),
        )
        lot = Lot.objects.create(system=system, number=1, name="Supported living",
                                 category="supported_living")  # fmt: skip
        locality = AreaFactory(type="council_locality")
        orgs, admissions, users = [], [], []
        for i in range(providers):
            org = CareProviderFactory(name=f"Provider {chr(65 + i)}")
            orgs.append(org)
            quality = scores[i % len(scores)]
            admissions.append(
                Admission.objects.create(
                    lot=lot,
                    provider=org,
                    quality_score=quality,
                    social_value_score=Decimal(8),
                    innovation_score=Decimal(6),
                    admitted_at=timezone.now(),
                )
            )
            users.append(user_with_role(Role.PROVIDER_USER, organisation=org,
                                        username=f"provider-{i}"))  # fmt: skip
        ras = RasTable.objects.create(
            key="test-ras",
            name="Test RAS",
            effective_from=date(2025, 4, 1),
            pound_per_point=Money("25.00"),
            minimum_weekly=Money("100.00"),
            maximum_weekly=Money("2000.00"),
            published_at=timezone.now(),
        )
        for order, (code, answers) in enumerate(RAS_QUESTIONS.items()):
            question = RasQuestion.objects.create(table=ras, code=code, text=code, order=order)
            for answer, label, points in answers:
                RasAnswer.objects.create(question=question, code=answer, label=label,
                                         points=points)  # fmt: skip
        scheme = SchemeOfDelegation.objects.create(
            name="Test scheme", version=1, effective_from=date(2020, 4, 1)
        )
        DelegationLimit.objects.create(scheme=scheme, role=Role.SENIOR_MANAGER,
                                       weekly_limit=Money("1500.00"),
                                       annual_limit=Money("80000.00"))  # fmt: skip
        person = Person.objects.create(given_name="Alex", family_name="Example",
                                       is_synthetic=True)  # fmt: skip
    return Market(council, system, model, lot, locality, orgs, admissions, users, ras, scheme,
                  person)  # fmt: skip


def request_package(market: Market, officer, hours=Decimal("20"), **extra):
    return packages.create_request(
        by=officer,
        person=market.person,
        lot=market.lot,
        locality=market.locality,
        support_needed="Support to cook, shop and keep a tenancy; a sleep-in at night.",
        hours_per_week=hours,
        start_date=date.today() + timedelta(days=14),
        ras_table=market.ras,
        answers=ANSWERS,
        **extra,
    )


def open_package(market: Market, officer, **extra):
    package = request_package(market, officer, **extra)
    packages.open_request(by=officer, package=package, deadline=timezone.now() + timedelta(days=3))
    package.refresh_from_db()
    return package


def respond(market: Market, package, index: int, price: str, start=None):
    return packages.submit_response(
        by=market.provider_users[index],
        package=package,
        weekly_price=Money(price),
        start_date=start or package.start_date,
        proposal="Two named support workers, matched by interests.",
    )


def evaluated_package(market: Market, officer):
    """A request every provider answered (£600, £480, £590 a week), evaluated."""
    package = open_package(market, officer)
    for i, price in enumerate(["600.00", "480.00", "590.00"]):
        respond(market, package, i, price)
    packages.evaluate(by=officer, package=package)
    package.refresh_from_db()
    return package


def two_competing_packages(market: Market, officer):
    """Provider A (best quality) has room for one 20-hour package only: the better plan
    gives A the package where B's offer is weak and B the other."""
    market.admissions[0].capacity_hours_per_week = Decimal("20")
    market.admissions[0].save()
    first, second = open_package(market, officer), open_package(market, officer)
    for package, prices in [(first, ["500.00", "400.00", "590.00"]),
                            (second, ["500.00", "590.00", "590.00"])]:  # fmt: skip
        for i, price in enumerate(prices):
            respond(market, package, i, price)
        packages.evaluate(by=officer, package=package)
    return first, second
