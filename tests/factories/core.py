import factory

from placebook.core.models import (
    Area,
    AreaType,
    ComparatorGroup,
    ComparatorGroupStatus,
    Organisation,
    OrganisationKind,
    Person,
    Role,
    RoleAssignment,
    User,
)
from placebook.core.money import Money


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("key",)

    key = factory.Sequence(lambda n: f"organisation-{n}")
    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = OrganisationKind.OTHER


class CareProviderFactory(OrganisationFactory):
    kind = OrganisationKind.CARE_PROVIDER
    name = factory.Sequence(lambda n: f"Care Provider {n} Ltd")
    is_synthetic = True


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"E05{n:06d}")
    name = factory.Sequence(lambda n: f"Ward {n}")
    type = AreaType.WARD


class ComparatorGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ComparatorGroup

    slug = factory.Sequence(lambda n: f"group-{n}")
    name = factory.Sequence(lambda n: f"Group {n}")
    version = "2024"


class ComparatorGroupPublishedFactory(ComparatorGroupFactory):
    status = ComparatorGroupStatus.PUBLISHED


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User{n}")
    password = factory.django.Password("correct horse battery staple")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    given_name = "Alex"
    family_name = factory.Sequence(lambda n: f"Resident{n}")
    nhs_number = "9434765919"
    postcode = "L20 3NJ"
    is_synthetic = True


def user_with_role(role: Role, **kwargs) -> User:
    if role == Role.PROVIDER_USER and "organisation" not in kwargs:
        kwargs["organisation"] = CareProviderFactory()
    if role == Role.SENIOR_MANAGER:
        kwargs.setdefault("financial_authority_limit", Money("250000.00"))
    user = UserFactory(**kwargs)
    RoleAssignment.objects.get_or_create(user=user, role=role)
    return user
