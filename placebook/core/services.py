"""Writes to the shared model. Every function takes the acting user as ``by``, checks
permission, runs in one transaction and leaves an audit record (via ``acting_as``)."""

from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from placebook.core.audit import acting_as
from placebook.core.models import (
    Area,
    AreaLink,
    ComparatorGroup,
    ComparatorGroupStatus,
    Organisation,
    Period,
    Person,
    Role,
    RoleAssignment,
    User,
)
from placebook.core.periods import Period as ParsedPeriod
from placebook.core.periods import PeriodType, financial_year_of, parse_period
from placebook.core.permissions import Permission, require


class UnknownCode(ValidationError):
    """A code that names no area or organisation we hold."""


def area_by_code(code: str) -> Area:
    try:
        return Area.objects.get(code=code)
    except Area.DoesNotExist:
        raise UnknownCode(f"Unknown area code '{code}'.", code="unknown_code") from None


def areas_by_code(codes: Iterable[str]) -> list[Area]:
    codes = list(codes)
    found = {a.code: a for a in Area.objects.filter(code__in=codes)}
    missing = [c for c in codes if c not in found]
    if missing:
        listed = ", ".join(f"'{c}'" for c in missing)
        raise UnknownCode(f"Unknown area code(s) {listed}.", code="unknown_code")
    return [found[c] for c in codes]


def _canonical(parsed: ParsedPeriod) -> ParsedPeriod:
    """One stored period per span of twelve months: "Jan 22-Dec22", "year to December 2022"
    and "2022" are the same year, and a time series must not split it in two. A January to
    December year is a calendar year and an April to March year a financial year."""
    if parsed.type not in {
        PeriodType.MONTH_RANGE,
        PeriodType.QUARTER_RANGE,
        PeriodType.ROLLING_12_MONTHS,
    }:
        return parsed
    if parsed.months != 12:
        return parsed
    if (parsed.start.month, parsed.end.month) == (1, 12):
        return parse_period(str(parsed.start.year))
    if (parsed.start.month, parsed.end.month) == (4, 3):
        return financial_year_of(parsed.start)
    return parsed


def get_or_create_period(text: str) -> Period:
    """The stored period for a printed period string; raises PeriodParseError quoting it."""
    parsed = _canonical(parse_period(text))
    period, _ = Period.objects.get_or_create(
        type=parsed.type.value,
        start=parsed.start,
        end=parsed.end,
        defaults={"label": parsed.label},
    )
    return period


def _save_validated(instance, **values):
    for name, value in values.items():
        setattr(instance, name, value)
    instance.full_clean()
    instance.save()
    return instance


@transaction.atomic
def save_organisation(*, by, organisation: Organisation | None = None, **values) -> Organisation:
    require(by, Permission.REFERENCE_DATA_EDIT)
    with acting_as(by):
        return _save_validated(organisation or Organisation(), **values)


@transaction.atomic
def save_area(
    *, by, area: Area | None = None, parents: list[tuple[str, str]] | None = None, **values
) -> Area:
    """Create or change an area; ``parents`` is a list of (parent code, hierarchy)."""
    require(by, Permission.REFERENCE_DATA_EDIT)
    with acting_as(by):
        area = _save_validated(area or Area(), **values)
        if parents is not None:
            area.parent_links.all().delete()
            for code, hierarchy in parents:
                AreaLink.objects.create(child=area, parent=area_by_code(code), hierarchy=hierarchy)
        return area


@transaction.atomic
def save_comparator_group(
    *, by, group: ComparatorGroup | None = None, member_codes: list[str] | None = None, **values
) -> ComparatorGroup:
    require(by, Permission.REFERENCE_DATA_EDIT)
    group = group or ComparatorGroup()
    if group.pk and group.is_published:
        raise ValidationError(
            f"{group} is published; publish a new version instead of changing it, so "
            "rankings made against it stay reproducible."
        )
    with acting_as(by):
        group = _save_validated(group, **values)
        if member_codes is not None:
            group.members.set(areas_by_code(member_codes))
        return group


@transaction.atomic
def publish_comparator_group(*, by, group: ComparatorGroup) -> ComparatorGroup:
    require(by, Permission.COMPARATOR_GROUP_PUBLISH)
    group = ComparatorGroup.objects.select_for_update().get(pk=group.pk)
    if group.is_published:
        raise ValidationError(f"{group} is already published.")
    if not group.members.exists():
        raise ValidationError(f"{group} has no members; add areas before publishing.")
    with acting_as(by):
        group.status = ComparatorGroupStatus.PUBLISHED
        group.save()
    return group


@transaction.atomic
def grant_role(
    *, by, user: User, role: Role, financial_authority_limit: Decimal | None = None
) -> RoleAssignment:
    """Give a user a role, enforcing what the role needs (a provider, a limit)."""
    require(by, Permission.USER_MANAGE)
    if role == Role.PROVIDER_USER and (
        user.organisation is None or user.organisation.kind != "care_provider"
    ):
        raise ValidationError(
            f"{user.username} must belong to a care provider organisation to be a provider user."
        )
    if role == Role.SENIOR_MANAGER:
        if financial_authority_limit is None or financial_authority_limit < 0:
            raise ValidationError(
                "A senior manager needs a delegated financial authority limit in pounds."
            )
        user.financial_authority_limit = financial_authority_limit
        user.save(update_fields=["financial_authority_limit"])
    with acting_as(by):
        assignment, _ = RoleAssignment.objects.get_or_create(user=user, role=role)
    if hasattr(user, "_role_set"):
        del user._role_set
    return assignment


@transaction.atomic
def scrub_person(*, by, person: Person) -> Person:
    """Erase a resident's identifying details; the anonymised reference remains."""
    require(by, Permission.PERSON_SCRUB)
    with acting_as(by):
        person.scrub_personal_data()
    return person
