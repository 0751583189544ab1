"""Purchasing as open contracting data: an OCDS 1.1 release package.

Each purchasing system is one contracting process (ocid ``<OCDS_PREFIX>-<system key>``).
Each package's call-off competition is a process of its own (ocid ``<system ocid>-<package
reference>``), linked back to its system by a ``framework`` related process, which is how
OCDS models call-offs from frameworks and dynamic purchasing systems. Direct awards and spot
purchases, which had no competition, are processes with the ``direct`` method. Releases are
compiled-style: one per process, saying how it stands now, dated by the last change to the
rows behind it, so the same data always gives the same package.

Published procurement data is open data, but packages are bought for residents. Nothing
about the person (``PackageRequest.person``) is read here, and the free text written about a
package (``support_needed``, award reasons, approvers' notes) is left out, since a slip in
free text is the likeliest way to publish something identifying: items give only the
service category and the hours a week. The indicative budget is left out too: it is the
result of the person's needs assessment, whereas the award value is the price of a contract.

Checked against the OCDS 1.1.5 release package schema with the lots extension
(``tender.lots``, ``items[].relatedLot``, ``awards[].relatedLots``). The core schema has no
``techniques`` (``hasDynamicPurchasingSystem``, ``hasFrameworkAgreement``): those come from
an extension we do not use, so ``procurementMethodDetails`` names the kind of system instead.
"""

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from placebook.contracts.models import Contract, ContractKind, ContractStatus, DirectAwardReason
from placebook.contracts.services import term_end
from placebook.core.models import Organisation
from placebook.core.money import Money
from placebook.purchasing.models import (
    Admission,
    AdmissionStatus,
    AwardStatus,
    EvaluationModel,
    Heading,
    Lot,
    PackageRequest,
    PackageStatus,
    PurchasingSystem,
    Response,
    ServiceCategory,
    SystemKind,
    SystemStatus,
)

OCDS_VERSION = "1.1"
LOTS_EXTENSION = (
    "https://raw.githubusercontent.com/open-contracting-extensions/"
    "ocds_lots_extension/v1.1.5/extension.json"
)
# The licence for UK public sector information.
LICENCE = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"

# A DPS follows the rules of the restricted procedure (PCR 2015 reg. 34(2)) and a dynamic
# market admits every supplier that meets its conditions for membership (Procurement Act 2023
# ss. 35-37): anyone may apply, but only admitted members may compete for call-offs. That is
# OCDS "selective" ("only qualified suppliers are invited to submit a tender"), not "open".
# A flexible purchasing system is the light-touch equivalent. Frameworks are assumed let by
# one open competition; change this if one was let by a restricted procedure.
PROCUREMENT_METHOD = {
    SystemKind.DYNAMIC_PURCHASING_SYSTEM: "selective",
    SystemKind.DYNAMIC_MARKET: "selective",
    SystemKind.FLEXIBLE_PURCHASING_SYSTEM: "selective",
    SystemKind.FRAMEWORK: "open",
    SystemKind.OPEN_FRAMEWORK: "open",
}
# A closed system takes no new members; its call-offs are processes of their own.
SYSTEM_TENDER_STATUS = {
    SystemStatus.OPEN: "active",
    SystemStatus.CLOSED: "complete",
    SystemStatus.ENDED: "complete",
}
PACKAGE_TENDER_STATUS = {
    PackageStatus.OPEN: "active",
    PackageStatus.EVALUATED: "active",
    PackageStatus.AWAITING_APPROVAL: "active",
    PackageStatus.AWARDED: "complete",
    PackageStatus.NO_AWARD: "unsuccessful",
    PackageStatus.CANCELLED: "cancelled",
}
AWARD_STATUS = {
    AwardStatus.AWAITING_APPROVAL: "pending",
    AwardStatus.APPROVED: "active",
    AwardStatus.REJECTED: "cancelled",
}
# A suspended member is still a member; one that left the market has its place cancelled.
ADMISSION_AWARD_STATUS = {
    AdmissionStatus.ADMITTED: "active",
    AdmissionStatus.SUSPENDED: "active",
    AdmissionStatus.EXITED: "cancelled",
}
# OCDS 1.1 "terminated" covers any contract that has come to a close, early or not.
CONTRACT_STATUS = {
    ContractStatus.DRAFT: "pending",
    ContractStatus.ACTIVE: "active",
    ContractStatus.ENDED: "terminated",
    ContractStatus.TERMINATED: "terminated",
}
# Common Procurement Vocabulary codes, without check digit as OCDS writes them. Supported
# living and the other community services are care delivered where people live, not in a
# residential institution.
_NON_RESIDENTIAL = ("85312400", "Welfare services not delivered through residential institutions")
CPV = {
    ServiceCategory.SUPPORTED_LIVING: _NON_RESIDENTIAL,
    ServiceCategory.COMMUNITY_SUPPORT: _NON_RESIDENTIAL,
    ServiceCategory.EXTRA_CARE: _NON_RESIDENTIAL,
    ServiceCategory.HOME_CARE: _NON_RESIDENTIAL,
    ServiceCategory.DAY_OPPORTUNITIES: ("85312100", "Daycare services"),
}


