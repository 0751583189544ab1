"""Forms for the brokerage pages: the shape of what brokers and approvers type.

The purchasing services decide whether an action is allowed. Their refusals start with the
field they are about ("reasons: say why ..."), and ``ServiceForm.add_refusal`` shows each
one on that field, so a refusal reads like any other form error.
"""

from datetime import datetime
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from placebook.contracts.models import DirectAwardReason
from placebook.core.models import Area, AreaType, Organisation, OrganisationKind, Person
from placebook.core.permissions import visible_to
from placebook.purchasing.models import (
    Lot,
    PackageRequest,
    PackageStatus,
    RasTable,
    ServiceCategory,
    SystemStatus,
)
from placebook.purchasing.services.packages import eligible_admissions
from placebook.web.forms import GovukDateField, GovukFormMixin, PoundsField

# Keys of PackageRequest.weekly_profile, in the order of the week.
DAYS = [
    ("mon", "Monday"),
    ("tue", "Tuesday"),
    ("wed", "Wednesday"),
    ("thu", "Thursday"),
    ("fri", "Friday"),
    ("sat", "Saturday"),
    ("sun", "Sunday"),
]


class LabelledChoiceField(forms.ModelChoiceField):
    """A choice of rows, each labelled by ``label_with(row)``."""

    def __init__(self, *args, label_with, **kwargs):
        super().__init__(*args, **kwargs)
        self.label_with = label_with

    def label_from_instance(self, obj):
        return self.label_with(obj)


class ServiceForm(GovukFormMixin, forms.Form):
    # The names a service uses in its refusals for fields this form calls something else.
    refusal_fields: dict[str, str] = {}

    def add_refusal(self, refusal: Exception) -> None:
        """Show a service's refusal on the field it names, or above the form when it names
        none of this form's fields."""
        message = str(refusal)
        named, separator, rest = message.partition(": ")
        field = self.refusal_fields.get(named, named)
        if separator and field in self.fields:
            self.add_error(field, rest[:1].upper() + rest[1:])
        else:
            self.add_error(None, message)


def _person_label(person: Person) -> str:
    return f"{person.full_name or 'Personal details removed'} ({person.reference})"


def _json_number(value: Decimal) -> int | float:
    # The weekly profile is JSON, which has no decimals; whole hours stay integers, and the
    # service adds the days up exactly from their text.
    return int(value) if value == value.to_integral_value() else float(value)


