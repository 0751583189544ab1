"""The OCDS export: valid against the OCDS 1.1 release package schema (resolved from local
files, never the network), free of anything about the people packages are bought for, and
the same whether built in Python, written by the command or served by the API."""

import csv
import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import timezone
from rest_framework.test import APIClient

from placebook.contracts.models import Contract, ContractExtension, ContractKind, DirectAwardReason
from placebook.core.audit import acting_as
from placebook.core.models import Person
from placebook.core.money import Money
from placebook.purchasing.models import (
    AdmissionStatus,
    PackageRequest,
    PackageStatus,
    PurchasingSystem,
    Regime,
    ServiceCategory,
    SystemKind,
    SystemStatus,
)
from placebook.purchasing.ocds import release_package
from tests.factories.core import CareProviderFactory, PersonFactory
from tests.factories.purchasing import (
    AdmissionFactory,
    AwardApprovedFactory,
    AwardFactory,
    AwardRejectedFactory,
    CouncilFactory,
    EvaluationModelFactory,
    InvitationFactory,
    LotFactory,
    PackageRequestFactory,
    PurchasingSystemFactory,
    ResponseFactory,
)
from tests.ocds_schema import OCDS, needs_ocds_schema, ocds_validator

pytestmark = pytest.mark.django_db

PREFIX = settings.OCDS_PREFIX


@dataclass
class Purchasing:
    system: PurchasingSystem
    person: Person
    awarded: PackageRequest
    pending: PackageRequest
    rejected: PackageRequest
    open: PackageRequest
    spot_package: PackageRequest
    call_off: Contract
    direct: Contract
    spot: Contract


def _contract(**fields) -> Contract:
    return Contract.objects.create(
        buyer=fields.pop("buyer"),
        start=fields.pop("start", date(2025, 6, 2)),
        end=fields.pop("end", date(2028, 6, 1)),
        **fields,
    )