def release_package(
    *,
    published_date: datetime | None = None,
    systems: Iterable[PurchasingSystem] | None = None,
    uri: str | None = None,
) -> dict:
    """The purchasing subsystem as an OCDS 1.1 release package (a JSON-ready dict).

    ``systems`` limits the package to those systems, their call-offs and the direct awards
    made under their lots; by default every system that is not a draft is included, with
    every direct award and spot purchase. ``published_date`` defaults to the latest release
    date, as OCDS asks of packages generated on demand. ``uri`` should be where the package
    can be fetched; the default is a URN naming it. Money is in pounds to the penny.
    """
    system_rows = _systems(systems)
    direct = _direct_contracts(system_rows, everything=systems is None)
    releases = [_system_release(system) for system in system_rows]
    releases += _call_off_releases(system_rows)
    releases += [_direct_release(contract) for contract in direct]
    buyers = [system.owner for system in system_rows] + [c.buyer for c in direct]
    if published_date is None:
        published_date = max((r["_date"] for r in releases), default=timezone.now())
    for release in releases:
        del release["_date"]
    return {
        "uri": uri or f"urn:{settings.OCDS_PREFIX}:purchasing",
        "version": OCDS_VERSION,
        "extensions": [LOTS_EXTENSION],
        "publishedDate": _datetime(published_date),
        "publisher": _publisher(buyers),
        "license": LICENCE,
        "releases": releases,
    }


def system_ocid(system: PurchasingSystem) -> str:
    return f"{settings.OCDS_PREFIX}-{system.key}"


# --- purchasing systems ------------------------------------------------------------------


def _systems(systems: Iterable[PurchasingSystem] | None) -> list[PurchasingSystem]:
    # Drafts are not yet published, so they are never exported.
    queryset = (
        PurchasingSystem.objects.exclude(status=SystemStatus.DRAFT)
        .select_related("owner")
        .prefetch_related(
            Prefetch(
                "lots",
                queryset=Lot.objects.prefetch_related(
                    Prefetch("admissions", queryset=Admission.objects.select_related("provider"))
                ),
            ),
            "evaluation_models",
        )
        # Only the number of applicants is published: the names of those not admitted are
        # not needed to follow the money.
        .annotate(
            applicants=Count(
                "applications__provider",
                filter=Q(applications__submitted_at__isnull=False),
                distinct=True,
            )
        )
        .order_by("key")
    )
    if systems is not None:
        queryset = queryset.filter(pk__in=[s.pk for s in systems])
    return list(queryset)


