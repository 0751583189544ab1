from datetime import date

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from placebook.core.models import Organisation
from placebook.core.money import Money, MoneyParseError, parse_money


class GovukFormMixin:
    """Adds the GOV.UK classes, so templates can render fields with one include."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.Select):
                css = "govuk-select"
            elif isinstance(widget, forms.Textarea):
                css = "govuk-textarea"
            elif isinstance(widget, forms.CheckboxInput):
                css = "govuk-checkboxes__input"
            else:
                css = "govuk-input"
            widget.attrs["class"] = css

    def error_list(self):
        """(field id, message) pairs in field order, for the error summary."""
        errors = [(f"id_{name}", msg) for name in self.fields for msg in self.errors.get(name, [])]
        errors += [("", msg) for msg in self.non_field_errors()]
        return errors


class SignInForm(GovukFormMixin, AuthenticationForm):
    error_messages = {
        "invalid_login": "Enter a correct username and password.",
        "inactive": "This account is no longer active.",
    }


class OrganisationForm(GovukFormMixin, forms.ModelForm):
    class Meta:
        model = Organisation
        fields = [
            "name", "key", "kind", "gss_code", "ods_code", "cqc_provider_id",
            "companies_house_number", "charity_number", "parent", "area", "website",
            "is_active",
        ]  # fmt: skip


class PeriodForm(GovukFormMixin, forms.Form):
    text = forms.CharField(label="Period as printed", required=False, max_length=60)


class PoundsField(forms.CharField):
    """An amount in pounds and pence, typed after a £ prefix (so "600", "£600" and
    "1,200.50" all read)."""

    default_error_messages = {
        "invalid": "Enter an amount in pounds and pence, like 600.00.",
        "not_positive": "Enter an amount more than £0.00.",
    }

    def to_python(self, value):
        text = super().to_python(value).strip()
        if not text:
            return None
        try:
            amount = parse_money(text if text.startswith("£") else f"£{text}")
        except MoneyParseError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        if amount != amount.rounded():
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        if amount <= Money.zero():
            raise ValidationError(self.error_messages["not_positive"], code="not_positive")
        return amount


class GovukDateInput(forms.Widget):
    """The GOV.UK date input: day, month and year boxes named <name>-day, -month, -year.
    The template purchasing/brokerage/_field.html renders it, giving the day box the
    field's own id so that the error summary links to it."""

    parts = ("day", "month", "year")

    def value_from_datadict(self, data, files, name):
        return [data.get(f"{name}-{part}", "").strip() for part in self.parts]

    def value_omitted_from_data(self, data, files, name):
        return not any(f"{name}-{part}" in data for part in self.parts)


class GovukDateField(forms.Field):
    """A date typed as day, month and year, with the GOV.UK pattern's error messages."""

    widget = GovukDateInput

    def prepare_value(self, value):
        if isinstance(value, date):
            return [str(value.day), str(value.month), str(value.year)]
        return value or ["", "", ""]

    def to_python(self, value):
        if not value or not any(value):
            return None
        missing = [part for part, text in zip(GovukDateInput.parts, value, strict=True) if not text]
        if missing:
            raise ValidationError(f"{self.label} must include a {' and a '.join(missing)}.")
        day, month, year = value
        if not (day.isdigit() and month.isdigit() and year.isdigit()):
            raise ValidationError(f"{self.label} must be a real date, in numbers.")
        if len(year) != 4:
            raise ValidationError(f"{self.label} must have a year of 4 numbers, like 2026.")
        try:
            return date(int(year), int(month), int(day))
        except ValueError:
            raise ValidationError(f"{self.label} must be a real date.") from None
