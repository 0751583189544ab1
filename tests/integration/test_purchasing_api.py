from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token

from placebook.contracts.models import Contract
from placebook.core.models import Role
from placebook.core.money import Money
from placebook.purchasing.models import (
    ApplicationStatus,
    AwardStatus,
    Criterion,
    Gate,
    GateKind,
    PackageRequest,
    Response,
)
from tests.factories.core import CareProviderFactory, user_with_role
from tests.factories.market import build_market
from tests.factories.purchasing import PurchasingSystemFactory

pytestmark = pytest.mark.django_db

ANSWERS = {"personal-care": "some", "daily-living": "most", "night": "sleep-in"}
PERSON_NAMES = ("Alex", "Example")


@pytest.fixture
def market():
    return build_market()


def _as(api, user):
    api.force_authenticate(user)
    return api


def _with_token(api, user):
    api.force_authenticate(None)
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return api


def _create(api, market, officer, **changes):
    body = {
        "person": market.person.reference,
        "lot": market.lot.pk,
        "locality": market.locality.code,
        "support_needed": "Support to cook, shop and keep a tenancy; a sleep-in at night.",
        "hours_per_week": "20",
        "weekly_profile": {"mon": 4, "tue": 4, "wed": 4, "thu": 4, "fri": 4},
        "start_date": (date.today() + timedelta(days=14)).isoformat(),
        "ras_table": market.ras.key,
        "answers": ANSWERS,
        **changes,
    }
    return _as(api, officer).post("/api/package-requests/", body, format="json")


def _opened(api, market, officer, **open_body):
    reference = _create(api, market, officer).json()["reference"]
    deadline = (timezone.now() + timedelta(days=3)).isoformat()
    response = _as(api, officer).post(
        f"/api/package-requests/{reference}/open/",
        {"response_deadline": deadline, **open_body},
        format="json",
    )
    assert response.status_code == 200, response.json()
    return reference


def _respond(client, reference, price):
    return client.post(
        f"/api/package-requests/{reference}/responses/",
        {
            "weekly_price": price,
            "start_date": (date.today() + timedelta(days=14)).isoformat(),
            "proposal": "Two named support workers, matched by interests.",
        },
        format="json",
    )


def _evaluated(api, market, officer):
    reference = _opened(api, market, officer)
    for user, price in zip(market.provider_users, ["600.00", "480.00", "590.00"], strict=True):
        assert _respond(_as(api, user), reference, price).status_code == 201
    ranked = _as(api, officer).post(f"/api/package-requests/{reference}/evaluate/").json()
    return reference, ranked


def _proposed(api, market, officer):
    reference, ranked = _evaluated(api, market, officer)
    award = _as(api, officer).post(
        f"/api/package-requests/{reference}/award/",
        {"response": ranked[0]["id"], "reasons": "Highest total score."},
        format="json",
    )
    assert award.status_code == 201, award.json()
    return reference, award.json()


def _approved(api, market, officer, manager):
    reference, award = _proposed(api, market, officer)
    approved = _as(api, manager).post(
        f"/api/awards/{award['id']}/approve/", {"note": "Within budget."}, format="json"
    )
    assert approved.status_code == 200, approved.json()
    return reference, approved.json()


# The call-off, end to end ----------------------------------------------------------------