def _system_release(system: PurchasingSystem) -> dict:
    ocid = system_ocid(system)
    parties = _Parties()
    buyer = parties.add(system.owner, "buyer", "procuringEntity")
    status = SYSTEM_TENDER_STATUS[system.status]
    lots = list(system.lots.all())
    years = _term_years(system.start, system.end)
    tender = {
        "id": system.key,
        "title": system.name,
        "description": system.description or system.name,
        "status": status,
        "procuringEntity": buyer,
        "items": [_lot_item(lot) for lot in lots],
        "lots": [_lot(lot, status, years) for lot in lots],
        "procurementMethod": PROCUREMENT_METHOD[system.kind],
        "procurementMethodDetails": _system_method(system),
        "mainProcurementCategory": "services",
        # Applications are taken for the system's whole term.
        "tenderPeriod": _period(system.start, system.end),
        "contractPeriod": _period(system.start, system.end),
        "numberOfTenderers": system.applicants,
    }
    if lots and all(lot.estimated_annual_value for lot in lots):
        tender["value"] = _value(Money.sum(lot.estimated_annual_value for lot in lots) * years)
    tender |= _award_criteria(_model_in_force(system))
    # OCDS lists a framework's suppliers as the awards of its first stage, and call-offs
    # point there. Membership of a DPS or dynamic market is not itself a contract, but it
    # is what makes a provider eligible for call-offs, so it is published the same way.
    awards = []
    for lot in lots:
        for admission in lot.admissions.all():
            awards.append(
                {
                    "id": f"admission-{admission.pk}",
                    "title": f"Admission to Lot {lot.number}: {lot.name}",
                    "description": (
                        f"Membership of Lot {lot.number} "
                        f"({admission.get_status_display().lower()})."
                    ),
                    "status": ADMISSION_AWARD_STATUS[admission.status],
                    "date": _datetime(admission.admitted_at),
                    "suppliers": [parties.add(admission.provider, "tenderer", "supplier")],
                    "relatedLots": [_lot_id(lot)],
                }
            )
    changed = [
        system.updated_at,
        *(lot.updated_at for lot in lots),
        *(a.updated_at for lot in lots for a in lot.admissions.all()),
        *(m.updated_at for m in system.evaluation_models.all()),
    ]
    return _release(
        ocid=ocid, changed=changed, parties=parties, buyer=buyer, tender=tender, awards=awards
    )


def _system_method(system: PurchasingSystem) -> str:
    # The kind's label names its statute in brackets; the regime says it in full.
    kind = system.get_kind_display().split(" (")[0]
    return f"{kind} under the {system.get_regime_display()}"


def _term_years(start: date, end: date) -> Decimal:
    """Years from ``start`` to ``end`` inclusive: exact for whole months, as systems run
    (1 August 2022 to 31 July 2027 is 5), else by days in an average year."""
    after = end + timedelta(days=1)
    if after.day == start.day:
        return Decimal((after.year - start.year) * 12 + after.month - start.month) / 12
    return Decimal((after - start).days) / Decimal("365.25")


def _lot_id(lot: Lot) -> str:
    return f"lot-{lot.number}"


def _lot(lot: Lot, status: str, years: Decimal) -> dict:
    data = {
        "id": _lot_id(lot),
        "title": f"Lot {lot.number}: {lot.name}",
        "description": lot.description or lot.get_category_display(),
        "status": status,
    }
    if lot.estimated_annual_value:
        # The lots extension asks for the lot's whole estimated value, over the system's term.
        data["value"] = _value(lot.estimated_annual_value * years)
        data["description"] = (
            f"{data['description'].rstrip('.')}. Estimated {lot.estimated_annual_value} a year."
        )
    return data


def _lot_item(lot: Lot) -> dict:
    return {
        "id": _lot_id(lot),
        "description": lot.get_category_display(),
        **_classification(lot.category),
        "relatedLot": _lot_id(lot),
    }


def _classification(category: str) -> dict:
    if category not in CPV:
        return {}
    code, description = CPV[category]
    return {"classification": {"scheme": "CPV", "id": code, "description": description}}


def _model_in_force(system: PurchasingSystem, at: datetime | None = None):
    published = [
        m
        for m in system.evaluation_models.all()
        if m.published_at is not None and (at is None or m.published_at <= at)
    ]
    return max(published, key=lambda m: m.version, default=None)


def _award_criteria(model: EvaluationModel | None) -> dict:
    if model is None:
        return {}
    weights = model.weights
    unit = "%" if sum(weights.values()) == 100 else " points"
    stated = ", ".join(
        f"{Heading(h).label.lower()} {w.normalize():f}{unit}" for h, w in weights.items()
    )
    published = timezone.localtime(model.published_at)
    return {
        "awardCriteria": "ratedCriteria",
        "awardCriteriaDetails": (
            f"Weights: {stated} (evaluation model version {model.version}, published "
            f"{published:%-d %B %Y}). Quality, social value and innovation are scored when a "
            "provider applies and carried into every call-off; price is scored afresh for "
            "each call-off."
        ),
    }


