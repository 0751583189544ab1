"""Sefton's supported living purchasing (seed 003), loaded by ``load_demo``.

Fixed reference data is in ``demo_data/sefton/*.json``, each fact with the seed line that
states it: Sefton's purchasing system and the Liverpool City Region one it also uses, their
lots and evaluation model, the RAS table, the scheme of delegation, and 37 synthetic
providers (seed 003 paragraph 3.2: 27 in Sefton, 10 outside) with their applications.

The market's history is generated with a seeded random number generator, at the scale the
paper gives: about 611 synthetic people (paragraph 3.1); the 12-month temporary direct awards
of 2021-22 to the then-current providers (recommendation 2); call-offs from the system from
September 2022 worth about £22m a year (paragraph 3.2), each a 3-year contract with 1 + 1
years' extension after a performance review (paragraph 5.6); a continuity award after one
provider left the market (recommendation 7); and a few off-framework spot purchases, falling
year by year (paragraph 5.3).

History is written in bulk through ``AuditedQuerySet``, which audits every row, because the
services act at the present moment and one row at a time. It keeps their rules: call-offs are
scored by the rule of ``score_responses`` (a test checks the two agree), approvals pass the
service's delegation check for the scheme then in force, and the exit goes through
``record_exit``. A handful of live packages are then made through the services, so the
demo's broker, approver and provider user have real work with a real audit trail.

The history names the council staff who scored, brokered and approved, and they are the
demo sign-ins (officer, commissioner, manager), so it is loaded only with them; without them
only the reference data is, as a load without sign-ins must create no accounts.

Loading twice changes nothing: reference data is matched on natural keys and left alone once
there, and the history has fixed references and is written only when none of it exists.
"""

import json
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cached_property
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils import timezone

from placebook.contracts.models import (
    Contract,
    ContractExtension,
    ContractKind,
    ContractStatus,
    DirectAwardReason,
)
from placebook.contracts.services import REVIEW_NOTICE, annual_from_weekly, term_end
from placebook.core.demo import DEMO_USERS, DemoDataError
from placebook.core.models import Area, Organisation, Person, Role, Source, User
from placebook.core.money import Money
from placebook.core.services import grant_role
from placebook.purchasing.models import (
    Admission,
    Answer,
    Application,
    ApplicationStatus,
    Award,
    AwardStatus,
    CqcRating,
    CqcRatingValue,
    Criterion,
    DelegationLimit,
    EvaluationModel,
    GateCheck,
    GateKind,
    GateOutcome,
    Heading,
    Invitation,
    Lot,
    ModeratedScore,
    PackageRequest,
    PackageStatus,
    PurchasingSystem,
    RasAnswer,
    RasQuestion,
    RasTable,
    Response,
    SchemeOfDelegation,
    Score,
)
from placebook.purchasing.services import applications as application_services
from placebook.purchasing.services import packages as package_services
from placebook.purchasing.services.direct import record_exit
from placebook.purchasing.services.errors import PurchasingError
from placebook.purchasing.services.packages import START_TOLERANCE
from placebook.purchasing.services.ras import Budget, calculate_budget, publish_ras_table

DATA_DIR = Path(__file__).parent / "demo_data" / "sefton"
SYSTEM_KEY = "sefton-supported-living"
COUNCIL_KEY = "sefton-council"
RAS_KEY = "sefton-ras"
SEED = 3  # seed 003
# Contracts the history writes have references beginning with this.
HISTORY_PREFIX = "SL-"

# Recommendation 2 gave the then-current providers 12 months while the system was bought;
# Cabinet met on 24 June 2021, so they are taken to run from September 2021, up to the
# first call-offs from the new system (recommendation 4: "from August 2022").
TEMPORARY_START = date(2021, 9, 1)
CALL_OFF_ROUND = datetime(2022, 8, 1, 9, 30)
FIRST_CALL_OFFS = date(2022, 9, 1)
APPLICATIONS_DECIDED = datetime(2022, 7, 25, 10, 0)
MODERATION_NOTE = "Agreed at the moderation meeting of 20 July 2022 after re-reading the answer."

# Packages by lot number. The 550 people moved from the temporary awards onto call-offs,
# 47 more came later (seed 003 paragraph 3.4: about 20 people a year move into adult
# services), 8 were bought off the system and 6 are live: 611 in all (paragraph 3.1).
COHORT_CALL_OFFS = {1: 376, 2: 150, 3: 10, 4: 14}
NEW_CALL_OFFS = {1: 34, 2: 8, 3: 2, 4: 3}
# Out-of-area placements where no admitted provider works: (start, area, supplier key).
SPOT_PURCHASES = [
    (FIRST_CALL_OFFS, "E08000010", "synthetic-weaverfold-care"),
    (FIRST_CALL_OFFS, "E08000010", "synthetic-weaverfold-care"),
    (FIRST_CALL_OFFS, "E10000017", "synthetic-ormswick-supported-living"),
    (FIRST_CALL_OFFS, "E08000013", "synthetic-glasshouse-lane-care"),
    (date(2023, 6, 5), "E08000010", "synthetic-weaverfold-care"),
    (date(2023, 11, 13), "E10000017", "synthetic-ormswick-supported-living"),
    (date(2024, 5, 20), "E08000013", "synthetic-glasshouse-lane-care"),
    (date(2025, 7, 7), "E08000010", "synthetic-weaverfold-care"),
]
SPOT_MONTHS = 12

