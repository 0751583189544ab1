from django import forms

from placebook.indicators.imports import check_upload
from placebook.web.forms import GovukFormMixin


class ImportUploadForm(GovukFormMixin, forms.Form):
    """An upload of indicator values. The file's type and size are the service's rules,
    asked here too so that every problem is shown at once."""

    upload = forms.FileField(
        label="Upload a file",
        help_text="A Fingertips data download (CSV, UTF-8) or an Excel table (.xlsx).",
        error_messages={"required": "Select a CSV or Excel file."},
        allow_empty_file=True,  # check_upload says so, in GOV.UK's words
    )
    release_key = forms.SlugField(
        label="Release key",
        max_length=100,
        help_text="Short name for this publication, such as phof-2024-05. An existing "
        "release is revised; a new key makes a new release.",
        error_messages={
            "required": "Enter a release key.",
            "invalid": "Release key must contain only letters, numbers, hyphens and underscores.",
        },
    )
    release_title = forms.CharField(
        label="Release title (optional)",
        max_length=300,
        required=False,
        help_text="For a new release, such as “Public Health Outcomes Framework, May 2024”.",
    )

    def clean_upload(self):
        upload = self.cleaned_data["upload"]
        check_upload(upload)
        return upload