# --- call-offs -------------------------------------------------------------------------


def _call_off_releases(systems: list[PurchasingSystem]) -> list[dict]:
    by_pk = {system.pk: system for system in systems}
    packages = (
        PackageRequest.objects.filter(lot__system__in=list(by_pk))
        .exclude(status=PackageStatus.DRAFT)
        .select_related("lot", "award__response__provider")
        .prefetch_related(
            Prefetch("responses", queryset=Response.objects.select_related("provider")),
            "invitations",
        )
        .order_by("reference")
    )
    contracts = {
        c.award_id: c
        for c in Contract.objects.filter(award__package__lot__system__in=list(by_pk))
        .select_related("supplier")
        .prefetch_related("extensions")
    }
    releases = []
    for package in packages:
        award = _award_of(package)
        contract = contracts.get(award.pk) if award else None
        releases.append(_call_off_release(package, by_pk[package.lot.system_id], award, contract))
    return releases


def _award_of(package: PackageRequest):
    try:
        return package.award
    except ObjectDoesNotExist:
        return None


def _call_off_release(package, system, award, contract) -> dict:
    lot = package.lot
    parties = _Parties()
    buyer = parties.add(system.owner, "buyer", "procuringEntity")
    status = PACKAGE_TENDER_STATUS[package.status]
    if package.status == PackageStatus.AWARDED and award is None:
        # Bought off the system (a spot purchase, published as its own direct process):
        # this competition itself ended without an award.
        status = "unsuccessful"
    months = system.call_off_term_months
    tender = {
        "id": package.reference,
        "title": f"{lot.get_category_display()} call-off {package.reference}",
        "description": (
            f"Competition for one package of {lot.get_category_display().lower()} among the "
            f"providers admitted to Lot {lot.number}: {lot.name} of {system.name}."
        ),
        "status": status,
        "procuringEntity": buyer,
        "items": [_package_item(package)],
        # Only the lot's members are invited to respond.
        "procurementMethod": "selective",
        "procurementMethodDetails": f"Call-off competition: {_system_method(system)}",
        "mainProcurementCategory": "services",
        "contractPeriod": _period(
            package.start_date,
            term_end(package.start_date, months),
            term_end(package.start_date, months + sum(system.extension_months)),
        ),
    }
    invited = [i.sent_at for i in package.invitations.all()]
    if invited or package.response_deadline:
        tender["tenderPeriod"] = {}
        if invited:
            tender["tenderPeriod"]["startDate"] = _datetime(min(invited))
        if package.response_deadline:
            tender["tenderPeriod"]["endDate"] = _datetime(package.response_deadline)
    responses = list(package.responses.all())
    # Who has responded stays private while the competition is open.
    if package.status != PackageStatus.OPEN:
        tender["numberOfTenderers"] = len(responses)
        if responses:
            tender["tenderers"] = [parties.add(r.provider, "tenderer") for r in responses]
    tender |= _award_criteria(_model_in_force(system, package.created_at))
    awards, contracts = [], []
    changed = [package.updated_at, *(r.updated_at for r in responses)]
    if award is not None:
        awards.append(_call_off_award(package, award, parties))
        changed.append(award.updated_at)
    if contract is not None:
        contracts.append(_contract(contract, awards[0]["id"], package))
        changed += [contract.updated_at, *(e.updated_at for e in contract.extensions.all())]
    return _release(
        ocid=f"{system_ocid(system)}-{package.reference}",
        changed=changed,
        parties=parties,
        buyer=buyer,
        tender=tender,
        awards=awards,
        contracts=contracts,
        related=[
            {
                "id": "framework",
                "relationship": ["framework"],
                "title": system.name,
                "scheme": "ocid",
                "identifier": system_ocid(system),
            }
        ],
    )