# Where packages are: Sefton's three council localities, and for supported living the
# neighbouring councils where some people chose to live (paragraph 3.2).
LOCALITIES = {
    1: {
        "SEFTON-LOC-NORTH": 30,
        "SEFTON-LOC-CENTRAL": 25,
        "SEFTON-LOC-SOUTH": 36,
        "E08000012": 4,
        "E08000015": 2.5,
        "E08000011": 2.5,
    },
    "sefton": {"SEFTON-LOC-NORTH": 33, "SEFTON-LOC-CENTRAL": 27, "SEFTON-LOC-SOUTH": 40},
}
# RAS answers by lot, with their weights: made up, so that budgets are about £300 a week for
# community support and £600-£2,000 for 24-hour supported living.
NEEDS = {
    1: {
        "personal-care": {"none": 15, "prompting": 30, "some": 35, "all": 20},
        "daily-living": {"some": 30, "most": 45, "all": 25},
        "community-access": {"some": 30, "regular": 50, "most-days": 20},
        "night-support": {"none": 25, "on-call": 20, "sleep-in": 45, "waking": 10},
        "behaviour-support": {"none": 40, "occasional": 35, "plan": 20, "two-to-one": 5},
    },
    2: {
        "personal-care": {"none": 50, "prompting": 35, "some": 15},
        "daily-living": {"none": 20, "some": 55, "most": 25},
        "community-access": {"some": 45, "regular": 45, "most-days": 10},
        "night-support": {"none": 90, "on-call": 10},
        "behaviour-support": {"none": 60, "occasional": 30, "plan": 10},
    },
    3: {
        "personal-care": {"prompting": 30, "some": 50, "all": 20},
        "daily-living": {"some": 50, "most": 50},
        "community-access": {"none": 30, "some": 50, "regular": 20},
        "night-support": {"on-call": 80, "sleep-in": 20},
        "behaviour-support": {"none": 90, "occasional": 10},
    },
    4: {
        "personal-care": {"none": 60, "prompting": 40},
        "daily-living": {"none": 70, "some": 30},
        "community-access": {"regular": 50, "most-days": 50},
        "night-support": {"none": 100},
        "behaviour-support": {"none": 70, "occasional": 30},
    },
}
# Distinct assessments drawn for each lot.
PROFILES = 16
# Hours are worked out at the dearest provider's rate, so every rate fits the budget.
PRICING_RATE = Decimal("24.50")
# How evaluators scored each provider's answers (out of 5), by its CQC rating.
SCORE_LEVEL = {
    CqcRatingValue.OUTSTANDING: 4.3,
    CqcRatingValue.GOOD: 3.6,
    CqcRatingValue.REQUIRES_IMPROVEMENT: 3.3,
    CqcRatingValue.INADEQUATE: 2.0,
    None: 3.6,
}
SCORE_COMMENTS = [
    "No relevant answer.",
    "Does not answer the question.",
    "Generic answer with little evidence.",
    "Satisfactory; some points lack evidence.",
    "Good answer with clear evidence.",
    "Excellent, well evidenced answer.",
]
PROPOSALS = [
    "A small team of named support workers, matched to the person's interests.",
    "Support from the team already working in the house, with a named key worker.",
    "A core team of three, with a positive behaviour lead visiting weekly.",
    "Flexible hours agreed with the person each week, with assistive technology at night.",
]
GIVEN_NAMES = [
    "Alex", "Sam", "Jo", "Chris", "Pat", "Robin", "Jamie", "Charlie", "Frankie", "Morgan",
    "Taylor", "Jordan", "Casey", "Riley", "Avery", "Rowan", "Quinn", "Sasha", "Toni", "Kim",
    "Lee", "Drew", "Jess", "Nicky", "Terry", "Danny", "Billie", "Ashley", "Kerry", "Leslie",
]  # fmt: skip
# Made up so that no synthetic person shares a real resident's name.
FAMILY_NAMES = [
    "Quillfeather", "Marrowby", "Fenwhistle", "Pebblewick", "Sorrelthwaite", "Dunnockley",
    "Brindlecombe", "Hazelwhit", "Tumbleford", "Nettlebury", "Cobblethorne", "Wispington",
    "Puddleswick", "Larkstead", "Bramblemere", "Thimbleton", "Crocusworth", "Gorsewhistle",
    "Mossbottle", "Quenby-Moss",
]  # fmt: skip
# Ages on the date of the paper: "a high proportion ... are over 50" (paragraph 3.3).
AGES = {(18, 24): 8, (25, 49): 37, (50, 64): 35, (65, 85): 20}
REFERENCE_SYMBOLS = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

# The history's evaluators, brokers and approvers are the demo sign-ins (core.demo), so
# it is loaded only with them: a load without them must create no accounts.
STAFF = {
    "broker": Role.COUNCIL_OFFICER,
    "commissioner": Role.COMMISSIONER,
    "approver": Role.SENIOR_MANAGER,
}
# Live packages for the demo users: (status, lot, locality, needs, days to start, responders).
LIVE = [
    ("draft", 1, "SEFTON-LOC-NORTH", ("some", "most", "regular", "sleep-in", "occasional"), 28, 0),
    ("open", 4, "SEFTON-LOC-SOUTH", ("none", "none", "most-days", "none", "none"), 21, 2),
    ("open", 2, "SEFTON-LOC-CENTRAL", ("prompting", "some", "regular", "none", "none"), 21, 2),
    ("evaluated", 1, "SEFTON-LOC-SOUTH", ("some", "all", "regular", "sleep-in", "plan"), 14, 3),
    ("awaiting", 1, "SEFTON-LOC-CENTRAL", ("all", "most", "some", "sleep-in", "none"), 14, 3),
    ("runner-up", 2, "SEFTON-LOC-NORTH", ("some", "some", "regular", "on-call", "none"), 14, 3),
]  # fmt: skip
# The invitation the demo provider (Sefton New Directions) has to answer closes this long
# after loading.
OPEN_FOR = timedelta(days=4)
# One synthetic person for each package: 611, as paragraph 3.1 counts.
PEOPLE = (
    sum(COHORT_CALL_OFFS.values()) + sum(NEW_CALL_OFFS.values()) + len(SPOT_PURCHASES) + len(LIVE)
)


# Reading the files ------------------------------------------------------------------------


def _read(name: str) -> list[dict]:
    try:
        return json.loads((DATA_DIR / name).read_text())
    except json.JSONDecodeError as exc:
        raise DemoDataError(f"{name}: not valid JSON ({exc})") from exc


def _each(name: str, records: list[dict], write) -> int:
    for index, record in enumerate(records, start=1):
        label = record.get("key") or record.get("provider") or record.get("name") or ""
        try:
            write(record)
        except KeyError as exc:
            raise DemoDataError(
                f"{name} record {index} ({label!r}): missing field {exc.args[0]!r}"
            ) from exc
        except (ValidationError, ValueError, LookupError, PurchasingError) as exc:
            raise DemoDataError(f"{name} record {index} ({label!r}): {_detail(exc)}") from exc
    return len(records)


def _detail(exc: Exception) -> str:
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        return "; ".join(f"{f}: {m}" for f, messages in exc.message_dict.items() for m in messages)
    if isinstance(exc, ValidationError):
        return "; ".join(exc.messages)
    return str(exc)


def _lookup(table: dict, key, field_name: str):
    try:
        return table[key]
    except KeyError:
        raise LookupError(f"{field_name}: unknown {key!r}") from None


def _moment(text: str) -> datetime:
    return timezone.make_aware(datetime.fromisoformat(text))


def _aware(day: date, at: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, at))


def _money(text: str, field_name: str) -> Money:
    try:
        return Money(text)
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise ValueError(f"{field_name}: {text!r} is not an amount of money") from exc


@dataclass
class _Lookups:
    sources: dict[str, Source]
    areas: dict[str, Area]
    organisations: dict[str, Organisation]

    @classmethod
    def load(cls) -> "_Lookups":
        return cls(
            {s.key: s for s in Source.objects.all()},
            {a.code: a for a in Area.objects.all()},
            {o.key: o for o in Organisation.objects.all()},
        )

    def provenance(self, record: dict) -> dict:
        key = record.get("source")
        return {
            "source": _lookup(self.sources, key, "source") if key else None,
            "source_line": record.get("line"),
        }


# Reference data --------------------------------------------------------------------------


