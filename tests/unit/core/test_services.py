from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from placebook.core import services
from placebook.core.models import (
    Area,
    AuditEvent,
    ComparatorGroup,
    Organisation,
    Period,
    Role,
)
from placebook.core.money import Money
from placebook.core.periods import PeriodParseError
from placebook.core.permissions import PermissionDenied
from tests.factories.core import (
    AreaFactory,
    CareProviderFactory,
    ComparatorGroupFactory,
    OrganisationFactory,
    PersonFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_save_organisation_by_officer_is_audited(officer):
    org = services.save_organisation(by=officer, key="sefton-cvs", name="Sefton CVS", kind="vcf")
    assert AuditEvent.objects.for_object(org).get().actor == officer


def test_save_organisation_by_councillor_is_refused(councillor):
    with pytest.raises(PermissionDenied):
        services.save_organisation(by=councillor, key="x", name="X", kind="vcf")
    assert not Organisation.objects.exists()


def test_save_organisation_with_bad_ods_code_names_the_value(officer):
    with pytest.raises(ValidationError) as exc:
        services.save_organisation(by=officer, key="t", name="T", kind="nhs_trust", ods_code="r-bn")
    assert "'r-bn' is not a valid ODS code" in str(exc.value.message_dict["ods_code"])


def test_save_area_with_unknown_parent_writes_nothing(officer):
    events_before = AuditEvent.objects.count()
    with pytest.raises(services.UnknownCode, match="E08999999"):
        services.save_area(
            by=officer, code="E05000930", name="Ainsdale", type="ward",
            parents=[("E08999999", "administrative")],
        )  # fmt: skip
    assert not Area.objects.filter(code="E05000930").exists()
    assert AuditEvent.objects.count() == events_before


def test_save_area_links_parents_in_hierarchies(officer):
    sefton = AreaFactory(code="E08000014", name="Sefton", type="local_authority")
    north = AreaFactory(code="SEFTON-LOC-NORTH", name="North Sefton", type="council_locality")
    ward = services.save_area(
        by=officer, code="E05000930", name="Ainsdale", type="ward",
        parents=[("E08000014", "administrative"), ("SEFTON-LOC-NORTH", "council_locality")],
    )  # fmt: skip
    assert {(link.parent, link.hierarchy) for link in ward.parent_links.all()} == {
        (sefton, "administrative"),
        (north, "council_locality"),
    }


def test_areas_by_code_lists_every_unknown_code():
    AreaFactory(code="E08000014")
    with pytest.raises(services.UnknownCode) as exc:
        services.areas_by_code(["E08000014", "E0X", "E0Y"])
    assert "'E0X', 'E0Y'" in str(exc.value)


def test_publish_comparator_group_then_it_cannot_change(commissioner):
    group = ComparatorGroupFactory()
    group.members.add(AreaFactory())
    services.publish_comparator_group(by=commissioner, group=group)
    group.refresh_from_db()
    assert group.is_published
    with pytest.raises(ValidationError, match="publish a new version"):
        services.save_comparator_group(by=commissioner, group=group, name="Changed")


def test_publish_empty_comparator_group_is_refused(commissioner):
    group = ComparatorGroupFactory()
    with pytest.raises(ValidationError, match="no members"):
        services.publish_comparator_group(by=commissioner, group=group)


def test_publish_comparator_group_by_officer_is_refused(officer):
    group = ComparatorGroupFactory()
    group.members.add(AreaFactory())
    with pytest.raises(PermissionDenied):
        services.publish_comparator_group(by=officer, group=group)
    assert not ComparatorGroup.objects.get(pk=group.pk).is_published


def test_save_comparator_group_with_unknown_member_writes_nothing(officer):
    with pytest.raises(services.UnknownCode):
        services.save_comparator_group(
            by=officer, slug="lcr", name="LCR", version="2024", member_codes=["E08000099"]
        )
    assert not ComparatorGroup.objects.exists()


def test_get_or_create_period_shares_rows_for_equal_periods():
    first = services.get_or_create_period("2021/22")
    again = services.get_or_create_period(" 2021/22 ")
    assert first == again
    assert (first.start.isoformat(), first.end.isoformat()) == ("2021-04-01", "2022-03-31")
    assert Period.objects.count() == 1


@pytest.mark.parametrize("text", ["Jan 22-Dec22", "year to December 2022", "Jan-Dec 22"])
def test_get_or_create_period_stores_a_january_to_december_span_as_the_calendar_year(text):
    assert services.get_or_create_period(text) == services.get_or_create_period("2022")
    assert Period.objects.get().label == "2022"


@pytest.mark.parametrize("text", ["Apr 2022 - Mar 2023", "2022/23 Q1-4"])
def test_get_or_create_period_stores_an_april_to_march_span_as_the_financial_year(text):
    assert services.get_or_create_period(text) == services.get_or_create_period("2022/23")


def test_get_or_create_period_keeps_other_rolling_years():
    period = services.get_or_create_period("12 months to Sep 2023")
    assert period.type == "rolling_12_months"


def test_get_or_create_period_rejects_unparseable_text_quoting_it():
    with pytest.raises(PeriodParseError, match="'2021-22-23'"):
        services.get_or_create_period("2021-22-23")
    assert not Period.objects.exists()


def test_grant_provider_role_needs_a_care_provider(manager):
    user = UserFactory(organisation=OrganisationFactory(kind="vcf"))
    with pytest.raises(ValidationError, match="care provider"):
        services.grant_role(by=manager, user=user, role=Role.PROVIDER_USER)
    user.organisation = CareProviderFactory()
    services.grant_role(by=manager, user=user, role=Role.PROVIDER_USER)
    assert UserFactory._meta.model.objects.get(pk=user.pk).has_role(Role.PROVIDER_USER)


def test_grant_senior_manager_role_needs_a_limit(manager):
    user = UserFactory()
    with pytest.raises(ValidationError, match="financial authority limit"):
        services.grant_role(by=manager, user=user, role=Role.SENIOR_MANAGER)
    services.grant_role(
        by=manager, user=user, role=Role.SENIOR_MANAGER, financial_authority_limit=Decimal("50000")
    )
    user.refresh_from_db()
    assert user.financial_authority_limit == Money("50000.00")


def test_grant_role_by_officer_is_refused(officer):
    with pytest.raises(PermissionDenied):
        services.grant_role(by=officer, user=UserFactory(), role=Role.COUNCILLOR)


def test_grant_role_is_audited(manager):
    user = UserFactory()
    assignment = services.grant_role(by=manager, user=user, role=Role.COUNCILLOR)
    assert AuditEvent.objects.for_object(assignment).get().actor == manager


def test_scrub_person_blanks_personal_fields_and_keeps_reference(manager):
    person = PersonFactory()
    reference = person.reference
    services.scrub_person(by=manager, person=person)
    person.refresh_from_db()
    assert (person.given_name, person.family_name, person.nhs_number, person.postcode) == (
        "",
        "",
        "",
        "",
    )
    assert person.date_of_birth is None
    assert person.reference == reference
    assert person.scrubbed_at is not None


def test_scrub_person_by_link_worker_is_refused(link_worker):
    person = PersonFactory()
    with pytest.raises(PermissionDenied):
        services.scrub_person(by=link_worker, person=person)
    person.refresh_from_db()
    assert person.given_name == "Alex"
