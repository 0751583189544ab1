"""Forms of the provider portal. They check the shape of what a provider types; the
purchasing services check the rules (deadlines, open systems, complete applications)."""

from django import forms
from django.core.exceptions import ValidationError

from placebook.core.models import Area, AreaType
from placebook.purchasing.models import Heading, Lot
from placebook.purchasing.services.applications import MAX_DOCUMENT_BYTES
from placebook.web.forms import GovukDateField, GovukFormMixin, PoundsField


class ApplyForm(GovukFormMixin, forms.Form):
    lots = forms.ModelMultipleChoiceField(
        queryset=Lot.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label="Which lots are you applying for?",
        help_text="Select all that apply. You can answer the questions next.",
        error_messages={
            "required": "Select at least one lot to apply for.",
            "invalid_choice": "Select only lots of this purchasing system.",
        },
    )

    def __init__(self, *args, system, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lots"].queryset = system.lots.all()


class AnswersForm(GovukFormMixin, forms.Form):
    """One text area per question, named by the question's code. Blank answers are
    allowed while the application is a draft; submission checks every one is answered."""

    def __init__(self, *args, application, **kwargs):
        super().__init__(*args, **kwargs)
        given = {a.criterion_id: a.text for a in application.answers.all()}
        # Price is scored at each call-off, so it has no question on application.
        criteria = application.evaluation_model.criteria.exclude(heading=Heading.PRICE)
        for criterion in criteria.order_by("code"):
            self.fields[criterion.code] = forms.CharField(
                label=f"{criterion.code}: {criterion.question}",
                help_text=f"{criterion.get_heading_display()}, scored out of "
                f"{criterion.max_score}.",
                required=False,
                initial=given.get(criterion.pk, ""),
                widget=forms.Textarea(attrs={"rows": 6, "class": "govuk-textarea"}),
            )

    def answers(self) -> dict[str, str]:
        return dict(self.cleaned_data)


class CoverageForm(GovukFormMixin, forms.Form):
    localities = forms.ModelMultipleChoiceField(
        queryset=Area.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Which localities do you work in?",
        help_text="Leave them all unticked if you work across the whole area.",
    )
    capacity_hours_per_week = forms.DecimalField(
        label="How many hours of new support can you take on each week?",
        help_text="Leave blank if you do not want to state a limit.",
        required=False,
        min_value=0,
        max_digits=8,
        decimal_places=1,
        error_messages={"min_value": "Hours must be 0 or more.",
                        "invalid": "Enter hours as a number, like 120 or 37.5."},
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["localities"].queryset = Area.objects.filter(
            type=AreaType.COUNCIL_LOCALITY
        ).order_by("name")


class DocumentForm(GovukFormMixin, forms.Form):
    document = forms.FileField(
        label="Upload a document",
        help_text=f"Policies, insurance certificates and other evidence, up to "
        f"{MAX_DOCUMENT_BYTES // 1024 // 1024} MB each.",
        error_messages={
            "required": "Select a document to upload.",
            "empty": "The selected document is empty.",
        },
    )

    def clean_document(self):
        # Checked before the file is read, so an oversized upload is not held in memory.
        document = self.cleaned_data["document"]
        if document.size > MAX_DOCUMENT_BYTES:
            raise ValidationError(
                f"The selected document must be smaller than "
                f"{MAX_DOCUMENT_BYTES // 1024 // 1024} MB."
            )
        return document


class ResponseForm(GovukFormMixin, forms.Form):
    """A provider's offer for a package."""

    weekly_price = PoundsField(
        label="Weekly price",
        help_text="For all the support asked for, each week.",
        error_messages={
            "required": "Enter a weekly price.",
            "invalid": "Weekly price must be an amount in pounds and pence, like 600.00.",
            "not_positive": "Weekly price must be more than £0.00.",
        },
    )
    hourly_rate = PoundsField(
        label="Hourly rate (optional)",
        required=False,
        error_messages={
            "invalid": "Hourly rate must be an amount in pounds and pence, like 24.50.",
            "not_positive": "Hourly rate must be more than £0.00.",
        },
    )
    start_date = GovukDateField(
        label="Start date",
        help_text="The date you can start the support.",
        error_messages={"required": "Enter the date you can start."},
    )
    proposal = forms.CharField(
        label="Your proposal",
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="How you will deliver the support, who will deliver it and how it meets "
        "the outcomes asked for.",
        error_messages={"required": "Enter your proposal."},
    )

    def response(self) -> dict:
        """The values :func:`purchasing.services.packages.submit_response` takes."""
        data = self.cleaned_data
        return {
            "weekly_price": data["weekly_price"],
            "hourly_rate": data["hourly_rate"],
            "start_date": data["start_date"],
            "proposal": data["proposal"],
        }