class PackageRequestForm(ServiceForm):
    """A package request. Its assessment questions come from one RAS table, so the form is
    built for that table; the page changes table by reloading, without scripts."""

    person = LabelledChoiceField(
        queryset=Person.objects.none(),
        label_with=_person_label,
        label="Who is the support for?",
        help_text="Only council staff see who a package is for; providers see its reference.",
        empty_label="Choose a person",
        error_messages={"required": "Choose the person the support is for."},
    )
    lot = LabelledChoiceField(
        queryset=Lot.objects.none(),
        label_with=lambda lot: f"{lot.system}: {lot}",
        label="Lot",
        empty_label="Choose a lot",
        error_messages={"required": "Choose the lot to buy the support from."},
    )
    locality = LabelledChoiceField(
        queryset=Area.objects.none(),
        label_with=lambda area: area.name,
        label="Locality (optional)",
        help_text="Only providers admitted to work in this locality will be asked.",
        required=False,
        empty_label="Any locality",
    )
    support_needed = forms.CharField(
        widget=forms.Textarea,
        label="What support is needed?",
        help_text="What the support must achieve. Providers read this, so do not include the "
        "person's name, address, date of birth or anything else that could identify them.",
        error_messages={"required": "Describe the support that is needed."},
    )
    hours_per_week = forms.DecimalField(
        label="Hours of support a week",
        max_digits=6,
        decimal_places=2,
        error_messages={
            "required": "Enter the hours of support a week.",
            "invalid": "Hours of support a week must be a number, like 20 or 12.5.",
            "max_decimal_places": "Hours of support a week can have at most 2 decimal places.",
            "max_digits": "Hours of support a week must be less than 10,000.",
        },
    )
    start_date = GovukDateField(
        label="Start date",
        help_text="For example, 27 4 2026",
        error_messages={"required": "Enter the date the support should start."},
    )
    ras_table = forms.ModelChoiceField(
        queryset=RasTable.objects.filter(published_at__isnull=False), widget=forms.HiddenInput
    )
    refusal_fields = {"weekly_profile": "profile_mon"}

    def __init__(self, *args, user, table: RasTable, **kwargs):
        super().__init__(*args, initial={"ras_table": table.pk}, **kwargs)
        self.fields["person"].queryset = visible_to(user, Person.objects.all())
        self.fields["lot"].queryset = Lot.objects.filter(
            system__status__in=[SystemStatus.OPEN, SystemStatus.CLOSED]
        ).select_related("system")
        self.fields["locality"].queryset = Area.objects.current().filter(
            type=AreaType.COUNCIL_LOCALITY
        )
        for key, label in DAYS:
            self.fields[f"profile_{key}"] = forms.DecimalField(
                label=label,
                required=False,
                min_value=0,
                max_value=24,
                decimal_places=2,
                error_messages={
                    "invalid": f"Hours on {label} must be a number, like 4 or 2.5.",
                    "min_value": f"Hours on {label} cannot be less than 0.",
                    "max_value": f"Hours on {label} cannot be more than 24.",
                },
            )
        # The day boxes sit between the hours and the start date, as on the page, so the
        # error summary lists problems in page order.
        self.order_fields(
            ["person", "lot", "locality", "support_needed", "hours_per_week"]
            + [f"profile_{key}" for key, _label in DAYS]
        )
        self.questions = list(table.questions.prefetch_related("answers"))
        for question in self.questions:
            self.fields[f"answer_{question.code}"] = forms.ChoiceField(
                label=question.text,
                choices=[(a.code, a.label) for a in question.answers.all()],
                widget=forms.RadioSelect,
                error_messages={"required": f"Choose an answer to “{question.text}”."},
            )

    @property
    def profile_fields(self):
        return [self[f"profile_{key}"] for key, _label in DAYS]

    @property
    def profile_errors(self):
        return [error for day in self.profile_fields for error in day.errors]

    @property
    def answer_fields(self):
        return [self[f"answer_{question.code}"] for question in self.questions]

    def clean_hours_per_week(self):
        hours = self.cleaned_data["hours_per_week"]
        if hours <= 0:
            raise ValidationError("Hours of support a week must be more than 0.")
        return hours

    def service_arguments(self) -> dict:
        """The arguments of ``packages.create_request``, apart from the actor."""
        data = self.cleaned_data
        return {
            "person": data["person"],
            "lot": data["lot"],
            "locality": data["locality"],
            "support_needed": data["support_needed"],
            "hours_per_week": data["hours_per_week"],
            "weekly_profile": {
                key: _json_number(data[f"profile_{key}"])
                for key, _label in DAYS
                if data[f"profile_{key}"] is not None
            },
            "start_date": data["start_date"],
            "ras_table": data["ras_table"],
            "answers": {q.code: data[f"answer_{q.code}"] for q in self.questions},
            "is_synthetic": data["person"].is_synthetic,
        }


class ActionForm(ServiceForm):
    """An action with nothing to fill in, such as evaluating: its form carries the refusal."""