def test_call_off_from_request_to_contract_through_the_api(api, market, officer, manager):
    created = _create(api, market, officer)
    assert created.status_code == 201, created.json()
    package = created.json()
    assert package["indicative_weekly_budget"] == "600.00"
    assert package["currency"] == "GBP"
    assert package["budget_calculation"][-1]["answer"].startswith("24 x")
    assert package["person"] == {"reference": market.person.reference, "name": "Alex Example"}
    reference = package["reference"]

    deadline = (timezone.now() + timedelta(days=3)).isoformat()
    opened = _as(api, officer).post(
        f"/api/package-requests/{reference}/open/", {"response_deadline": deadline}, format="json"
    )
    assert opened.json()["status"] == "open"
    assert sorted(i["provider"]["key"] for i in opened.json()["invitations"]) == sorted(
        p.key for p in market.providers
    )

    for user, price in zip(market.provider_users, ["600.00", "480.00", "590.00"], strict=True):
        answered = _respond(_with_token(api, user), reference, price)
        assert answered.status_code == 201, answered.json()
        assert answered.json()["weekly_price"] == price
    api.credentials()

    ranked = _as(api, officer).post(f"/api/package-requests/{reference}/evaluate/")
    assert ranked.status_code == 200, ranked.json()
    best = ranked.json()[0]
    assert (best["provider"]["key"], best["rank"]) == (market.providers[1].key, 1)
    assert (best["price_score"], best["total_score"]) == ("30.00", "89.00")

    proposed = _as(api, officer).post(
        f"/api/package-requests/{reference}/award/",
        {"response": best["id"], "reasons": "Highest total score."},
        format="json",
    )
    assert proposed.status_code == 201, proposed.json()
    assert proposed.json()["status"] == AwardStatus.AWAITING_APPROVAL
    assert proposed.json()["weekly_value"] == "480.00"

    approved = _as(api, manager).post(f"/api/awards/{proposed.json()['id']}/approve/")
    assert approved.status_code == 200, approved.json()
    assert approved.json()["status"] == AwardStatus.APPROVED
    contract_reference = approved.json()["contract"]

    contract = _as(api, manager).get(f"/api/contracts/{contract_reference}/").json()
    assert contract["kind"] == "call_off"
    assert contract["package"] == reference
    assert contract["supplier"]["key"] == market.providers[1].key
    assert contract["weekly_value"] == "480.00"
    assert [e["months"] for e in contract["extensions"]] == [12, 12]
    winner = _as(api, market.provider_users[1]).get("/api/contracts/").json()["results"]
    assert [c["reference"] for c in winner] == [contract_reference]


def test_provider_sees_only_its_own_contracts(api, market, officer, manager):
    _reference, award = _approved(api, market, officer, manager)
    loser = _as(api, market.provider_users[0])
    assert loser.get("/api/contracts/").json()["results"] == []
    assert loser.get(f"/api/contracts/{award['contract']}/").status_code == 404


def test_provider_sees_only_requests_it_was_invited_to(api, market, officer):
    invited, uninvited = market.provider_users[0], market.provider_users[1]
    reference = _opened(api, market, officer, providers=[market.providers[0].key])
    listed = _as(api, invited).get("/api/package-requests/").json()["results"]
    assert [p["reference"] for p in listed] == [reference]
    assert _as(api, uninvited).get("/api/package-requests/").json()["results"] == []
    assert _as(api, uninvited).get(f"/api/package-requests/{reference}/").status_code == 404
    assert _respond(_as(api, uninvited), reference, "500.00").status_code == 404


def test_provider_sees_only_its_own_response(api, market, officer):
    reference, _ranked = _evaluated(api, market, officer)
    own = _as(api, market.provider_users[2]).get(f"/api/package-requests/{reference}/responses/")
    assert [r["provider"]["key"] for r in own.json()] == [market.providers[2].key]
    staff = _as(api, officer).get(f"/api/package-requests/{reference}/responses/").json()
    assert [r["rank"] for r in staff] == [1, 2, 3]


def test_provider_view_of_a_request_is_anonymised(api, market, officer):
    reference = _opened(api, market, officer)
    body = _as(api, market.provider_users[0]).get(f"/api/package-requests/{reference}/").json()
    assert set(body) == {
        "reference", "lot", "locality", "hours_per_week", "weekly_profile", "start_date",
        "support_needed", "response_deadline", "status",
    }  # fmt: skip


def _reads(api, user, reference, award) -> list:
    api = _as(api, user)
    paths = [
        "/api/package-requests/",
        f"/api/package-requests/{reference}/",
        f"/api/package-requests/{reference}/responses/",
        "/api/contracts/",
        f"/api/contracts/{award['contract']}/",
    ]
    return [api.get(path) for path in paths]