def _package_item(package: PackageRequest) -> dict:
    category = package.lot.get_category_display()
    hours = package.hours_per_week.normalize()
    return {
        "id": "1",
        "description": f"{category}: {hours:f} hours of support a week",
        **_classification(package.lot.category),
        "quantity": float(package.hours_per_week),
        "unit": {"scheme": "UNCEFACT", "id": "HUR", "name": "hours a week"},
    }


def _call_off_award(package, award, parties: "_Parties") -> dict:
    status = AWARD_STATUS[award.status]
    provider = award.response.provider
    roles = ("tenderer", "supplier") if status != "cancelled" else ("tenderer",)
    data = {
        "id": f"{package.reference}-award",
        "title": f"Award of call-off {package.reference}",
        "description": f"{award.weekly_value} a week; the value is for a year.",
        "status": status,
        "value": _value(award.annual_value),
        "suppliers": [parties.add(provider, *roles)],
    }
    if award.decided_at:
        data["date"] = _datetime(award.decided_at)
    return data


# --- contracts -------------------------------------------------------------------------


def _contract(contract: Contract, award_id: str, package: PackageRequest | None) -> dict:
    # A package contract's title is rebuilt from its category and reference rather than
    # read, in case a name was typed into it.
    title = (
        f"{package.lot.get_category_display()} package {package.reference}"
        if package is not None and contract.kind == ContractKind.CALL_OFF
        else contract.title
    )
    extensions = list(contract.extensions.all())
    data = {
        "id": contract.reference,
        "awardID": award_id,
        "title": title,
        "period": _period(
            contract.start,
            contract.end,
            max(e.end for e in extensions) if extensions else None,
        ),
        "value": _value(contract.total_value),
    }
    if contract.status in CONTRACT_STATUS:
        data["status"] = CONTRACT_STATUS[contract.status]
    return data


def _direct_contracts(systems: list[PurchasingSystem], *, everything: bool) -> list[Contract]:
    # A draft contract records no decision yet, so there is nothing to publish.
    queryset = (
        Contract.objects.filter(kind__in=[ContractKind.DIRECT_AWARD, ContractKind.SPOT])
        .exclude(status=ContractStatus.DRAFT)
        .select_related("buyer", "supplier", "package__lot__system")
        .prefetch_related("extensions")
        .order_by("reference")
    )
    if not everything:
        queryset = queryset.filter(lot__system__in=systems)
    return list(queryset)


def _direct_release(contract: Contract) -> dict:
    parties = _Parties()
    buyer = parties.add(contract.buyer, "buyer", "procuringEntity")
    award_id = f"{contract.reference}-award"
    kind = contract.get_kind_display().split(" (")[0]
    reason = contract.get_direct_award_reason_display() if contract.direct_award_reason else ""
    # The spot purchase reason already begins with its kind.
    details = reason if reason.startswith(kind) else ": ".join(filter(None, [kind, reason]))
    if contract.procurement_regime:
        details += f", under the {contract.procurement_regime}"
    package = contract.package
    if package is not None:
        items = [_package_item(package)]
    elif contract.service_category:
        label = dict(ServiceCategory.choices).get(contract.service_category)
        items = [
            {
                "id": "1",
                "description": label or contract.service_category,
                **_classification(contract.service_category),
            }
        ]
    else:
        items = []
    contract_data = _contract(contract, award_id, package)
    tender = {
        "id": contract.reference,
        "title": contract_data["title"],
        "status": "complete",
        "procuringEntity": buyer,
        "procurementMethod": "direct",
        "procurementMethodDetails": details,
        "procurementMethodRationale": contract.justification,
        "mainProcurementCategory": "services",
        "contractPeriod": contract_data["period"],
    }
    if items:
        tender["items"] = items
    award = {
        "id": award_id,
        "title": contract_data["title"],
        "status": "active",
        "date": _datetime(contract.created_at),
        "value": _value(contract.total_value),
        "suppliers": [parties.add(contract.supplier, "supplier")],
    }
    related = []
    if package is not None:
        # A spot purchase follows a call-off that found no provider; a continuity or
        # temporary award replaces the contract a call-off made.
        spot = contract.direct_award_reason == DirectAwardReason.SPOT
        related.append(
            {
                "id": "package",
                "relationship": ["unsuccessfulProcess" if spot else "prior"],
                "title": f"Call-off {package.reference}",
                "scheme": "ocid",
                "identifier": f"{system_ocid(package.lot.system)}-{package.reference}",
            }
        )
    return _release(
        ocid=f"{settings.OCDS_PREFIX}-contract-{contract.reference}",
        changed=[contract.updated_at, *(e.updated_at for e in contract.extensions.all())],
        parties=parties,
        buyer=buyer,
        tender=tender,
        awards=[award],
        contracts=[contract_data],
        related=related,
    )