class OpenRequestForm(ServiceForm):
    response_deadline = GovukDateField(
        label="Deadline for responses",
        help_text="For example, 27 4 2026",
        error_messages={"required": "Enter the date responses are due."},
    )
    response_time = forms.TimeField(
        label="Time responses are due",
        help_text="Use the 24-hour clock, for example 17:00.",
        input_formats=["%H:%M", "%H.%M"],
        initial="17:00",
        error_messages={
            "required": "Enter the time responses are due.",
            "invalid": "Time responses are due must be a time like 17:00.",
        },
    )
    providers = forms.ModelMultipleChoiceField(
        queryset=Organisation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Which providers should be asked?",
        help_text="Leave them all unticked to ask every provider listed.",
    )

    def __init__(self, *args, package: PackageRequest, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["providers"].queryset = Organisation.objects.filter(
            pk__in=eligible_admissions(package).values("provider")
        ).order_by("name")

    def clean(self):
        data = super().clean()
        if data.get("response_deadline") and data.get("response_time"):
            data["deadline"] = timezone.make_aware(
                datetime.combine(data["response_deadline"], data["response_time"])
            )
        return data


class AwardForm(ServiceForm):
    response = LabelledChoiceField(
        queryset=None,
        label_with=lambda r: (
            f"{r.provider}: {r.weekly_price} a week, ranked {r.rank} with {r.total_score} points"
        ),
        widget=forms.RadioSelect,
        label="Which response should be awarded the package?",
        error_messages={"required": "Choose the response to award the package to."},
    )
    reasons = forms.CharField(
        widget=forms.Textarea,
        label="Reasons for the award",
        help_text="If you choose other than the top-ranked response, say why.",
        error_messages={"required": "Say why this provider should be awarded the package."},
    )

    def __init__(self, *args, package: PackageRequest, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["response"].queryset = package.responses.filter(compliant=True).select_related(
            "provider"
        )


class ApproveForm(ServiceForm):
    approval_note = forms.CharField(
        widget=forms.Textarea, label="Note on the approval (optional)", required=False
    )


class RejectForm(ServiceForm):
    rejection_note = forms.CharField(
        widget=forms.Textarea,
        label="Why is the award not approved?",
        help_text="The broker reads this and proposes again.",
        error_messages={"required": "Say why the award is not approved."},
    )
    refusal_fields = {"note": "rejection_note"}


class DirectAwardForm(ServiceForm):
    reason = forms.ChoiceField(
        choices=DirectAwardReason.choices,
        widget=forms.RadioSelect,
        label="Why is this contract awarded without competition?",
        error_messages={"required": "Choose why the contract is awarded without competition."},
    )
    justification = forms.CharField(
        widget=forms.Textarea,
        label="Justification",
        help_text="This is published in the transparency notice, so explain the need and why "
        "no competition is possible. Do not identify the person supported.",
        error_messages={"required": "Enter the justification for the direct award."},
    )
    buyer = LabelledChoiceField(
        queryset=Organisation.objects.filter(
            kind__in=[OrganisationKind.LOCAL_AUTHORITY, OrganisationKind.ICB], is_active=True
        ),
        label_with=lambda org: org.name,
        label="Buyer",
        empty_label="Choose the buyer",
        error_messages={"required": "Choose the organisation buying the service."},
    )
    supplier = LabelledChoiceField(
        queryset=Organisation.objects.filter(
            kind__in=[OrganisationKind.CARE_PROVIDER, OrganisationKind.VCF], is_active=True
        ),
        label_with=lambda org: org.name,
        label="Supplier",
        empty_label="Choose the supplier",
        error_messages={"required": "Choose the provider awarded the contract."},
    )
    start = GovukDateField(
        label="Start date",
        help_text="For example, 27 4 2026",
        error_messages={"required": "Enter the date the contract starts."},
    )
    months = forms.IntegerField(
        label="Length in months",
        initial=12,
        min_value=1,
        max_value=120,
        error_messages={
            "required": "Enter the length of the contract in months.",
            "invalid": "Length in months must be a whole number, like 12.",
            "min_value": "Length in months must be at least 1.",
            "max_value": "Length in months must be 120 or fewer.",
        },
    )
    weekly_value = PoundsField(
        label="Weekly value",
        error_messages={"required": "Enter the weekly value of the contract."},
    )
    service_category = forms.ChoiceField(
        choices=[("", "Choose a service"), *ServiceCategory.choices],
        label="Service",
        error_messages={"required": "Choose the service bought."},
    )
    lot = LabelledChoiceField(
        queryset=Lot.objects.select_related("system"),
        label_with=lambda lot: f"{lot.system}: {lot}",
        label="Lot (optional)",
        help_text="The lot the supplier is admitted to. Leave empty for a spot purchase, "
        "which is off framework.",
        required=False,
        empty_label="Off framework",
    )
    package = LabelledChoiceField(
        queryset=PackageRequest.objects.exclude(
            status__in=[PackageStatus.AWARDED, PackageStatus.CANCELLED]
        ).select_related("lot"),
        label_with=lambda package: f"{package.reference} ({package.lot})",
        to_field_name="reference",
        label="Package request (optional)",
        help_text="The package this contract buys, if it buys one.",
        required=False,
        empty_label="No package",
    )

    def service_arguments(self) -> dict:
        """The arguments of ``direct.direct_award``, apart from the actor."""
        data = self.cleaned_data
        made_up = data["supplier"].is_synthetic or (
            data["package"] and data["package"].is_synthetic
        )
        return {**data, "is_synthetic": bool(made_up)}


class SpendRangeForm(ServiceForm):
    start = GovukDateField(
        label="From", error_messages={"required": "Enter the first day of the report."}
    )
    end = GovukDateField(
        label="To", error_messages={"required": "Enter the last day of the report."}
    )

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", "To must be the same as or after From.")
        return data


def weekly_profile_rows(profile: dict) -> list[tuple[str, float]]:
    """A stored weekly profile as (day, hours) in the order of the week."""
    return [(label, profile[key]) for key, label in DAYS if key in profile]