def test_person_is_never_shown_to_providers(api, market, officer, manager):
    reference, award = _approved(api, market, officer, manager)
    winner = market.provider_users[1]
    for response in _reads(api, winner, reference, award):
        assert response.status_code == 200
        text = response.content.decode()
        assert not any(name in text for name in PERSON_NAMES), response.request["PATH_INFO"]
        assert market.person.reference not in text
        assert "indicative_weekly_budget" not in text


def test_person_is_not_shown_to_commissioners(api, market, officer, manager, commissioner):
    reference, award = _approved(api, market, officer, manager)
    responses = [
        *_reads(api, commissioner, reference, award),
        api.get("/api/awards/"),
        api.get(f"/api/awards/{award['id']}/"),
    ]
    for response in responses:
        assert response.status_code == 200
        text = response.content.decode()
        assert not any(name in text for name in PERSON_NAMES), response.request["PATH_INFO"]
        assert market.person.reference not in text
    assert "person" not in api.get(f"/api/package-requests/{reference}/").json()


def test_officer_sees_the_person(api, market, officer):
    reference = _opened(api, market, officer)
    listed = _as(api, officer).get("/api/package-requests/").json()["results"]
    assert [p["person"]["name"] for p in listed if p["reference"] == reference] == ["Alex Example"]


def test_package_list_queries_do_not_grow_with_packages(api, market, officer):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert _as(api, officer).get("/api/package-requests/").status_code == 200
        return len(captured)

    _opened(api, market, officer)
    one = queries()
    _opened(api, market, officer)
    _opened(api, market, officer)
    assert queries() == one


# Refusals --------------------------------------------------------------------------------


def test_late_response_is_refused_with_the_deadline(api, market, officer):
    reference = _opened(api, market, officer)
    # Time moves on: the deadline passes before the provider responds.
    PackageRequest.objects.filter(reference=reference).update(
        response_deadline=timezone.now() - timedelta(minutes=1)
    )
    late = _respond(_as(api, market.provider_users[0]), reference, "500.00")
    assert late.status_code == 409
    assert f"Responses to {reference} closed at" in late.json()["message"]
    assert "cannot be accepted" in late.json()["message"]
    assert not Response.objects.exists()


def test_approval_beyond_the_delegated_limit_is_refused(api, market, officer, manager):
    market.scheme.limits.update(weekly_limit=Money("400.00"))
    _reference, award = _proposed(api, market, officer)
    refused = _as(api, manager).post(f"/api/awards/{award['id']}/approve/")
    assert refused.status_code == 403
    assert "above the weekly limit of £400.00" in refused.json()["message"]
    assert _as(api, manager).get(f"/api/awards/{award['id']}/").json()["status"] == (
        AwardStatus.AWAITING_APPROVAL
    )
    assert not Contract.objects.exists()


def test_officer_may_not_approve(api, market, officer):
    _reference, award = _proposed(api, market, officer)
    refused = _as(api, officer).post(f"/api/awards/{award['id']}/approve/")
    assert refused.status_code == 403
    assert "award approve" in refused.json()["message"]


def test_rejected_award_goes_back_with_the_note(api, market, officer, manager):
    _reference, award = _proposed(api, market, officer)
    blank = _as(api, manager).post(f"/api/awards/{award['id']}/reject/", {"note": ""})
    assert blank.json()["errors"] == {"note": ["This field may not be blank."]}
    rejected = _as(api, manager).post(
        f"/api/awards/{award['id']}/reject/", {"note": "Check the start date."}, format="json"
    )
    assert rejected.json()["status"] == AwardStatus.REJECTED
    assert rejected.json()["decision_note"] == "Check the start date."


def test_second_award_is_a_conflict(api, market, officer, manager):
    reference, award = _proposed(api, market, officer)
    other = Response.objects.exclude(pk=award["response"]).filter(rank=2).get()
    again = _as(api, manager).post(
        f"/api/package-requests/{reference}/award/",
        {"response": other.pk, "reasons": "Cheaper."},
        format="json",
    )
    assert again.status_code == 409
    assert "already has an award" in again.json()["message"]