# --- shared building blocks ----------------------------------------------------------------


class _Parties:
    """A release's parties, one entry per organisation, gathering its roles."""

    def __init__(self) -> None:
        self._parties: dict[int, dict] = {}

    def add(self, organisation: Organisation, *roles: str) -> dict:
        party = self._parties.setdefault(organisation.pk, _party(organisation))
        party["roles"] += [role for role in roles if role not in party["roles"]]
        return _reference(organisation)

    def as_list(self) -> list[dict]:
        return list(self._parties.values())


def _party_id(organisation: Organisation) -> str:
    identifiers = organisation.identifiers()
    if identifiers:
        return f"{identifiers[0]['scheme']}-{identifiers[0]['id']}"
    # No org-id.guide identifier held: a local one, unique under our ocid prefix.
    return f"{settings.OCDS_PREFIX}-org-{organisation.key}"


def _reference(organisation: Organisation) -> dict:
    return {"id": _party_id(organisation), "name": organisation.name}


def _party(organisation: Organisation) -> dict:
    party = {**_reference(organisation), "roles": []}
    identifiers = [
        {"scheme": i["scheme"], "id": i["id"], "legalName": organisation.name}
        for i in organisation.identifiers()
    ]
    if identifiers:
        party["identifier"] = identifiers[0]
    if len(identifiers) > 1:
        party["additionalIdentifiers"] = identifiers[1:]
    return party


def _publisher(buyers: list[Organisation]) -> dict:
    distinct = {b.pk: b for b in buyers}
    if len(distinct) != 1:
        return {"name": "Placebook"}
    (buyer,) = distinct.values()
    publisher = {"name": buyer.name}
    if identifiers := buyer.identifiers():
        publisher |= {"scheme": identifiers[0]["scheme"], "uid": identifiers[0]["id"]}
    return publisher


def _release(*, ocid, changed, parties, buyer, tender, awards=(), contracts=(), related=()):
    changed_at = max(changed)
    release = {
        "ocid": ocid,
        # Changes whenever the process does, so a new state is a new release.
        "id": f"{ocid}-{changed_at.astimezone(UTC):%Y%m%dT%H%M%SZ}",
        "date": _datetime(changed_at),
        "tag": ["tender"] + ["award"] * bool(awards) + ["contract"] * bool(contracts),
        "initiationType": "tender",
        "language": "en",
        "parties": parties.as_list(),
        "buyer": buyer,
        "tender": tender,
        "_date": changed_at,
    }
    if awards:
        release["awards"] = list(awards)
    if contracts:
        release["contracts"] = list(contracts)
    if related:
        release["relatedProcesses"] = list(related)
    return release


def _value(money: Money) -> dict:
    # OCDS amounts are JSON numbers; rounded to the penny first, so the float is exact
    # enough to print as the same pounds and pence.
    return {"amount": float(money.rounded().amount), "currency": money.currency}


def _datetime(value: datetime) -> str:
    return timezone.localtime(value).isoformat(timespec="seconds")


def _period(start: date, end: date, max_extent: date | None = None) -> dict:
    # Dates known only to the day run from the start of the first day to the end of the
    # last, in UK time (neither midnight nor 23:59:59 falls in a clock change).
    period = {
        "startDate": _datetime(timezone.make_aware(datetime.combine(start, time.min))),
        "endDate": _datetime(timezone.make_aware(datetime.combine(end, time(23, 59, 59)))),
    }
    if max_extent is not None and max_extent > end:
        period["maxExtentDate"] = _datetime(
            timezone.make_aware(datetime.combine(max_extent, time(23, 59, 59)))
        )
    return period
