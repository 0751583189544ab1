"""One request per page through Django's test client: who may see it, and what it shows."""

from datetime import date

import pytest
from django.urls import reverse

from placebook.core.audit import acting_as
from placebook.core.models import AuditEvent, Organisation
from tests.factories.core import (
    AreaFactory,
    ComparatorGroupFactory,
    ComparatorGroupPublishedFactory,
    OrganisationFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def sefton():
    sefton = AreaFactory(code="E08000014", name="Sefton", type="local_authority")
    ward = AreaFactory(code="E05000930", name="Ainsdale")
    ward.parent_links.create(parent=sefton, hierarchy="administrative")
    return sefton


def test_home_shows_every_subsystem_and_reference_counts(client, sefton):
    response = client.get("/")
    body = response.content.decode()
    assert response.status_code == 200
    for label in ["Indicators", "Market", "Purchasing", "Contracts", "Community", "Scrutiny"]:
        assert f">{label}</a>" in body
    assert 'href="/reference/areas/">Areas</a>: 2' in body


def test_page_has_skip_link_and_no_cdn_assets(client):
    body = client.get("/").content.decode()
    assert 'href="#main-content"' in body
    assert 'id="main-content"' in body
    assert "http://" not in body.split("<body")[0]
    assert "https://" not in body.split("<body")[0]


def test_stylesheet_is_served_locally(client):
    response = client.get("/static/placebook/placebook.css")
    assert response.status_code == 200
    css = b"".join(response.streaming_content)
    response.close()
    assert b"font-family:arial" in css  # GDS Transport is for GOV.UK services only


@pytest.mark.parametrize(
    "slug", ["indicators", "market", "purchasing", "contracts", "community", "scrutiny"]
)
def test_subsystem_page_renders(client, slug):
    assert client.get(reverse("web:subsystem", args=[slug])).status_code == 200


def test_unknown_page_is_404_with_govuk_page(client):
    response = client.get("/no-such-subsystem/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_sign_in_and_out(client, officer):
    response = client.post(
        reverse("web:sign-in"), {"username": "officer", "password": "correct horse battery staple"}
    )
    assert response.status_code == 302
    assert "Sign out" in client.get("/").content.decode()
    client.post(reverse("web:sign-out"))
    assert "Sign in" in client.get("/").content.decode()


def test_sign_in_with_wrong_password_shows_error_summary(client, officer):
    response = client.post(reverse("web:sign-in"), {"username": "officer", "password": "wrong"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    assert "Enter a correct username and password." in body


def test_area_list_filters_by_type_and_parent(client, sefton):
    AreaFactory(code="E08000012", name="Liverpool", type="local_authority")
    body = client.get(
        reverse("web:area-list"), {"type": "ward", "parent": "E08000014"}
    ).content.decode()
    assert "Ainsdale" in body
    assert "Liverpool" not in body


def test_area_detail_shows_hierarchy(client, sefton):
    body = client.get(reverse("web:area-detail", args=["E08000014"])).content.decode()
    assert "Administrative (ONS)" in body
    assert "Contains 1:" in body
    assert "Ainsdale" in body


def test_area_detail_separates_former_areas(client, sefton):
    old = AreaFactory(code="E05000001", name="Abolished ward", valid_to=date(2020, 5, 1))
    old.parent_links.create(parent=sefton, hierarchy="administrative")
    body = client.get(reverse("web:area-detail", args=["E08000014"])).content.decode()
    assert "Contains 1:" in body
    assert "1 former area" in body
    assert "until 1 May 2020" in body


def test_organisation_pages(client):
    org = OrganisationFactory(key="sefton-cvs", name="Sefton CVS", charity_number="1084357")
    assert (
        "Sefton CVS"
        in client.get(reverse("web:organisation-list"), {"q": "1084357"}).content.decode()
    )
    body = client.get(org.get_absolute_url()).content.decode()
    assert "1084357" in body


def test_organisation_query_count_does_not_grow_with_rows(client, django_assert_max_num_queries):
    for _ in range(30):
        OrganisationFactory(area=AreaFactory())
    with django_assert_max_num_queries(4):
        client.get(reverse("web:organisation-list"))


def test_organisation_add_by_officer_is_audited(client, officer):
    client.force_login(officer)
    response = client.post(
        reverse("web:organisation-create"),
        {"name": "Light for Life", "key": "light-for-life", "kind": "vcf"},
    )
    assert response.status_code == 302
    org = Organisation.objects.get(key="light-for-life")
    assert AuditEvent.objects.for_object(org).get().actor == officer


def test_organisation_add_with_bad_charity_number_shows_field_error(client, officer):
    client.force_login(officer)
    response = client.post(
        reverse("web:organisation-create"),
        {"name": "X", "key": "x", "kind": "vcf", "charity_number": "12AB"},
    )
    body = response.content.decode()
    assert "&#x27;12AB&#x27; is not a valid charity number" in body
    assert 'href="#id_charity_number"' in body
    assert not Organisation.objects.exists()


def test_organisation_add_by_councillor_is_forbidden(client, councillor):
    client.force_login(councillor)
    response = client.get(reverse("web:organisation-create"))
    assert response.status_code == 403
    assert "You do not have permission" in response.content.decode()


def test_organisation_add_by_public_goes_to_sign_in(client):
    response = client.get(reverse("web:organisation-create"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:sign-in"))


def test_comparator_group_draft_hidden_from_public(client):
    draft = ComparatorGroupFactory()
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_comparator_group_publish_by_commissioner(client, commissioner):
    group = ComparatorGroupFactory()
    group.members.add(AreaFactory())
    client.force_login(commissioner)
    assert "Publish this version" in client.get(group.get_absolute_url()).content.decode()
    client.post(reverse("web:comparator-group-publish", args=[group.slug, group.version]))
    group.refresh_from_db()
    assert group.is_published


def test_comparator_group_with_financial_year_version_links_from_area(client, sefton):
    group = ComparatorGroupPublishedFactory(name="North West", version="2021/22")
    group.members.add(sefton)
    body = client.get(reverse("web:area-detail", args=["E08000014"])).content.decode()
    assert group.get_absolute_url() in body
    assert "North West" in client.get(group.get_absolute_url()).content.decode()


def test_comparator_group_list_shows_published(client):
    ComparatorGroupPublishedFactory(name="Liverpool City Region")
    assert (
        "Liverpool City Region" in client.get(reverse("web:comparator-group-list")).content.decode()
    )


def test_period_check_reads_printed_period(client):
    body = client.get(reverse("web:period-list"), {"text": "Nov10-Oct11"}).content.decode()
    assert "1 November 2010" in body
    assert "31 October 2011" in body


def test_period_check_quotes_bad_period(client):
    body = client.get(reverse("web:period-list"), {"text": "2021-22-23"}).content.decode()
    assert "There is a problem" in body
    assert "2021-22-23" in body


def test_source_list_renders(client):
    assert client.get(reverse("web:source-list")).status_code == 200


def test_audit_trail_for_manager(client, manager, officer):
    with acting_as(officer):
        OrganisationFactory(name="Audited Org")
    client.force_login(manager)
    body = client.get(reverse("web:audit-list")).content.decode()
    assert "Audited Org" in body
    assert "officer" in body


def test_reference_page_links_audit_trail_for_managers_only(client, manager, officer):
    client.force_login(officer)
    assert "Audit trail" not in client.get(reverse("web:reference")).content.decode()
    client.force_login(manager)
    assert "Audit trail" in client.get(reverse("web:reference")).content.decode()


def test_audit_trail_forbidden_to_officer(client, officer):
    client.force_login(officer)
    assert client.get(reverse("web:audit-list")).status_code == 403


def test_account_shows_roles_and_makes_token(client, officer):
    client.force_login(officer)
    assert "Council officer" in client.get(reverse("web:account")).content.decode()
    client.post(reverse("web:account-token"))
    assert 'id="api-token"' in client.get(reverse("web:account")).content.decode()


def test_healthz_reports_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"]["status"] == "ok"


def test_server_error_page_is_govuk_and_reassures(rf):
    from django.views.defaults import server_error

    response = server_error(rf.get("/"))
    body = response.content.decode()
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in body
    assert 'href="#main-content"' in body