@pytest.fixture
def purchasing(system):
    """A PCR 2015 DPS with two lots, three published-or-draft evaluation models and three
    admissions; packages awarded (with a call-off contract), awaiting approval, rejected,
    still open and bought off the system; a temporary direct award and a spot purchase."""
    with acting_as(system):
        council = CouncilFactory(key="sefton-council", name="Sefton Council")
        dps = PurchasingSystemFactory(
            key="supported-living",
            name="Supported Living DPS",
            kind=SystemKind.DYNAMIC_PURCHASING_SYSTEM,
            regime=Regime.PCR_2015,
            owner=council,
            start=date(2022, 8, 1),
            end=date(2027, 7, 31),
            description="Care and support in supported living across Sefton.",
        )
        lot1 = LotFactory(system=dps, number=1, estimated_annual_value=Money("22000000.00"))
        lot2 = LotFactory(
            system=dps,
            number=2,
            name="Community support",
            category=ServiceCategory.COMMUNITY_SUPPORT,
            estimated_annual_value=Money("3000000.00"),
        )
        published = timezone.make_aware(datetime(2022, 6, 1, 9, 0))
        EvaluationModelFactory(system=dps, version=1, published_at=published)
        EvaluationModelFactory(
            system=dps,
            version=2,
            published_at=published.replace(year=2024),
            quality_weight=Decimal(60),
            social_value_weight=Decimal(20),
            innovation_weight=Decimal(10),
            price_weight=Decimal(10),
        )
        EvaluationModelFactory(system=dps, version=3, quality_weight=Decimal(90))  # draft
        alpha = CareProviderFactory(
            key="alpha", name="Alpha Care Ltd", companies_house_number="01234567"
        )
        beta = CareProviderFactory(key="beta", name="Beta Support", charity_number="1123456")
        gamma = CareProviderFactory(key="gamma", name="Gamma Homes")
        for lot, provider in [(lot1, alpha), (lot1, beta), (lot2, alpha)]:
            AdmissionFactory(lot=lot, provider=provider)
        AdmissionFactory(lot=lot2, provider=gamma, status=AdmissionStatus.EXITED)

        person = PersonFactory(
            given_name="Zebedee",
            family_name="Quartermaine",
            nhs_number="9434765919",
            date_of_birth=date(1961, 7, 23),
            postcode="L30 7PQ",
        )
        # Written carelessly, naming the person: the export must still never show it.
        careless = "Zebedee Quartermaine needs help at night; lives off Moss Lane, L30 7PQ."

        def package(status, **fields):
            return PackageRequestFactory(
                person=person, lot=lot1, status=status, support_needed=careless, **fields
            )

        awarded = package(PackageStatus.AWARDED, hours_per_week=Decimal("21.5"))
        InvitationFactory(package=awarded, provider=alpha)
        InvitationFactory(package=awarded, provider=beta)
        winning = ResponseFactory(
            package=awarded, provider=alpha, weekly_price=Money("612.45"), rank=1
        )
        ResponseFactory(package=awarded, provider=beta, weekly_price=Money("640.00"), rank=2)
        award = AwardApprovedFactory(
            response=winning, reasons=f"Best for {careless}", annual_value=Money("31957.64")
        )
        call_off = _contract(
            reference="CO-0001",
            title=f"Package for {person.full_name}",
            kind=ContractKind.CALL_OFF,
            buyer=council,
            supplier=alpha,
            lot=lot1,
            package=awarded,
            award=award,
            weekly_value=Money("612.45"),
            annual_value=Money("31957.64"),
            total_value=Money("95872.92"),
            procurement_regime="Public Contracts Regulations 2015",
        )
        for order in (1, 2):
            ContractExtension.objects.create(
                contract=call_off,
                order=order,
                months=12,
                start=date(2027 + order, 6, 2),
                end=date(2028 + order, 6, 1),
                review_due=date(2027 + order, 3, 1),
            )

        pending = package(PackageStatus.AWAITING_APPROVAL)
        AwardFactory(response=ResponseFactory(package=pending, provider=beta))
        rejected = package(PackageStatus.EVALUATED)
        AwardRejectedFactory(response=ResponseFactory(package=rejected, provider=alpha))
        still_open = package(PackageStatus.OPEN)
        ResponseFactory(package=still_open, provider=beta)
        package(PackageStatus.DRAFT)
        spot_package = package(PackageStatus.AWARDED)

        direct = _contract(
            reference="DA-2021-01",
            title="Temporary supported living contract: Beta Support",
            kind=ContractKind.DIRECT_AWARD,
            buyer=council,
            supplier=beta,
            direct_award_reason=DirectAwardReason.TEMPORARY,
            justification="Temporary award to the current provider while the DPS is procured "
            "(Cabinet, 24 June 2021, recommendation 2).",
            service_category=ServiceCategory.SUPPORTED_LIVING,
            start=date(2021, 8, 1),
            end=date(2022, 7, 31),
            total_value=Money("1250000.00"),
            procurement_regime="Public Contracts Regulations 2015",
        )
        spot = _contract(
            reference="SP-0001",
            title="Spot purchase: Gamma Homes",
            kind=ContractKind.SPOT,
            buyer=council,
            supplier=gamma,
            package=spot_package,
            direct_award_reason=DirectAwardReason.SPOT,
            justification="No provider on the DPS could start in time in this locality.",
            total_value=Money("40000.00"),
        )
        PurchasingSystemFactory(key="draft-system", owner=council, status=SystemStatus.DRAFT)
    return Purchasing(
        dps, person, awarded, pending, rejected, still_open, spot_package, call_off, direct, spot
    )


def _releases(package) -> dict[str, dict]:
    return {r["ocid"]: r for r in package["releases"]}


def _codes(codelist: str) -> set[str]:
    with (OCDS / "codelists" / f"{codelist}.csv").open(newline="") as f:
        return {row["Code"] for row in csv.DictReader(f)}


# --- The standard -------------------------------------------------------------------------


@needs_ocds_schema
def test_release_package_valid_against_ocds_schema(purchasing):
    package = release_package()
    errors = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in ocds_validator().iter_errors(package)
    ]
    assert errors == []
    assert package["version"] == "1.1"
    assert len(package["releases"]) == 8  # 1 system, 5 call-offs, 1 direct, 1 spot


@needs_ocds_schema
def test_release_package_schema_check_catches_a_bad_release(purchasing):
    # The check can fail: a release without its ocid, and an unknown award status.
    package = release_package()
    del package["releases"][0]["ocid"]
    package["releases"][-1]["awards"][0]["status"] = "approved"
    messages = [e.message for e in ocds_validator().iter_errors(package)]
    assert "'ocid' is a required property" in messages
    assert any("'approved' is not one of" in m for m in messages)