def demo_staff() -> dict[str, User]:
    usernames = {role: username for username, _f, _l, role, *_ in DEMO_USERS}
    # Read afresh, so a senior manager's limit is Money as the delegation check compares it.
    return {job: User.objects.get(username=usernames[role]) for job, role in STAFF.items()}


def _load_evaluation_model(system: PurchasingSystem, spec: dict, by) -> None:
    # Seed 003 paragraph 5.6 gives the headings (quality, including social value and
    # innovation), not the numbers: the weights in systems.json (60/10/10/20) are the
    # demo's. Built through the services, which refuse weights that do not add up, then
    # dated to when it was published for the tender rather than to when it was loaded.
    model = application_services.save_evaluation_model(
        by=by,
        system=system,
        **{
            name: Decimal(spec[name])
            for name in [
                "quality_weight",
                "social_value_weight",
                "innovation_weight",
                "price_weight",
                "pass_mark",
            ]
        },
        moderation_gap=spec["moderation_gap"],
    )
    for criterion in spec["criteria"]:
        application_services.save_criterion(
            by=by,
            model=model,
            code=criterion["code"],
            heading=criterion["heading"],
            question=criterion["question"],
            weight=Decimal(criterion["weight"]),
        )
    for gate in spec["gates"]:
        application_services.save_gate(
            by=by, model=model, kind=gate["kind"], description=gate["description"]
        )
    application_services.publish_evaluation_model(by=by, model=model)
    EvaluationModel.objects.filter(pk=model.pk).update(published_at=_moment(spec["published"]))


def load_systems(lookups: _Lookups, *, by) -> int:
    def write(r):
        if PurchasingSystem.objects.filter(key=r["key"]).exists():
            return
        system = PurchasingSystem(
            key=r["key"],
            name=r["name"],
            kind=r["kind"],
            regime=r["regime"],
            owner=_lookup(lookups.organisations, r["owner"], "owner"),
            description=r["description"],
            start=date.fromisoformat(r["start"]),
            end=date.fromisoformat(r["end"]),
            status=r["status"],
            call_off_term_months=r["call_off_term_months"],
            extension_months=r["extension_months"],
            **lookups.provenance(r),
        )
        system.full_clean()
        system.save()
        for spec in r["lots"]:
            value = spec.get("estimated_annual_value")
            lot = Lot(
                system=system,
                number=spec["number"],
                name=spec["name"],
                category=spec["category"],
                description=spec.get("description", ""),
                estimated_annual_value=_money(value, "estimated_annual_value") if value else None,
            )
            # MoneyField's decimal validators cannot read Money, so amounts are parsed
            # (``_money``) rather than validated.
            lot.full_clean(exclude=["estimated_annual_value"])
            lot.save()
            lot.areas.set([_lookup(lookups.areas, code, "areas") for code in spec["areas"]])
        if "evaluation_model" in r:
            _load_evaluation_model(system, r["evaluation_model"], by)

    return _each("systems.json", _read("systems.json"), write)


def load_providers(lookups: _Lookups) -> int:
    """The synthetic providers and their CQC ratings; every one is made up."""
    new, ratings = [], []

    def prepare(r):
        provider = lookups.organisations.get(r["key"])
        if provider is not None and not provider.is_synthetic:
            raise ValueError(f"key: {r['key']!r} is a real organisation; choose another key")
        if provider is None:
            provider = Organisation(
                key=r["key"],
                name=r["name"],
                kind="care_provider",
                area=_lookup(lookups.areas, r["area"], "area"),
                cqc_provider_id=r["cqc_provider_id"],
                is_synthetic=True,
            )
            # Field checks only: uniqueness is left to the database, one query for all.
            provider.clean_fields()
            new.append(provider)
            lookups.organisations[provider.key] = provider
            ratings.append(
                CqcRating(
                    provider=provider,
                    rating=CqcRatingValue(r["cqc_rating"]),
                    rated_on=date.fromisoformat(r["cqc_rated_on"]),
                )
            )

    count = _each("providers.json", _read("providers.json"), prepare)
    Organisation.objects.bulk_create(new)
    CqcRating.objects.bulk_create(ratings)
    return count


def load_ras_tables(*, by) -> int:
    def write(r):
        if RasTable.objects.filter(key=r["key"], version=r["version"]).exists():
            return
        table = RasTable.objects.create(
            key=r["key"],
            version=r["version"],
            name=r["name"],
            effective_from=date.fromisoformat(r["effective_from"]),
            pound_per_point=_money(r["pound_per_point"], "pound_per_point"),
            minimum_weekly=_money(r["minimum_weekly"], "minimum_weekly"),
            maximum_weekly=_money(r["maximum_weekly"], "maximum_weekly"),
            is_synthetic=True,
        )
        for order, spec in enumerate(r["questions"], start=1):
            question = RasQuestion.objects.create(
                table=table, code=spec["code"], text=spec["text"], order=order
            )
            RasAnswer.objects.bulk_create(
                RasAnswer(question=question, code=code, label=label, points=points)
                for code, label, points in spec["answers"]
            )
        publish_ras_table(by=by, table=table)
        RasTable.objects.filter(pk=table.pk).update(published_at=_moment(r["published"]))

    return _each("ras_tables.json", _read("ras_tables.json"), write)


def load_schemes(lookups: _Lookups) -> int:
    def write(r):
        scheme, created = SchemeOfDelegation.objects.get_or_create(
            name=r["name"],
            version=r["version"],
            defaults={
                "effective_from": date.fromisoformat(r["effective_from"]),
                **lookups.provenance(r),
            },
        )
        if not created:
            return
        for limit in r["limits"]:
            row = DelegationLimit(
                scheme=scheme,
                role=limit["role"],
                weekly_limit=_money(limit["weekly_limit"], "weekly_limit"),
                annual_limit=_money(limit["annual_limit"], "annual_limit"),
            )
            row.full_clean(exclude=["weekly_limit", "annual_limit"])
            row.save()

    return _each("schemes_of_delegation.json", _read("schemes_of_delegation.json"), write)


# Applications ----------------------------------------------------------------------------


def _automatic_gates(provider: Organisation, rating: CqcRating) -> dict[str, tuple]:
    """The CQC gates as the system checked them from the data when the provider applied."""
    rated = GateOutcome.FAILED if rating.rating == CqcRatingValue.INADEQUATE else GateOutcome.PASSED
    return {
        GateKind.CQC_REGISTERED: (
            GateOutcome.PASSED,
            f"{provider} holds CQC provider ID {provider.cqc_provider_id}.",
        ),
        GateKind.CQC_NOT_INADEQUATE: (
            rated,
            f"Latest CQC rating: {rating.get_rating_display()}, published {rating.rated_on}.",
        ),
    }


_MANUAL_GATES = {
    GateKind.INSURANCE: "Certificates seen: employer's and public liability of £5m each.",
    GateKind.SAFEGUARDING: "Safeguarding adults policy seen; it follows the Merseyside procedures.",
    GateKind.DECLARATION: "Declaration signed: no grounds for exclusion.",
}


