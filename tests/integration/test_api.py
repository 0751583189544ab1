import pytest
from rest_framework.authtoken.models import Token

from placebook.core.audit import acting_as
from placebook.core.models import Area, AuditEvent, ComparatorGroup, Organisation
from tests.factories.core import AreaFactory, ComparatorGroupFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sefton():
    sefton = AreaFactory(code="E08000014", name="Sefton", type="local_authority")
    for code, name in [("E05000930", "Ainsdale"), ("E05000931", "Birkdale")]:
        AreaFactory(code=code, name=name).parent_links.create(
            parent=sefton, hierarchy="administrative"
        )
    AreaFactory(code="E05000001", name="Elsewhere ward")
    return sefton


def test_schema_is_openapi_3(api):
    response = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    for path in ["/api/organisations/", "/api/areas/", "/api/comparator-groups/", "/api/periods/"]:
        assert path in schema["paths"]


def test_docs_page_renders_locally(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    assert "cdn" not in response.content.decode().lower()


def test_areas_filter_by_type_and_parent(api, sefton):
    response = api.get("/api/areas/", {"type": "ward", "parent": "E08000014"})
    assert response.status_code == 200
    codes = [a["code"] for a in response.json()["results"]]
    assert codes == ["E05000930", "E05000931"]


def test_area_detail_lists_parents(api, sefton):
    body = api.get("/api/areas/E05000930/").json()
    assert body["parent_links"] == [
        {"code": "E08000014", "name": "Sefton", "hierarchy": "administrative"}
    ]


def test_organisations_read_is_public(api):
    OrganisationFactory(key="sefton-cvs", charity_number="1084357")
    body = api.get("/api/organisations/sefton-cvs/").json()
    assert body["identifiers"] == [{"scheme": "GB-CHC", "id": "1084357"}]


def test_public_cannot_write(api):
    response = api.post(
        "/api/organisations/", {"key": "x", "name": "X", "kind": "vcf"}, format="json"
    )
    assert response.status_code in (401, 403)
    assert response.json()["message"]
    assert not Organisation.objects.exists()


def test_councillor_cannot_write(api, councillor):
    api.force_authenticate(councillor)
    response = api.post(
        "/api/organisations/", {"key": "x", "name": "X", "kind": "vcf"}, format="json"
    )
    assert response.status_code == 403


def test_officer_creates_organisation_with_token(api, officer):
    token = Token.objects.create(user=officer)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = api.post(
        "/api/organisations/",
        {"key": "healthwatch-sefton", "name": "Healthwatch Sefton", "kind": "vcf"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    org = Organisation.objects.get(key="healthwatch-sefton")
    assert AuditEvent.objects.for_object(org).get().actor == officer


def test_write_error_names_the_field(api, officer):
    api.force_authenticate(officer)
    response = api.post(
        "/api/organisations/",
        {"key": "t", "name": "T", "kind": "nhs_trust", "ods_code": "r-bn"},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["message"].startswith("ods_code: ")
    assert "'r-bn' is not a valid ODS code" in body["message"]
    assert "ods_code" in body["errors"]


def test_unknown_choice_error_names_the_field(api, officer):
    api.force_authenticate(officer)
    response = api.post("/api/areas/", {"code": "X1", "name": "X", "type": "galaxy"}, format="json")
    assert response.status_code == 400
    assert response.json()["message"].startswith("type: ")


def test_area_create_with_unknown_parent_names_the_code(api, officer, sefton):
    api.force_authenticate(officer)
    response = api.post(
        "/api/areas/",
        {
            "code": "E05099999",
            "name": "New",
            "type": "ward",
            "parents": [{"code": "E08999999", "hierarchy": "administrative"}],
        },
        format="json",
    )
    assert response.status_code == 400
    assert "E08999999" in response.json()["message"]
    assert not Area.objects.filter(code="E05099999").exists()


def test_comparator_groups_public_sees_published_only(api):
    ComparatorGroupFactory(name="Draft group")
    names = [g["name"] for g in api.get("/api/comparator-groups/").json()["results"]]
    assert names == []


def test_comparator_group_create_and_publish(api, commissioner, sefton):
    api.force_authenticate(commissioner)
    created = api.post(
        "/api/comparator-groups/",
        {"slug": "test", "name": "Test", "version": "2024", "members": ["E05000930", "E05000931"]},
        format="json",
    )
    assert created.status_code == 201, created.json()
    group_id = created.json()["id"]
    published = api.post(f"/api/comparator-groups/{group_id}/publish/")
    assert published.status_code == 200
    assert ComparatorGroup.objects.get(pk=group_id).is_published


def test_comparator_group_publish_by_officer_is_forbidden(api, officer):
    group = ComparatorGroupFactory()
    api.force_authenticate(officer)
    assert api.post(f"/api/comparator-groups/{group.pk}/publish/").status_code == 403


def test_period_parse_and_create(api, officer):
    parsed = api.get("/api/periods/parse/", {"text": "2013/14 Q1"}).json()
    assert (parsed["start"], parsed["end"]) == ("2013-04-01", "2013-06-30")
    api.force_authenticate(officer)
    created = api.post("/api/periods/", {"text": "Jan-Dec 22"}, format="json")
    assert created.status_code == 201
    assert (created.json()["start"], created.json()["end"]) == ("2022-01-01", "2022-12-31")


def test_period_parse_error_quotes_the_text(api):
    response = api.get("/api/periods/parse/", {"text": "2021/23"})
    assert response.status_code == 400
    assert "'2021/23'" in response.json()["message"]
    assert response.json()["message"].startswith("text: ")


def test_audit_events_readable_by_manager_only(api, manager, officer):
    with acting_as(officer):
        OrganisationFactory()
    api.force_authenticate(officer)
    assert api.get("/api/audit-events/").status_code == 403
    api.force_authenticate(manager)
    response = api.get("/api/audit-events/")
    assert response.status_code == 200
    assert response.json()["results"][0]["actor_label"] == "officer"


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_audit_events_cannot_be_changed_through_api(api, manager, method):
    event = AuditEvent.objects.for_object(OrganisationFactory()).get()
    api.force_authenticate(manager)
    url = "/api/audit-events/" if method == "post" else f"/api/audit-events/{event.pk}/"
    response = getattr(api, method)(url, {"actor_label": "x"}, format="json")
    assert response.status_code == 405
    event.refresh_from_db()
    assert event.actor_label == "system"