def test_award_of_a_response_to_another_package_names_the_field(api, market, officer):
    reference, _ranked = _evaluated(api, market, officer)
    wrong = _as(api, officer).post(
        f"/api/package-requests/{reference}/award/",
        {"response": 999999, "reasons": "Top."},
        format="json",
    )
    assert wrong.status_code == 400
    assert wrong.json()["errors"] == {"response": ["No response 999999 to this package."]}


def test_commissioner_may_not_create_requests(api, market, commissioner):
    refused = _create(api, market, commissioner)
    assert refused.status_code == 403
    assert "package broker" in refused.json()["message"]
    assert not PackageRequest.objects.exists()


def test_public_sees_no_package_requests(api, market):
    assert api.get("/api/package-requests/").status_code == 403


def test_weekly_profile_that_does_not_add_up_names_the_field(api, market, officer):
    refused = _create(api, market, officer, weekly_profile={"mon": 6, "tue": 6})
    assert refused.status_code == 400
    assert list(refused.json()["errors"]) == ["weekly_profile"]
    assert refused.json()["message"].startswith("weekly_profile: the days add up to 12")


def test_money_as_a_json_number_is_refused(api, market, officer):
    reference = _opened(api, market, officer)
    refused = _respond(_as(api, market.provider_users[0]), reference, 480.5)
    assert refused.status_code == 400
    assert "weekly_price" in refused.json()["errors"]
    assert refused.json()["message"].startswith("weekly_price: Give an amount of money as a")


def test_money_with_a_pound_sign_is_read(api, market, officer):
    reference = _opened(api, market, officer)
    answered = _respond(_as(api, market.provider_users[0]), reference, "£1,012.50")
    assert answered.status_code == 201, answered.json()
    assert answered.json()["weekly_price"] == "1012.50"


# Purchasing systems, spend ---------------------------------------------------------------


def test_purchasing_system_shows_lots_admissions_and_the_published_model(api, market):
    Criterion.objects.create(
        model=market.model, code="Q1", heading="quality", question="Outcomes?", weight=100
    )
    Gate.objects.create(model=market.model, kind=GateKind.INSURANCE)
    market.lot.areas.add(market.locality)
    body = api.get(f"/api/purchasing-systems/{market.system.key}/").json()
    (lot,) = body["lots"]
    assert lot["areas"] == [{"code": market.locality.code, "name": market.locality.name}]
    assert [p["key"] for p in lot["admitted_providers"]] == [p.key for p in market.providers]
    model = body["evaluation_model"]
    assert model["weights"] == {
        "quality": "50.00", "social_value": "10.00", "innovation": "10.00", "price": "30.00"
    }  # fmt: skip
    assert [c["code"] for c in model["criteria"]] == ["Q1"]
    assert model["gates"] == [
        {"kind": "insurance", "label": "Insurance cover held", "description": "",
         "automatic": False}
    ]  # fmt: skip


def test_purchasing_systems_are_read_only(api, manager):
    assert _as(api, manager).post("/api/purchasing-systems/", {}).status_code == 405


def test_draft_purchasing_systems_are_hidden_from_the_public(api, officer, market):
    PurchasingSystemFactory(key="draft-system", status="draft")
    public = [s["key"] for s in api.get("/api/purchasing-systems/").json()["results"]]
    assert public == [market.system.key]
    assert api.get("/api/purchasing-systems/draft-system/").status_code == 404
    assert _as(api, officer).get("/api/purchasing-systems/draft-system/").status_code == 200