@dataclass
class _Applicant:
    record: dict
    provider: Organisation
    application: Application
    lots: list[Lot]
    localities: list[Area]


def load_applications(lookups: _Lookups, staff: dict[str, User], rng: random.Random) -> int:
    """Applications scored by two evaluators, moderated where they differ by more than the
    model allows, decided, and the admissions they made. Points come from the service's
    ``result``, so they are worked out as for any application."""
    system = PurchasingSystem.objects.get(key=SYSTEM_KEY)
    model = system.evaluation_models.prefetch_related("criteria", "gates").get(version=1)
    lots = {lot.number: lot for lot in system.lots.all()}
    done = set(Application.objects.filter(system=system).values_list("provider__key", flat=True))
    applicants: list[_Applicant] = []

    def prepare(r):
        provider = _lookup(lookups.organisations, r["provider"], "provider")
        if not provider.is_synthetic and not r.get("real_provider"):
            raise ValueError(f"provider: {provider} is real; mark the record real_provider")
        if provider.key in done:
            return
        decided = (
            timezone.now() - timedelta(days=r["decided_days_ago"])
            if "decided_days_ago" in r
            else timezone.make_aware(APPLICATIONS_DECIDED)
        )
        application = Application(
            system=system,
            evaluation_model=model,
            provider=provider,
            capacity_hours_per_week=Decimal(r["capacity_hours_per_week"]),
            status=ApplicationStatus.DECIDED,
            submitted_at=decided - timedelta(days=rng.randint(20, 40), hours=rng.randint(0, 8)),
            decided_at=decided,
            decided_by=staff["commissioner"],
            decision_reasons=r["reasons"],
            decision_sent_at=decided,
            is_synthetic=True,
        )
        applicants.append(
            _Applicant(
                r,
                provider,
                application,
                [_lookup(lots, n, "lots") for n in r["lots"]],
                [_lookup(lookups.areas, c, "localities") for c in r["localities"]],
            )
        )

    count = _each("applications.json", _read("applications.json"), prepare)
    if not applicants:
        return count
    Application.objects.bulk_create([a.application for a in applicants])
    ratings = {r.provider_id: r for r in CqcRating.objects.order_by("rated_on")}
    checks, answers, scores, moderated = [], [], [], []
    for applicant in applicants:
        applicant.application.lots.set(applicant.lots)
        applicant.application.localities.set(applicant.localities)
        rating = ratings.get(applicant.provider.pk)
        checks += _gate_checks(applicant, model, rating)
        level = SCORE_LEVEL[rating.rating if rating else None] + rng.gauss(0, 0.2)
        for criterion in model.criteria.all():
            answers.append(
                Answer(
                    application=applicant.application,
                    criterion=criterion,
                    text=f"Synthetic demo answer from {applicant.provider} to "
                    f"{criterion.code}: {criterion.question}",
                )
            )
            scored, agreed = _scores(applicant.application, criterion, level, staff, rng, model)
            scores += scored
            moderated += agreed
    GateCheck.objects.bulk_create(checks)
    Answer.objects.bulk_create(answers)
    Score.objects.bulk_create(scores)
    ModeratedScore.objects.bulk_create(moderated)
    _admit(applicants)
    return count


def _gate_checks(
    applicant: _Applicant, model: EvaluationModel, rating: CqcRating | None
) -> list[GateCheck]:
    """The CQC gates as the system checked them from the data (where it holds a rating),
    the others as an evaluator recorded them."""
    from_data = _automatic_gates(applicant.provider, rating) if rating else {}
    checks = []
    for gate in model.gates.all():
        evidence = applicant.record.get("gate_evidence") or _MANUAL_GATES.get(gate.kind, "")
        outcome, evidence = from_data.get(gate.kind, (GateOutcome.PASSED, evidence))
        checks.append(
            GateCheck(
                application=applicant.application,
                gate=gate,
                outcome=outcome,
                automatic=gate.kind in from_data,
                evidence=evidence,
            )
        )
    return checks


def _scores(
    application: Application,
    criterion: Criterion,
    level: float,
    staff: dict[str, User],
    rng: random.Random,
    model: EvaluationModel,
) -> tuple[list[Score], list[ModeratedScore]]:
    """Two evaluators' scores for one question, near the provider's level, and the agreed
    score where they are further apart than the model's moderation gap."""
    first = _clamp(round(level + rng.gauss(0, 0.5)), 0, criterion.max_score)
    second = _clamp(first + rng.choice([-1, 0, 0, 0, 1]), 0, criterion.max_score)
    if rng.random() < 0.06:
        second = _clamp(first + rng.choice([-2, 2]), 0, criterion.max_score)
    scores = [
        Score(
            application=application,
            criterion=criterion,
            evaluator=evaluator,
            score=value,
            comment=SCORE_COMMENTS[value],
        )
        for evaluator, value in [(staff["broker"], first), (staff["commissioner"], second)]
    ]
    agreed = []
    if abs(first - second) > model.moderation_gap:
        agreed.append(
            ModeratedScore(
                application=application,
                criterion=criterion,
                score=Decimal(min(first, second) + 1),
                note=MODERATION_NOTE,
            )
        )
    return scores, agreed


def _clamp(value: int, low: int, high: int) -> int:
    return max(low, min(high, value))


def _admit(applicants: list[_Applicant]) -> None:
    admissions = []
    for applicant in applicants:
        outcome = application_services.result(applicant.application)
        admitted = applicant.record["outcome"] == "admitted"
        if admitted != (outcome.gates_passed and outcome.passes_mark):
            raise DemoDataError(
                f"applications.json ({applicant.provider.key!r}): outcome "
                f"{applicant.record['outcome']!r}, but the scores and gates give "
                f"{outcome.score} of 100 with gates passed {outcome.gates_passed}."
            )
        if not admitted:
            continue
        for lot in applicant.lots:
            admissions.append(
                Admission(
                    lot=lot,
                    provider=applicant.provider,
                    application=applicant.application,
                    quality_score=outcome.points[Heading.QUALITY.value],
                    social_value_score=outcome.points[Heading.SOCIAL_VALUE.value],
                    innovation_score=outcome.points[Heading.INNOVATION.value],
                    capacity_hours_per_week=applicant.application.capacity_hours_per_week,
                    admitted_at=applicant.application.decided_at,
                )
            )
    Admission.objects.bulk_create(admissions)
    localities = {a.application.pk: a.localities for a in applicants}
    for admission in admissions:
        admission.localities.set(localities[admission.application_id])


# The market's history --------------------------------------------------------------------