@needs_ocds_schema
def test_release_package_codes_from_ocds_codelists(purchasing):
    releases = release_package()["releases"]
    awards = [a for r in releases for a in r.get("awards", [])]
    contracts = [c for r in releases for c in r.get("contracts", [])]
    assert {a["status"] for a in awards} <= _codes("awardStatus")
    assert {c["status"] for c in contracts} <= _codes("contractStatus")
    assert {r["tender"]["status"] for r in releases} <= _codes("tenderStatus")
    assert {r["tender"]["procurementMethod"] for r in releases} <= _codes("method")
    assert {t for r in releases for t in r["tag"]} <= _codes("releaseTag")
    assert {role for r in releases for p in r["parties"] for role in p["roles"]} <= _codes(
        "partyRole"
    )
    related = [p for r in releases for p in r.get("relatedProcesses", [])]
    assert {k for p in related for k in p["relationship"]} <= _codes("relatedProcess")
    assert {r["initiationType"] for r in releases} == {"tender"}
    assert {a["status"] for a in awards} == {"pending", "active", "cancelled"}


def test_release_package_every_release_has_required_fields(purchasing):
    for release in release_package()["releases"]:
        assert {"ocid", "id", "date", "tag", "initiationType"} <= release.keys()
        assert release["id"].startswith(release["ocid"] + "-")
        assert datetime.fromisoformat(release["date"]).tzinfo is not None


# --- No personal data ---------------------------------------------------------------------


def test_release_package_has_nothing_about_the_person(purchasing):
    person = purchasing.person
    text = json.dumps(release_package())
    dob = person.date_of_birth
    forbidden = [
        person.given_name,
        person.family_name,
        person.nhs_number,
        "943 476 5919",
        person.postcode,
        person.reference,
        dob.isoformat(),
        f"{dob:%d/%m/%Y}",
        f"{dob:%-d %B %Y}",
        "Moss Lane",
        "help at night",
    ]
    assert [f for f in forbidden if f.lower() in text.lower()] == []


def test_release_package_call_off_item_is_category_and_hours(purchasing):
    release = _releases(release_package())[
        f"{PREFIX}-supported-living-{purchasing.awarded.reference}"
    ]
    assert release["tender"]["items"] == [
        {
            "id": "1",
            "description": "Supported living: 21.5 hours of support a week",
            "classification": {
                "scheme": "CPV",
                "id": "85312400",
                "description": "Welfare services not delivered through residential institutions",
            },
            "quantity": 21.5,
            "unit": {"scheme": "UNCEFACT", "id": "HUR", "name": "hours a week"},
        }
    ]
    # The contract's own title named the person; the export builds its own.
    assert release["contracts"][0]["title"] == (
        f"Supported living package {purchasing.awarded.reference}"
    )


# --- The purchasing system ----------------------------------------------------------------


def test_system_release_is_a_selective_dps_with_lots(purchasing):
    release = _releases(release_package())[f"{PREFIX}-supported-living"]
    tender = release["tender"]
    assert release["tag"] == ["tender", "award"]
    assert tender["procurementMethod"] == "selective"
    assert tender["procurementMethodDetails"] == (
        "Dynamic purchasing system under the Public Contracts Regulations 2015"
    )
    assert tender["mainProcurementCategory"] == "services"
    assert tender["status"] == "active"
    assert [(lot["id"], lot["status"]) for lot in tender["lots"]] == [
        ("lot-1", "active"),
        ("lot-2", "active"),
    ]
    # Five years at £22m a year.
    assert tender["lots"][0]["value"] == {"amount": 110000000.0, "currency": "GBP"}
    assert tender["value"] == {"amount": 125000000.0, "currency": "GBP"}
    assert [i["relatedLot"] for i in tender["items"]] == ["lot-1", "lot-2"]
    assert tender["tenderPeriod"] == {
        "startDate": "2022-08-01T00:00:00+01:00",
        "endDate": "2027-07-31T23:59:59+01:00",
    }


def test_system_release_states_weights_of_latest_published_model(purchasing):
    tender = _releases(release_package())[f"{PREFIX}-supported-living"]["tender"]
    assert tender["awardCriteria"] == "ratedCriteria"
    assert tender["awardCriteriaDetails"].startswith(
        "Weights: quality 60%, social value 20%, innovation 10%, price 10% "
        "(evaluation model version 2, published 1 June 2024)."
    )