def test_spend_splits_on_and_off_framework(api, market, officer, manager, commissioner):
    _approved(api, market, officer, manager)
    contract = Contract.objects.get()
    first = contract.start.replace(day=1)
    last = (first + timedelta(days=62)).replace(day=1) - timedelta(days=1)
    body = _as(api, commissioner).get("/api/spend/", {"from": first, "to": last}).json()
    assert body["currency"] == "GBP"
    assert [m["month"] for m in body["by_month"]] == [f"{first:%Y-%m}", f"{last:%Y-%m}"]
    assert [row["name"] for row in body["by_lot"]] == [str(market.lot)]
    assert [row["name"] for row in body["by_provider"]] == [market.providers[1].name]
    assert body["off_framework"] == "0.00"
    assert body["on_framework"] == body["total"]
    assert body["off_framework_share"] == 0.0


def test_spend_needs_both_dates_in_order(api, commissioner):
    api = _as(api, commissioner)
    missing = api.get("/api/spend/", {"to": "2025-04-01"})
    assert missing.json()["errors"] == {"from": ["This field is required."]}
    backwards = api.get("/api/spend/", {"from": "2025-04-01", "to": "2025-03-01"})
    assert backwards.json()["errors"] == {"to": ["Must not be before from."]}


def test_spend_is_for_staff(api, market):
    provider = market.provider_users[0]
    refused = _as(api, provider).get("/api/spend/", {"from": "2025-04-01", "to": "2025-04-30"})
    assert refused.status_code == 403


# Applications ----------------------------------------------------------------------------


QUESTIONS = [("Q1", "quality", 60), ("Q2", "quality", 40), ("SV1", "social_value", 100),
             ("IN1", "innovation", 100)]  # fmt: skip
APPLICATION_ANSWERS = {code: f"Our answer to {code}." for code, _, _ in QUESTIONS}


@pytest.fixture
def applying():
    """An open market with two quality questions and a manual insurance gate, and a
    provider not yet admitted, with a CQC registration."""
    market = build_market()
    for code, heading, weight in QUESTIONS:
        Criterion.objects.create(
            model=market.model, code=code, heading=heading, question=f"{code}?", weight=weight
        )
    Gate.objects.create(model=market.model, kind=GateKind.INSURANCE)
    newcomer = CareProviderFactory(name="Newcomer Care", cqc_provider_id="1-101234567")
    user = user_with_role(Role.PROVIDER_USER, organisation=newcomer, username="newcomer")
    return market, user


def test_application_from_draft_to_decision(api, applying, officer, commissioner, manager):
    market, provider = applying
    created = _as(api, provider).post(
        "/api/applications/",
        {"system": market.system.key, "lots": [market.lot.pk], "answers": APPLICATION_ANSWERS},
        format="json",
    )
    assert created.status_code == 201, created.json()
    application = created.json()
    assert application["status"] == ApplicationStatus.DRAFT
    assert len(application["answers"]) == 4
    url = f"/api/applications/{application['id']}/"
    assert _as(api, officer).get(url).status_code == 404  # drafts stay with the provider

    assert _as(api, provider).post(f"{url}submit/").json()["status"] == "submitted"
    for evaluator, scores in [(officer, {"Q1": 5, "Q2": 4}), (commissioner, {"Q1": 3, "Q2": 4})]:
        for code in APPLICATION_ANSWERS:
            scored = _as(api, evaluator).post(
                f"{url}score/",
                {"criterion": code, "score": scores.get(code, 4), "comment": "Evidence read."},
                format="json",
            )
            assert scored.status_code == 200, scored.json()
    gate = _as(api, officer).post(
        f"{url}gate/",
        {"gate": "insurance", "outcome": "passed", "evidence": "Certificate to 2027 seen."},
        format="json",
    )
    assert gate.json()["outcome"] == "passed"
    moderated = _as(api, manager).post(
        f"{url}moderate/", {"criterion": "Q1", "score": "4", "note": "Agreed."}, format="json"
    )
    assert moderated.json()["score"] == "4.00"
    decided = _as(api, manager).post(
        f"{url}decide/",
        {"admit_lots": [market.lot.pk], "reasons": "Met the pass mark."},
        format="json",
    )
    assert decided.status_code == 200, decided.json()
    assert decided.json()["status"] == ApplicationStatus.DECIDED
    lot = api.get(f"/api/purchasing-systems/{market.system.key}/").json()["lots"][0]
    assert "Newcomer Care" in [p["name"] for p in lot["admitted_providers"]]


