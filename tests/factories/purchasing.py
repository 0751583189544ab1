"""Purchasing systems, their lots and evaluation models, admissions, package requests,
responses and awards. Money is always ``Money``; the person on a package is synthetic."""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from placebook.core.models import OrganisationKind
from placebook.core.money import Money
from placebook.purchasing.models import (
    Admission,
    Award,
    AwardStatus,
    EvaluationModel,
    Invitation,
    Lot,
    PackageRequest,
    PackageStatus,
    PurchasingSystem,
    Regime,
    Response,
    ServiceCategory,
    SystemKind,
    SystemStatus,
)
from tests.factories.core import (
    CareProviderFactory,
    OrganisationFactory,
    PersonFactory,
    UserFactory,
)


class AwardUserFactory(UserFactory):
    """A broker or approver named on an award. It never signs in, so it gets Django's mark
    for an unusable password instead of a hash, which is slow by design (about a second)."""

    password = "!"


class CouncilFactory(OrganisationFactory):
    kind = OrganisationKind.LOCAL_AUTHORITY
    name = factory.Sequence(lambda n: f"Council {n}")


class PurchasingSystemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PurchasingSystem
        django_get_or_create = ("key",)

    key = factory.Sequence(lambda n: f"system-{n}")
    name = factory.Sequence(lambda n: f"Supported Living Dynamic Market {n}")
    kind = SystemKind.DYNAMIC_MARKET
    regime = Regime.PROCUREMENT_ACT_2023
    owner = factory.SubFactory(CouncilFactory)
    start = datetime.date(2025, 4, 1)
    end = datetime.date(2030, 3, 31)
    status = SystemStatus.OPEN
    extension_months = [12, 12]
    is_synthetic = True


class LotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lot

    system = factory.SubFactory(PurchasingSystemFactory)
    number = factory.Sequence(lambda n: n + 1)
    name = "Supported living"
    category = ServiceCategory.SUPPORTED_LIVING


class EvaluationModelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EvaluationModel

    system = factory.SubFactory(PurchasingSystemFactory)
    version = 1
    quality_weight = Decimal(50)
    social_value_weight = Decimal(10)
    innovation_weight = Decimal(10)
    price_weight = Decimal(30)


class EvaluationModelPublishedFactory(EvaluationModelFactory):
    published_at = factory.LazyFunction(timezone.now)


class AdmissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Admission

    lot = factory.SubFactory(LotFactory)
    provider = factory.SubFactory(CareProviderFactory)
    quality_score = Decimal(40)
    social_value_score = Decimal(8)
    innovation_score = Decimal(6)
    admitted_at = factory.LazyFunction(timezone.now)


class PackageRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PackageRequest

    person = factory.SubFactory(PersonFactory)
    lot = factory.SubFactory(LotFactory)
    support_needed = "Support to cook, shop and keep a tenancy."
    hours_per_week = Decimal("20.5")
    start_date = datetime.date(2025, 6, 2)
    indicative_weekly_budget = Money("600.00")
    is_synthetic = True


class PackageRequestOpenFactory(PackageRequestFactory):
    status = PackageStatus.OPEN
    response_deadline = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=7))


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    package = factory.SubFactory(PackageRequestOpenFactory)
    provider = factory.SubFactory(CareProviderFactory)
    sent_at = factory.LazyFunction(timezone.now)


class ResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Response

    package = factory.SubFactory(PackageRequestOpenFactory)
    provider = factory.SubFactory(CareProviderFactory)
    weekly_price = Money("580.00")
    start_date = factory.SelfAttribute("package.start_date")
    proposal = "A small team who already work in the area."
    submitted_at = factory.LazyFunction(timezone.now)


class AwardFactory(factory.django.DjangoModelFactory):
    """Proposed and awaiting approval; the package is the response's."""

    class Meta:
        model = Award

    response = factory.SubFactory(ResponseFactory)
    package = factory.SelfAttribute("response.package")
    weekly_value = factory.SelfAttribute("response.weekly_price")
    annual_value = factory.LazyAttribute(lambda o: (o.weekly_value * 52).rounded())
    reasons = "Highest total score of the compliant responses."
    proposed_by = factory.SubFactory(AwardUserFactory)


class AwardApprovedFactory(AwardFactory):
    status = AwardStatus.APPROVED
    approver = factory.SubFactory(AwardUserFactory)
    decided_at = factory.LazyFunction(timezone.now)


class AwardRejectedFactory(AwardApprovedFactory):
    status = AwardStatus.REJECTED
    decision_note = "Over budget without a reason."


# Applications to join a purchasing system (tests/unit/purchasing/test_applications.py).
# Models are named as "app.Model" and choices by value, so this block needs no imports of
# its own and can sit at the end of a file others also edit.


class EvaluationSystemFactory(factory.django.DjangoModelFactory):
    """A draft purchasing system, as seed 003 describes: open five years, call-offs of three."""

    class Meta:
        model = "purchasing.PurchasingSystem"
        django_get_or_create = ("key",)

    key = factory.Sequence(lambda n: f"supported-living-{n}")
    name = factory.Sequence(lambda n: f"Supported Living Purchasing System {n}")
    kind = "fps"
    regime = "pcr2015"
    owner = factory.SubFactory(
        "tests.factories.core.OrganisationFactory",
        key="sefton-council",
        name="Sefton Council",
        kind="local_authority",
    )
    start = datetime.date(2022, 4, 1)
    end = datetime.date(2027, 3, 31)
    extension_months = factory.LazyFunction(lambda: [12, 12])


class EvaluationLotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "purchasing.Lot"

    system = factory.SubFactory(EvaluationSystemFactory)
    number = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"Supported living {n}")
    category = "supported_living"


class DraftEvaluationModelFactory(factory.django.DjangoModelFactory):
    """Weighted around quality, with social value and innovation (seed 003)."""

    class Meta:
        model = "purchasing.EvaluationModel"

    system = factory.SubFactory(EvaluationSystemFactory)
    version = 1
    quality_weight = Decimal("60")
    social_value_weight = Decimal("20")
    innovation_weight = Decimal("10")
    price_weight = Decimal("10")
    pass_mark = Decimal("50")
    moderation_gap = 1


class EvaluationCriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "purchasing.Criterion"

    model = factory.SubFactory(DraftEvaluationModelFactory)
    code = factory.Sequence(lambda n: f"Q{n}")
    heading = "quality"
    question = factory.Sequence(lambda n: f"How will you meet outcome {n}?")
    weight = Decimal("100")
    max_score = 5


class EvaluationGateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "purchasing.Gate"
        django_get_or_create = ("model", "kind")

    model = factory.SubFactory(DraftEvaluationModelFactory)
    kind = "cqc_registered"


class ProviderCqcRatingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "purchasing.CqcRating"

    provider = factory.SubFactory("tests.factories.core.CareProviderFactory")
    rating = "good"
    rated_on = datetime.date(2024, 6, 1)


class ApplicationAdmissionFactory(factory.django.DjangoModelFactory):
    """A provider admitted to a lot without an application (loaded from an earlier system)."""

    class Meta:
        model = "purchasing.Admission"

    lot = factory.SubFactory(EvaluationLotFactory)
    provider = factory.SubFactory("tests.factories.core.CareProviderFactory")
    quality_score = Decimal("40")
    admitted_at = factory.LazyFunction(timezone.now)