def test_system_release_parties_buyer_and_admitted_providers(purchasing):
    release = _releases(release_package())[f"{PREFIX}-supported-living"]
    parties = {p["name"]: p for p in release["parties"]}
    assert parties["Sefton Council"]["roles"] == ["buyer", "procuringEntity"]
    assert parties["Sefton Council"]["id"] == f"{PREFIX}-org-sefton-council"
    assert parties["Alpha Care Ltd"] == {
        "id": "GB-COH-01234567",
        "name": "Alpha Care Ltd",
        "roles": ["tenderer", "supplier"],
        "identifier": {"scheme": "GB-COH", "id": "01234567", "legalName": "Alpha Care Ltd"},
    }
    assert parties["Beta Support"]["identifier"]["scheme"] == "GB-CHC"
    assert release["buyer"] == {"id": f"{PREFIX}-org-sefton-council", "name": "Sefton Council"}
    admissions = {(a["suppliers"][0]["name"], a["relatedLots"][0]): a for a in release["awards"]}
    assert len(admissions) == 4
    assert admissions[("Gamma Homes", "lot-2")]["status"] == "cancelled"


def test_draft_system_not_exported(purchasing):
    ocids = _releases(release_package()).keys()
    assert not any("draft-system" in ocid for ocid in ocids)


# --- Call-offs ----------------------------------------------------------------------------


def test_call_off_releases_link_to_system_release(purchasing):
    releases = _releases(release_package())
    system_ocid = f"{PREFIX}-supported-living"
    call_offs = [r for ocid, r in releases.items() if ocid.startswith(system_ocid + "-PK-")]
    assert len(call_offs) == 5  # the draft request is not published
    for release in call_offs:
        assert release["relatedProcesses"] == [
            {
                "id": "framework",
                "relationship": ["framework"],
                "title": "Supported Living DPS",
                "scheme": "ocid",
                "identifier": system_ocid,
            }
        ]
        assert release["tender"]["procurementMethod"] == "selective"
    assert system_ocid in releases


def test_call_off_award_status_follows_the_award(purchasing):
    releases = _releases(release_package())

    def award(package):
        return releases[f"{PREFIX}-supported-living-{package.reference}"].get("awards")

    assert award(purchasing.awarded)[0]["status"] == "active"
    assert award(purchasing.pending)[0]["status"] == "pending"
    assert award(purchasing.rejected)[0]["status"] == "cancelled"
    assert award(purchasing.open) is None


def test_call_off_release_awarded_with_contract(purchasing):
    reference = purchasing.awarded.reference
    release = _releases(release_package())[f"{PREFIX}-supported-living-{reference}"]
    assert release["tag"] == ["tender", "award", "contract"]
    assert release["tender"]["status"] == "complete"
    assert release["tender"]["numberOfTenderers"] == 2
    assert [t["name"] for t in release["tender"]["tenderers"]] == ["Alpha Care Ltd", "Beta Support"]
    (award,) = release["awards"]
    assert award["value"] == {"amount": 31957.64, "currency": "GBP"}
    assert award["suppliers"] == [{"id": "GB-COH-01234567", "name": "Alpha Care Ltd"}]
    assert award["description"] == "£612.45 a week; the value is for a year."
    (contract,) = release["contracts"]
    assert contract["id"] == "CO-0001"
    assert contract["awardID"] == award["id"]
    assert contract["status"] == "active"
    assert contract["value"] == {"amount": 95872.92, "currency": "GBP"}
    assert contract["period"] == {
        "startDate": "2025-06-02T00:00:00+01:00",
        "endDate": "2028-06-01T23:59:59+01:00",
        "maxExtentDate": "2030-06-01T23:59:59+01:00",
    }
    roles = {p["name"]: p["roles"] for p in release["parties"]}
    assert roles == {
        "Sefton Council": ["buyer", "procuringEntity"],
        "Alpha Care Ltd": ["tenderer", "supplier"],
        "Beta Support": ["tenderer"],
    }


def test_call_off_tenderers_withheld_while_open(purchasing):
    reference = purchasing.open.reference
    tender = _releases(release_package())[f"{PREFIX}-supported-living-{reference}"]["tender"]
    assert tender["status"] == "active"
    assert "tenderers" not in tender
    assert "numberOfTenderers" not in tender


def test_call_off_bought_off_system_is_unsuccessful(purchasing):
    reference = purchasing.spot_package.reference
    release = _releases(release_package())[f"{PREFIX}-supported-living-{reference}"]
    assert release["tender"]["status"] == "unsuccessful"
    assert "awards" not in release


# --- Direct awards and spot purchases -----------------------------------------------------


def test_direct_award_release_is_direct_with_justification(purchasing):
    release = _releases(release_package())[f"{PREFIX}-contract-DA-2021-01"]
    tender = release["tender"]
    assert release["tag"] == ["tender", "award", "contract"]
    assert tender["procurementMethod"] == "direct"
    assert tender["procurementMethodRationale"] == purchasing.direct.justification
    assert tender["procurementMethodDetails"] == (
        "Direct award: Temporary award to the current provider while re-procuring, "
        "under the Public Contracts Regulations 2015"
    )
    assert release["awards"][0]["suppliers"] == [{"id": "GB-CHC-1123456", "name": "Beta Support"}]
    assert release["contracts"][0]["value"] == {"amount": 1250000.0, "currency": "GBP"}
    assert "relatedProcesses" not in release


