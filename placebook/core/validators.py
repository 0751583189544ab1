"""Validators for the public identifiers that organisations and areas carry.

Each error message quotes the offending value, so a bad row in an import can be found.
"""

from django.core.validators import RegexValidator


def _identifier(pattern: str, what: str, example: str) -> RegexValidator:
    return RegexValidator(
        rf"^{pattern}\Z",
        message=f"'%(value)s' is not a valid {what} (expected something like {example}).",
    )


# ONS Government Statistical Service codes: a letter for the nation and eight digits.
validate_gss_code = _identifier(r"[EWSNK]\d{8}", "GSS code", "E08000014")
# NHS Organisation Data Service codes: 3 (trusts, ICBs) to 6 (practices, PCNs) characters.
validate_ods_code = _identifier(r"[A-Z0-9]{3,6}", "ODS code", "RBN or U12345")
validate_cqc_id = _identifier(r"1-\d{5,11}", "CQC identifier", "1-101234567")
# Companies House: eight digits, or a two-letter prefix (SC, NI, CE, ...) and six digits.
validate_company_number = _identifier(
    r"(\d{8}|[A-Z]{2}\d{6})", "Companies House number", "03258325 or SC123456"
)
# Charity Commission for England and Wales numbers, with an optional subsidiary suffix.
validate_charity_number = _identifier(r"\d{6,8}(-\d{1,2})?", "charity number", "1084357")
