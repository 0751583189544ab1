from django.core.exceptions import ValidationError
from django.db import models

from placebook.core.money import Money


class MoneyField(models.DecimalField):
    """Pounds and pence as ``Money``: exact decimals in the database, never floats.

    The currency is part of the field (council finance is in pounds sterling), so a value
    in another currency, or a float, is refused instead of being stored as if it were pounds.
    """

    description = "An amount of money in one currency"

    def __init__(self, *args, currency: str = "GBP", **kwargs):
        self.currency = currency
        kwargs.setdefault("max_digits", 15)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.currency != "GBP":
            kwargs["currency"] = self.currency
        return name, path, args, kwargs

    def from_db_value(self, value, expression, connection):
        return None if value is None else Money(value, self.currency)

    def to_python(self, value):
        if value is None or isinstance(value, Money):
            return value
        if isinstance(value, float):
            raise ValidationError(
                f"{value!r} is a float; give money as a string or Decimal so no pence are lost.",
                code="invalid",
            )
        return Money(super().to_python(value), self.currency)

    def run_validators(self, value):
        # Django's decimal validators read the digits of a Decimal; check the amount.
        super().run_validators(value.amount if isinstance(value, Money) else value)

    def get_prep_value(self, value):
        if isinstance(value, Money):
            if value.currency != self.currency:
                raise ValidationError(
                    f"{value} is in {value.currency}; this field holds {self.currency}.",
                    code="invalid",
                )
            value = value.amount
        elif isinstance(value, float):
            raise TypeError(f"{value!r} is a float; money must be a Money, Decimal or string.")
        value = models.Field.get_prep_value(self, value)
        return None if value is None else models.DecimalField.to_python(self, value)

    def get_db_prep_value(self, value, connection, prepared=False):
        if not prepared:
            value = self.get_prep_value(value)
        if hasattr(value, "as_sql"):
            return value
        return connection.ops.adapt_decimalfield_value(value, self.max_digits, self.decimal_places)

    def value_to_string(self, obj):
        value = self.value_from_object(obj)
        return "" if value is None else str(value.amount if isinstance(value, Money) else value)

    def formfield(self, **kwargs):
        return super().formfield(**{"max_digits": self.max_digits, **kwargs})