def test_spot_purchase_release_follows_the_unsuccessful_call_off(purchasing):
    release = _releases(release_package())[f"{PREFIX}-contract-SP-0001"]
    assert release["tender"]["procurementMethod"] == "direct"
    assert release["tender"]["procurementMethodDetails"] == (
        "Spot purchase: no suitable provider on the purchasing system"
    )
    assert release["tender"]["items"][0]["quantity"] == 20.5
    assert release["relatedProcesses"] == [
        {
            "id": "package",
            "relationship": ["unsuccessfulProcess"],
            "title": f"Call-off {purchasing.spot_package.reference}",
            "scheme": "ocid",
            "identifier": f"{PREFIX}-supported-living-{purchasing.spot_package.reference}",
        }
    ]


# --- The package as a whole ---------------------------------------------------------------


def test_release_package_metadata(purchasing):
    package = release_package()
    dates = [datetime.fromisoformat(r["date"]) for r in package["releases"]]
    assert datetime.fromisoformat(package["publishedDate"]) == max(dates)
    assert package["publisher"] == {"name": "Sefton Council"}
    assert package["uri"] == f"urn:{PREFIX}:purchasing"
    assert package["extensions"] == [
        "https://raw.githubusercontent.com/open-contracting-extensions/"
        "ocds_lots_extension/v1.1.5/extension.json"
    ]


def test_release_package_published_date_given(purchasing):
    when = timezone.make_aware(datetime(2026, 1, 5, 12, 30))
    assert release_package(published_date=when)["publishedDate"] == "2026-01-05T12:30:00+00:00"


def test_release_package_for_one_system_leaves_out_off_framework_contracts(purchasing, system):
    with acting_as(system):
        other = PurchasingSystemFactory(key="home-care")
        LotFactory(system=other)
    ocids = set(_releases(release_package(systems=[purchasing.system])))
    assert f"{PREFIX}-home-care" not in ocids
    assert f"{PREFIX}-contract-DA-2021-01" not in ocids
    assert len(ocids) == 6
    assert f"{PREFIX}-home-care" in _releases(release_package())


def test_release_package_nothing_published_is_empty(db):
    assert release_package()["releases"] == []


# --- The command and the API --------------------------------------------------------------


def test_export_ocds_writes_the_release_package(purchasing, tmp_path):
    output = tmp_path / "ocds.json"
    out = StringIO()
    call_command("export_ocds", output=output, stdout=out)
    assert json.loads(output.read_text()) == release_package()
    assert out.getvalue() == f"Wrote 8 releases to {output}\n"


def test_export_ocds_writes_stdout_by_default(purchasing):
    out = StringIO()
    call_command("export_ocds", "--system", "supported-living", stdout=out)
    assert json.loads(out.getvalue()) == release_package(systems=[purchasing.system])


def test_export_ocds_unknown_or_draft_system_raises(purchasing):
    with pytest.raises(CommandError, match="No purchasing system with key: nowhere"):
        call_command("export_ocds", "--system", "nowhere", stdout=StringIO())
    with pytest.raises(CommandError, match="Draft systems are not published: draft-system"):
        call_command("export_ocds", "--system", "draft-system", stdout=StringIO())


def _get(params=None):
    return APIClient().get("/api/purchasing/ocds/", params or {})


def test_api_returns_the_release_package_to_anyone(purchasing):
    response = _get()
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    uri = "http://testserver/api/purchasing/ocds/"
    assert json.loads(response.content) == release_package(uri=uri)


def test_api_one_system(purchasing):
    response = _get({"system": "supported-living"})
    releases = json.loads(response.content)["releases"]
    assert len(releases) == 6


def test_api_unknown_or_draft_system_not_found(purchasing):
    assert _get({"system": "nowhere"}).status_code == 404
    assert _get({"system": "draft-system"}).status_code == 404


def test_api_documented_in_openapi_schema(db):
    schema = APIClient().get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/purchasing/ocds/"]["get"]
    assert operation["summary"] == "Purchasing as an OCDS 1.1 release package"
    assert [p["name"] for p in operation["parameters"]] == ["system"]
    assert "OCDS 1.1 release package" in operation["responses"]["200"]["description"]