def test_application_answers_change_and_unknown_questions_are_named(api, applying):
    market, provider = applying
    api = _as(api, provider)
    body = {"system": market.system.key, "lots": [market.lot.pk]}
    created = api.post("/api/applications/", body, format="json").json()
    url = f"/api/applications/{created['id']}/"
    changed = api.patch(url, {"answers": {"Q1": "Our answer."}}, format="json")
    assert changed.json()["answers"] == [{"criterion": "Q1", "text": "Our answer."}]
    unknown = api.patch(url, {"answers": {"Q9": "?"}}, format="json")
    assert unknown.status_code == 400
    assert list(unknown.json()["errors"]) == ["answers"]
    incomplete = api.post(f"{url}submit/")
    assert incomplete.status_code == 400
    assert "not answered" in incomplete.json()["message"]


def test_provider_sees_only_its_own_applications(api, applying):
    market, provider = applying
    body = {"system": market.system.key, "lots": [market.lot.pk]}
    _as(api, provider).post("/api/applications/", body, format="json")
    assert len(api.get("/api/applications/").json()["results"]) == 1
    other = _as(api, market.provider_users[0]).get("/api/applications/").json()
    assert other["results"] == []


def _submitted(api, market, provider) -> str:
    application = _as(api, provider).post(
        "/api/applications/",
        {"system": market.system.key, "lots": [market.lot.pk], "answers": APPLICATION_ANSWERS},
        format="json",
    )
    url = f"/api/applications/{application.json()['id']}/"
    assert api.post(f"{url}submit/").status_code == 200
    return url


def test_score_for_an_unknown_question_names_the_field(api, applying, officer):
    market, provider = applying
    url = _submitted(api, market, provider)
    refused = _as(api, officer).post(
        f"{url}score/", {"criterion": "Q9", "score": 3, "comment": "?"}, format="json"
    )
    assert refused.json()["errors"] == {
        "criterion": ["No question Q9 in this application's evaluation model."]
    }


def test_provider_may_not_score_its_own_application(api, applying):
    market, provider = applying
    url = _submitted(api, market, provider)
    refused = api.post(f"{url}score/", {"criterion": "Q1", "score": 5, "comment": "!"})
    assert refused.status_code == 403
    assert "application evaluate" in refused.json()["message"]


# Schema ----------------------------------------------------------------------------------


def test_schema_documents_every_purchasing_endpoint(api):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    paths = [
        "/api/purchasing-systems/",
        "/api/purchasing-systems/{key}/",
        "/api/applications/",
        "/api/applications/{id}/",
        "/api/applications/{id}/submit/",
        "/api/applications/{id}/score/",
        "/api/applications/{id}/gate/",
        "/api/applications/{id}/moderate/",
        "/api/applications/{id}/decide/",
        "/api/package-requests/",
        "/api/package-requests/{reference}/",
        "/api/package-requests/{reference}/open/",
        "/api/package-requests/{reference}/evaluate/",
        "/api/package-requests/{reference}/award/",
        "/api/package-requests/{reference}/responses/",
        "/api/awards/",
        "/api/awards/{id}/",
        "/api/awards/{id}/approve/",
        "/api/awards/{id}/reject/",
        "/api/contracts/",
        "/api/contracts/{reference}/",
        "/api/spend/",
    ]
    assert [p for p in paths if p not in schema["paths"]] == []
    responses = schema["paths"]["/api/package-requests/{reference}/responses/"]
    assert set(responses["post"]["responses"]) >= {"201", "400", "409"}
    assert "403" in schema["paths"]["/api/awards/{id}/approve/"]["post"]["responses"]
    package = schema["components"]["schemas"]["PackageRequest"]
    assert "person" not in package["required"]