def _weighted(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _reference(rng: random.Random, prefix: str, length: int) -> str:
    return prefix + "".join(rng.choice(REFERENCE_SYMBOLS) for _ in range(length))


def _hours(budget: Budget, share: float) -> Decimal:
    """Hours a week, to the half hour, that cost about ``share`` of the budget."""
    hours = (budget.weekly.amount * Decimal(str(share)) / PRICING_RATE * 2).to_integral_value()
    return max(hours / 2, Decimal(2))


def _people(count: int) -> list[Person]:
    """Made-up residents, the same on every load: their references key the history."""
    rng = random.Random(f"{SEED}-people")
    people, references = [], set()
    while len(people) < count:
        reference = _reference(rng, "P-", 8)
        if reference in references:
            continue
        references.add(reference)
        low, high = _weighted(rng, AGES)
        people.append(
            Person(
                reference=reference,
                given_name=rng.choice(GIVEN_NAMES),
                family_name=rng.choice(FAMILY_NAMES),
                date_of_birth=date(2021 - rng.randint(low, high), rng.randint(1, 12), 1)
                + timedelta(days=rng.randint(0, 27)),
                is_synthetic=True,
            )
        )
    return people


@dataclass
class _Package:
    """One person's package as the history generator plans it, before it is written."""

    person: Person
    reference: str
    lot: Lot
    locality: Area
    answers: dict[str, str]
    budget: Budget
    hours: Decimal
    start: date
    cohort: bool
    spot_supplier: Organisation | None = None
    sent: datetime | None = None
    deadline: datetime | None = None
    decided: datetime | None = None
    invited: list[Admission] = field(default_factory=list)
    responders: list[Admission] = field(default_factory=list)
    request: PackageRequest | None = None
    responses: list[Response] = field(default_factory=list)
    award: Award | None = None


class _History:
    """Generates the market from 2021 to the day it is loaded, then writes it in bulk."""

    def __init__(self, lookups: _Lookups, staff: dict[str, User], today: date):
        self.lookups, self.staff, self.today = lookups, staff, today
        self.rng = random.Random(f"{SEED}-packages")
        self.system = PurchasingSystem.objects.get(key=SYSTEM_KEY)
        self.council = self.system.owner
        self.lots = {lot.number: lot for lot in self.system.lots.all()}
        self.ras = RasTable.objects.get(key=RAS_KEY, version=1)
        self.questions = list(self.ras.questions.prefetch_related("answers"))
        self.providers = {r["key"]: r for r in _read("providers.json")}
        self.rates = {
            lookups.organisations[key].pk: _money(r["hourly_rate"], "hourly_rate")
            for key, r in self.providers.items()
        }
        self.exits = {
            lookups.organisations[key].pk: date.fromisoformat(r["exited_on"])
            for key, r in self.providers.items()
            if r.get("exited_on")
        }
        self.admissions = list(
            Admission.objects.filter(lot__system=self.system)
            .select_related("provider", "lot")
            .prefetch_related("localities")
        )
        self.admission_of = {(a.lot_id, a.provider_id): a for a in self.admissions}
        self.covers = {a.pk: {area.pk for area in a.localities.all()} for a in self.admissions}
        self.model = self.system.evaluation_models.get(version=1)
        self.caps = {
            limit.scheme.effective_from: limit.weekly_limit
            for limit in DelegationLimit.objects.filter(role=Role.SENIOR_MANAGER)
            .select_related("scheme")
            .order_by("scheme__effective_from")
        }
        self._budgets: dict[tuple, Budget] = {}

    # Planning ------------------------------------------------------------------------

    def budget(self, answers: dict[str, str]) -> Budget:
        key = tuple(sorted(answers.items()))
        if key not in self._budgets:
            self._budgets[key] = calculate_budget(self.ras, answers)
        return self._budgets[key]

    @cached_property
    def profiles(self) -> dict[int, list[tuple[dict[str, str], Budget]]]:
        """Typical assessments for each lot, drawn once: people's needs cluster, and each
        distinct assessment costs the RAS a database read."""
        profiles = {}
        for number, needs in NEEDS.items():
            drawn = [{q: _weighted(self.rng, w) for q, w in needs.items()} for _ in range(PROFILES)]
            profiles[number] = [(answers, self.budget(answers)) for answers in drawn]
        return profiles

    def scheme_on(self, day: date) -> date:
        """The scheme of delegation in force on the day, by its start."""
        started = [since for since in self.caps if since <= day]
        if not started:
            raise DemoDataError(f"schemes_of_delegation.json: no scheme in force on {day}.")
        return max(started)

    def needs(self, lot: Lot, decided: date) -> tuple[dict[str, str], Budget, Decimal]:
        """One of the lot's typical assessments whose budget a senior manager could approve
        on the day, and hours priced within it at every admitted provider's rate."""
        cap = self.caps[self.scheme_on(decided)]
        affordable = [(a, b) for a, b in self.profiles[lot.number] if b.weekly <= cap]
        if not affordable:
            raise DemoDataError(f"ras_tables.json: every {lot} budget is above {cap} a week.")
        answers, budget = self.rng.choice(affordable)
        return answers, budget, _hours(budget, round(self.rng.uniform(0.88, 0.98), 3))

    def eligible(self, package: _Package, on: datetime) -> list[Admission]:
        """Admissions that could be invited on the day, as ``eligible_admissions`` would
        have found them then: admitted by then and not yet left the market."""
        return [
            a
            for a in self.admissions
            if a.lot_id == package.lot.pk
            and a.admitted_at <= on
            and self.exits.get(a.provider_id, date.max) > on.date()
            and (not self.covers[a.pk] or package.locality.pk in self.covers[a.pk])
            and (a.capacity_hours_per_week is None or a.capacity_hours_per_week >= package.hours)
        ]

    def plan(self, people: list[Person]) -> list[_Package]:
        references: set[str] = set()
        queue = iter(people)
        packages = []

        def package(lot, locality_code, start, decided, cohort, supplier=None):
            while (reference := _reference(self.rng, "PK-", 7)) in references:
                pass
            references.add(reference)
            answers, budget, hours = self.needs(lot, decided)
            return _Package(
                next(queue),
                reference,
                lot,
                _lookup(self.lookups.areas, locality_code, "locality"),
                answers,
                budget,
                hours,
                start,
                cohort,
                supplier,
            )

        def call_off(number, cohort):
            lot = self.lots[number]
            locality = _weighted(self.rng, LOCALITIES.get(number, LOCALITIES["sefton"]))
            if cohort:
                sent = timezone.make_aware(CALL_OFF_ROUND) + timedelta(
                    days=self.rng.randint(0, 10), minutes=self.rng.randint(0, 300)
                )
                start = FIRST_CALL_OFFS
            else:
                first, last = date(2022, 10, 3), self.today - timedelta(days=21)
                start = first + timedelta(days=int(self.rng.random() * (last - first).days))
                sent = _aware(start - timedelta(days=28), time(9, 30))
            deadline = _aware(sent.date() + timedelta(days=10), time(12))
            decided = _aware(deadline.date() + timedelta(days=self.rng.randint(1, 4)), time(11))
            planned = package(lot, locality, start, decided.date(), cohort)
            planned.sent, planned.deadline, planned.decided = sent, deadline, decided
            planned.invited = self.eligible(planned, sent)
            if not planned.invited:
                raise DemoDataError(
                    f"No admitted provider covers {planned.locality} on {lot} for "
                    f"{planned.hours} hours: widen the localities in applications.json."
                )
            wanted = min(len(planned.invited), self.rng.choice([1, 2, 2, 3]))
            planned.responders = self.rng.sample(planned.invited, wanted)
            self.respond(planned)
            packages.append(planned)

        for number, count in COHORT_CALL_OFFS.items():
            for _ in range(count):
                call_off(number, cohort=True)
        for number, count in NEW_CALL_OFFS.items():
            for _ in range(count):
                call_off(number, cohort=False)
        for start, area, supplier in SPOT_PURCHASES:
            packages.append(
                package(
                    self.lots[1],
                    area,
                    start,
                    start,
                    start == FIRST_CALL_OFFS,
                    _lookup(self.lookups.organisations, supplier, "supplier"),
                )
            )
        return packages

    # Writing -------------------------------------------------------------------------

    def support_needed(self, lot: Lot, answers: dict[str, str]) -> str:
        """The need in the RAS's words, so nothing in it can identify the person."""
        parts = [
            f"{q.text.split(' (')[0].lower()}: {a.label.lower()}"
            for q in self.questions
            for a in q.answers.all()
            if answers[q.code] == a.code
        ]
        return f"{lot.name}. " + "; ".join(parts).capitalize() + "."

    def price(self, provider_id: int, hours: Decimal) -> Money:
        return (self.rates[provider_id] * hours).rounded()

    def respond(self, planned: _Package) -> None:
        """The responders' offers, scored and ranked as the broker's ``evaluate`` would."""
        window = planned.deadline - planned.sent
        for order, admission in enumerate(planned.responders):
            # One in twenty later responders cannot start in time, so is not compliant.
            late = order > 0 and self.rng.random() < 0.05
            planned.responses.append(
                Response(
                    provider=admission.provider,
                    weekly_price=self.price(admission.provider_id, planned.hours),
                    hourly_rate=self.rates[admission.provider_id],
                    start_date=planned.start + timedelta(days=42 if late else 0),
                    proposal=self.rng.choice(PROPOSALS),
                    submitted_at=planned.sent + window * self.rng.uniform(0.1, 0.95),
                )
            )
        self.score(planned)

    def score(self, planned: _Package) -> None:
        """The rule of ``services.packages.score_responses``, applied before the responses
        are written: the service reads them from the database, and scoring 600 packages
        there one by one takes minutes. test_demo checks that the two agree."""
        model = self.model
        checked = []
        for response in planned.responses:
            reasons = []
            if response.start_date > planned.start + START_TOLERANCE:
                reasons.append(f"starts {response.start_date:%-d %B %Y}, over four weeks late")
            if response.weekly_price > planned.budget.weekly:
                reasons.append(
                    f"{response.weekly_price} a week is above the indicative budget of "
                    f"{planned.budget.weekly}"
                )
            checked.append((response, reasons))
        lowest = min(r.weekly_price for r, reasons in checked if not reasons)
        for response, reasons in checked:
            admission = self.admission_of[planned.lot.pk, response.provider.pk]
            price = (
                Decimal(0)
                if reasons
                else (model.weights[Heading.PRICE] * (lowest / response.weekly_price)).quantize(
                    Decimal("0.01"), ROUND_HALF_UP
                )
            )
            response.compliant, response.non_compliance = not reasons, "; ".join(reasons)
            response.price_score = price
            response.total_score = (
                admission.quality_score
                + admission.social_value_score
                + admission.innovation_score
                + price
            )
            response.working = {
                "evaluation_model": str(model),
                "weights": {k: str(v) for k, v in model.weights.items()},
                "price_points": str(price),
                "total": str(response.total_score),
            }
        planned.responses.sort(key=lambda r: (not r.compliant, -r.total_score, r.submitted_at))
        for rank, response in enumerate(planned.responses, start=1):
            response.rank = rank if response.compliant else None

    def write_packages(self, packages: list[_Package]) -> None:
        for planned in packages:
            spot = planned.spot_supplier is not None
            planned.request = PackageRequest(
                reference=planned.reference,
                person=planned.person,
                lot=planned.lot,
                locality=planned.locality,
                support_needed=self.support_needed(planned.lot, planned.answers),
                hours_per_week=planned.hours,
                start_date=planned.start,
                ras_table=self.ras,
                assessment_answers=planned.answers,
                indicative_weekly_budget=planned.budget.weekly,
                budget_calculation=planned.budget.lines,
                response_deadline=planned.deadline,
                status=PackageStatus.AWARDED,
                outcome_reasons=self.spot_justification(planned) if spot else self.reasons(planned),
                is_synthetic=True,
            )
            for response in planned.responses:
                response.package = planned.request
        PackageRequest.objects.bulk_create([p.request for p in packages])
        Invitation.objects.bulk_create(
            Invitation(package=p.request, provider=a.provider, sent_at=p.sent)
            for p in packages
            for a in p.invited
        )
        self.award([p for p in packages if p.spot_supplier is None])
        Response.objects.bulk_create([r for p in packages for r in p.responses])
        Award.objects.bulk_create([p.award for p in packages if p.award])

    @staticmethod
    def reasons(planned: _Package) -> str:
        compliant = sum(1 for r in planned.responses if r.compliant)
        return f"Ranked first of {compliant} compliant responses under the published weights."

    def award(self, packages: list[_Package]) -> None:
        """Each call-off to its top response, approved by a senior manager within the scheme
        of delegation in force that day."""
        broker, approver = self.staff["broker"], self.staff["approver"]
        for planned in packages:
            winner = planned.responses[0]
            planned.award = Award(
                package=planned.request,
                response=winner,
                weekly_value=winner.weekly_price,
                annual_value=annual_from_weekly(winner.weekly_price),
                reasons=self.reasons(planned),
                status=AwardStatus.APPROVED,
                proposed_by=broker,
                approver=approver,
                decided_at=planned.decided,
            )
        # The limits are ceilings, so the largest award made under each version of the
        # scheme is the one to check: if it is within delegation, all the others are.
        by_scheme = defaultdict(list)
        for planned in packages:
            by_scheme[self.scheme_on(planned.decided.date())].append(planned.award)
        for awards in by_scheme.values():
            largest = max(awards, key=lambda a: (a.weekly_value, a.annual_value))
            limit = package_services.check_within_delegation(
                approver, largest.weekly_value, largest.annual_value, largest.decided_at.date()
            )
            for award in awards:
                award.delegation = limit

    def spot_justification(self, planned: _Package) -> str:
        return (
            f"No provider admitted to {planned.lot} works in {planned.locality}, where the "
            f"person has chosen to live near their family; bought from "
            f"{planned.spot_supplier}, which is not on the purchasing system."
        )

    def term(
        self,
        *,
        start: date,
        months: int,
        weekly: Money,
        ends_early: date | None = None,
        extension_months=(),
        **fields,
    ) -> tuple[Contract, list[ContractExtension]]:
        """A contract, worked out as ``create_contract`` does, and its options to extend,
        exercised where their performance review has come round (unless it ended first)."""
        end = term_end(start, months)
        contract = Contract(
            buyer=self.council,
            start=start,
            end=end,
            weekly_value=weekly,
            annual_value=annual_from_weekly(weekly),
            total_value=(weekly * ((end - start).days + 1) / 7).rounded(),
            is_synthetic=True,
            **fields,
        )
        extensions = []
        begins, exercised = end + timedelta(days=1), True
        for order, length in enumerate(extension_months, start=1):
            review = begins - REVIEW_NOTICE
            decided = review + timedelta(days=14)
            exercised = (
                exercised and decided <= self.today and not (ends_early and ends_early < review)
            )
            extensions.append(
                ContractExtension(
                    contract=contract,
                    order=order,
                    months=length,
                    start=begins,
                    end=term_end(begins, length),
                    review_due=review,
                    exercised=exercised,
                    decided_at=_aware(decided, time(10)) if exercised else None,
                    decision_note="Performance review satisfactory: extended." if exercised else "",
                )
            )
            if exercised:
                end = term_end(begins, length)
            begins = term_end(begins, length) + timedelta(days=1)
        # A contract cut short is live until the day it ends, when the exit is recorded.
        last_day = min(self.today, ends_early) if ends_early else self.today
        contract.status = ContractStatus.ACTIVE if end >= last_day else ContractStatus.ENDED
        return contract, extensions

    @staticmethod
    def save_contracts(terms: list[tuple[Contract, list[ContractExtension]]]) -> None:
        Contract.objects.bulk_create([contract for contract, _ in terms])
        ContractExtension.objects.bulk_create(e for _, extensions in terms for e in extensions)

    def call_offs(self, packages: list[_Package]) -> None:
        terms = []
        for number, planned in enumerate(packages, start=1):
            supplier = planned.award.response.provider
            terms.append(
                self.term(
                    reference=f"{HISTORY_PREFIX}CO-{number:04d}",
                    kind=ContractKind.CALL_OFF,
                    title=f"{planned.lot.get_category_display()} package {planned.reference}",
                    supplier=supplier,
                    lot=planned.lot,
                    service_category=planned.lot.category,
                    package=planned.request,
                    award=planned.award,
                    procurement_regime=self.system.get_regime_display(),
                    start=planned.start,
                    months=self.system.call_off_term_months,
                    weekly=planned.award.weekly_value,
                    extension_months=self.system.extension_months,
                    ends_early=self.exits.get(supplier.pk),
                )
            )
        self.save_contracts(terms)

    def spots(self, packages: list[_Package]) -> None:
        contracts = []
        for number, planned in enumerate(packages, start=1):
            supplier = planned.spot_supplier
            contracts.append(
                self.term(
                    reference=f"{HISTORY_PREFIX}SPOT-{number:02d}",
                    kind=ContractKind.SPOT,
                    title=f"Spot purchase: {planned.lot.name.lower()} package {planned.reference}",
                    supplier=supplier,
                    service_category=planned.lot.category,
                    package=planned.request,
                    direct_award_reason=DirectAwardReason.SPOT,
                    justification=self.spot_justification(planned),
                    start=planned.start,
                    months=SPOT_MONTHS,
                    weekly=self.price(supplier.pk, planned.hours),
                )
            )
        self.save_contracts(contracts)

    def holders_in_2021(self, packages: list[_Package]) -> dict[str, tuple]:
        """Who supported each person before the call-offs, by package reference: most
        people stayed with their provider, a quarter moved at the call-off, and every
        then-current provider (paragraph 3.2 counts 37) held at least one package."""
        coverage = defaultdict(list)
        for record in _read("applications.json"):
            provider = self.lookups.organisations[record["provider"]]
            if provider.is_synthetic:
                for number in record["lots"]:
                    for code in record["localities"]:
                        coverage[number, code].append(provider)
        holders = {}
        for planned in (p for p in packages if p.cohort):
            holder = planned.spot_supplier or planned.award.response.provider
            if not planned.spot_supplier and self.rng.random() < 0.25:
                holder = self.rng.choice(coverage[planned.lot.number, planned.locality.code])
            holders[planned.reference] = (holder, planned)
        for key in sorted({p.key for covering in coverage.values() for p in covering}):
            provider = self.lookups.organisations[key]
            if all(holder != provider for holder, _ in holders.values()):
                reference, (_, planned) = next(
                    (reference, (holder, p))
                    for reference, (holder, p) in holders.items()
                    if provider in coverage[p.lot.number, p.locality.code]
                )
                holders[reference] = (provider, planned)
        return holders

    def temporary_awards(self, packages: list[_Package]) -> None:
        """Recommendation 2: each then-current provider's packages in 2021-22, a little
        cheaper than the call-offs that replaced them."""
        held: dict[Organisation, list[tuple[Lot, Money]]] = defaultdict(list)
        for holder, planned in self.holders_in_2021(packages).values():
            discount = Decimal(str(round(self.rng.uniform(0.93, 0.98), 3)))
            held[holder].append(
                (planned.lot, (self.price(holder.pk, planned.hours) * discount).rounded())
            )
        contracts = []
        for number, (provider, packages_held) in enumerate(
            sorted(held.items(), key=lambda item: item[0].name), start=1
        ):
            main = max(
                {lot for lot, _ in packages_held},
                key=lambda lot: sum(held_lot == lot for held_lot, _ in packages_held),
            )
            contracts.append(
                self.term(
                    reference=f"{HISTORY_PREFIX}TEMP-{number:02d}",
                    kind=ContractKind.DIRECT_AWARD,
                    title=f"Temporary 12-month award to {provider} for its current packages",
                    supplier=provider,
                    service_category=main.category,
                    direct_award_reason=DirectAwardReason.TEMPORARY,
                    justification=(
                        f"Cabinet, 24 June 2021, recommendation 2: a temporary 12-month contract "
                        f"with a current provider of supported living ({len(packages_held)} "
                        "packages) while the local purchasing system was procured; awarded by "
                        "the Executive Director under recommendation 3."
                    ),
                    procurement_regime=self.system.get_regime_display(),
                    source=self.lookups.sources.get("seed-003"),
                    source_line=23,
                    start=TEMPORARY_START,
                    months=12,
                    weekly=Money.sum(w for _, w in packages_held),
                )
            )
        self.save_contracts(contracts)

    def exits_and_continuity(self, packages: list[_Package]) -> None:
        """Recommendation 7: a provider leaves, its packages pass straight to another
        provider on the same lot (the runner-up where it can), at the same price."""
        by_request = {p.request.pk: p for p in packages if p.request}
        contracts = []
        for key, record in self.providers.items():
            if not record.get("exited_on"):
                continue
            provider = self.lookups.organisations[key]
            on = date.fromisoformat(record["exited_on"])
            ended = record_exit(
                by=self.staff["commissioner"], provider=provider, on=on, note=record["exit_note"]
            )
            for contract in ended:
                planned = by_request[contract.package_id]
                moment = _aware(on, time(12))
                candidates = [r.provider for r in planned.responses[1:] if r.compliant] + [
                    a.provider for a in self.eligible(planned, moment)
                ]
                successor = next(p for p in candidates if self.exits.get(p.pk, date.max) > on)
                start = on + timedelta(days=1)
                latest = contract.latest_possible_end
                months = max(m for m in range(1, 61) if term_end(start, m) <= latest)
                contracts.append(
                    self.term(
                        reference=f"{HISTORY_PREFIX}CONT-{len(contracts) + 1:02d}",
                        kind=ContractKind.DIRECT_AWARD,
                        title=f"Continuity of {planned.reference} after {provider} left the market",
                        supplier=successor,
                        lot=planned.lot,
                        service_category=planned.lot.category,
                        package=planned.request,
                        direct_award_reason=DirectAwardReason.CONTINUITY,
                        justification=(
                            f"Cabinet, 24 June 2021, recommendation 7: {provider} left the "
                            f"market on {on:%-d %B %Y}; {successor} took the package over at "
                            "the same price, its staff transferring under TUPE, so the person's "
                            "support carried on until the end of the original call-off's term."
                        ),
                        source=self.lookups.sources.get("seed-003"),
                        source_line=31,
                        start=start,
                        months=months,
                        weekly=contract.weekly_value,
                    )
                )
        self.save_contracts(contracts)

    def load(self, people: list[Person]) -> None:
        existing = set(
            Person.objects.filter(reference__in=[p.reference for p in people]).values_list(
                "reference", flat=True
            )
        )
        if len(existing) == len(people):
            return
        if existing:
            raise DemoDataError(
                f"{len(existing)} of the {len(people)} synthetic people are loaded already: "
                "the history was changed since; flush the database and load again."
            )
        Person.objects.bulk_create(people)
        packages = self.plan(people)
        self.write_packages(packages)
        called_off = [p for p in packages if p.spot_supplier is None]
        self.call_offs(called_off)
        self.spots([p for p in packages if p.spot_supplier is not None])
        self.temporary_awards(packages)
        self.exits_and_continuity(packages)


# Live packages ---------------------------------------------------------------------------


def _portal_account(provider: Organisation, *, by) -> User:
    """A provider's bid team, to respond through the services; it never signs in."""
    user, created = User.objects.get_or_create(
        username=f"{provider.key}-bids",
        defaults={"first_name": "Bid", "last_name": "Team", "organisation": provider,
                  "is_active": False},
    )  # fmt: skip
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
        grant_role(by=by, user=user, role=Role.PROVIDER_USER)
    return user


def load_live(history: _History, people: list[Person], broker: User, *, by) -> None:
    """Packages in every live state, made through the services: a draft, two open for
    responses (one sent to Sefton New Directions, the demo provider), one evaluated and two
    awaiting a senior manager's approval, one of them proposing the runner-up."""
    rng = random.Random(f"{SEED}-live")
    now, today = timezone.now(), timezone.localdate()
    codes = [q.code for q in history.questions]
    for person, (state, number, locality, needs, days, responders) in zip(
        people, LIVE, strict=True
    ):
        if PackageRequest.objects.filter(person=person).exists():
            continue
        answers = dict(zip(codes, needs, strict=True))
        lot = history.lots[number]
        budget = history.budget(answers)
        hours = _hours(budget, 0.9)
        package = package_services.create_request(
            by=broker,
            person=person,
            lot=lot,
            locality=history.lookups.areas[locality],
            support_needed=history.support_needed(lot, answers),
            hours_per_week=hours,
            start_date=today + timedelta(days=days),
            ras_table=history.ras,
            answers=answers,
            is_synthetic=True,
        )
        if state == "draft":
            continue
        eligible = [
            a.provider
            for a in package_services.eligible_admissions(package)
            if a.provider.is_synthetic
        ]
        chosen = rng.sample(eligible, responders)
        package_services.open_request(
            by=broker,
            package=package,
            deadline=now + (OPEN_FOR if state == "open" else timedelta(days=7)),
            providers=[] if state == "open" else chosen,
        )
        for provider in chosen:
            package_services.submit_response(
                by=_portal_account(provider, by=by),
                package=package,
                weekly_price=history.price(provider.pk, hours),
                hourly_rate=history.rates[provider.pk],
                start_date=package.start_date,
                proposal=rng.choice(PROPOSALS),
            )
        if state == "open":
            continue
        ranked = package_services.evaluate(by=broker, package=package)
        if state == "awaiting":
            package_services.propose_award(
                by=broker, package=package, response=ranked[0],
                reasons="Ranked first of the compliant responses under the published weights.",
            )  # fmt: skip
        elif state == "runner-up":
            package_services.propose_award(
                by=broker, package=package, response=ranked[1],
                reasons="Ranked second, but the person chose this provider after meeting both "
                "teams: it already supports two friends in the same street.",
            )  # fmt: skip


# Entry point -----------------------------------------------------------------------------


def load(*, by, with_users: bool) -> dict[str, int]:
    lookups = _Lookups.load()
    if COUNCIL_KEY not in lookups.organisations:
        raise DemoDataError(f"purchasing needs the core demo's '{COUNCIL_KEY}' organisation.")
    counts = {
        "purchasing systems": load_systems(lookups, by=by),
        "synthetic providers": load_providers(lookups),
        "RAS tables": load_ras_tables(by=by),
        "schemes of delegation": load_schemes(lookups),
    }
    if not with_users:
        return counts
    staff = demo_staff()
    counts["applications"] = load_applications(
        lookups, staff, random.Random(f"{SEED}-applications")
    )
    history = _History(lookups, staff, timezone.localdate())
    people = _people(PEOPLE)
    history.load(people)
    wanted = [p.reference for p in people[-len(LIVE) :]]
    saved = {p.reference: p for p in Person.objects.filter(reference__in=wanted)}
    load_live(history, [saved[reference] for reference in wanted], staff["broker"], by=by)
    system_packages = PackageRequest.objects.filter(lot__system__key=SYSTEM_KEY)
    contracts = Contract.objects.filter(reference__startswith=HISTORY_PREFIX)
    return counts | {
        "admissions": Admission.objects.filter(lot__system__key=SYSTEM_KEY).count(),
        "people": Person.objects.filter(is_synthetic=True, packages__isnull=False)
        .distinct()
        .count(),
        "package requests": system_packages.count(),
        "live package requests": system_packages.exclude(status=PackageStatus.AWARDED).count(),
        "call-off contracts": contracts.filter(kind=ContractKind.CALL_OFF).count(),
        "direct awards": contracts.filter(kind=ContractKind.DIRECT_AWARD).count(),
        "spot purchases": contracts.filter(kind=ContractKind.SPOT).count(),
    }
