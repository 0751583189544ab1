"""Exact sums of money, and a parser for the amounts printed in council papers.

``Money`` holds a ``decimal.Decimal`` amount in major units (pounds) and an ISO 4217
currency code. Floats are refused outright: 0.1 + 0.2 != 0.3 in binary, and budgets that
do not add up to the penny cannot be reconciled with the council's ledger.

Addition, subtraction and multiplication are exact. Division keeps 34 significant digits
(far finer than a penny). Nothing is rounded until ``.rounded()`` is called; display
(``str``) shows pence rounded the same way without changing the value.

Rounding is ROUND_HALF_UP (half a penny goes away from zero), the convention in council
and NHS finance and in the spreadsheets their figures come from (Excel's ROUND). Python's
default, banker's rounding, would make our totals differ by a penny from theirs.

Pence and rounding assume two minor-unit digits, as GBP, EUR and USD have.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from decimal import (
    MAX_EMAX,
    MAX_PREC,
    MIN_EMIN,
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
)
from typing import overload

__all__ = ["CurrencyMismatchError", "Money", "MoneyParseError", "parse_money"]

# Own contexts, so a caller changing the thread's decimal context cannot change our results.
# With the maximum precision, + - * never round.
_EXACT = Context(
    prec=MAX_PREC,
    Emax=MAX_EMAX,
    Emin=MIN_EMIN,
    rounding=ROUND_HALF_UP,
    traps=[InvalidOperation, DivisionByZero, Overflow],
)
# Division can be inexact (1/3); 34 digits is IEEE decimal128.
_DIVISION = Context(
    prec=34, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, DivisionByZero, Overflow]
)
_PENNY = Decimal("0.01")
_ONE_DP = Decimal("0.1")
_PLAIN_NUMBER = re.compile(r"-?\d+(?:\.\d+)?", re.ASCII)
_CURRENCY = re.compile(r"[A-Z]{3}", re.ASCII)
_FLOAT_HINT = (
    "binary floats cannot hold most amounts exactly; "
    "pass a Decimal, an int or a string, e.g. Money(Decimal('12.50')) or Money('12.50')"
)


class CurrencyMismatchError(ValueError):
    """Arithmetic or comparison between amounts in different currencies."""


class MoneyParseError(ValueError):
    """Printed amount that could not be read; the message quotes the text as given."""

    def __init__(self, text: str, reason: str) -> None:
        super().__init__(text, reason)
        self.text = text
        self.reason = reason

    def __str__(self) -> str:
        return f"Unrecognised amount of money {self.text!r}: {self.reason}"


def _to_decimal(value: object) -> Decimal:
    # bool is an int subclass; Money(True) is surely a mistake.
    if isinstance(value, bool):
        raise TypeError("Money amount cannot be a bool")
    if isinstance(value, float):
        raise TypeError(f"Money amount cannot be a float ({value!r}): {_FLOAT_HINT}")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"Money amount must be finite, not {value}")
        return value
    if isinstance(value, str):
        if not _PLAIN_NUMBER.fullmatch(value):
            raise ValueError(
                f"Money amount {value!r} is not a plain number like '1234.56'; "
                "use parse_money() for printed amounts such as '£1.2m'"
            )
        return Decimal(value)
    raise TypeError(f"Money amount must be a Decimal, int or str, not {type(value).__name__}")


def _to_factor(value: object) -> Decimal | None:
    """A multiplier or divisor as Decimal, or None when the type is not one we handle."""
    if isinstance(value, float):
        raise TypeError(f"cannot multiply or divide Money by a float ({value!r}): {_FLOAT_HINT}")
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        return None
    return _to_decimal(value)


class Money:
    """An immutable, exact amount of money in one currency."""

    __slots__ = ("_amount", "_currency")
    _amount: Decimal
    _currency: str

    def __init__(self, amount: Decimal | int | str, currency: str = "GBP") -> None:
        value = _to_decimal(amount)
        if value.is_zero():
            value = value.copy_abs()  # no "-£0.00"
        if not isinstance(currency, str) or not _CURRENCY.fullmatch(currency):
            raise ValueError(f"currency must be an ISO 4217 code such as 'GBP', not {currency!r}")
        object.__setattr__(self, "_amount", value)
        object.__setattr__(self, "_currency", currency)

    @classmethod
    def zero(cls, currency: str = "GBP") -> Money:
        return cls(0, currency)

    @classmethod
    def from_pence(cls, pence: int, currency: str = "GBP") -> Money:
        if isinstance(pence, bool) or not isinstance(pence, int):
            raise TypeError(f"pence must be an int, not {type(pence).__name__}")
        return cls(Decimal(pence).scaleb(-2), currency)

    @classmethod
    def sum(cls, items: Iterable[Money], currency: str = "GBP") -> Money:
        """Total of many amounts, all in ``currency``; an empty iterable totals zero."""
        total = cls.zero(currency)
        for item in items:
            if not isinstance(item, Money):
                raise TypeError(f"Money.sum() takes Money, not {type(item).__name__}")
            total += item
        return total

    @property
    def amount(self) -> Decimal:
        return self._amount

    @property
    def currency(self) -> str:
        return self._currency

    @property
    def pence(self) -> int:
        """The amount in pence; refuses fractions of a penny rather than rounding silently."""
        scaled = _EXACT.multiply(self._amount, Decimal(100))
        if scaled != scaled.to_integral_value():
            raise ValueError(f"{self!r} has a fraction of a penny: call .rounded() first")
        return int(scaled)

    def rounded(self) -> Money:
        """Rounded to the penny, half a penny away from zero (see the module docstring)."""
        return Money(self._amount.quantize(_PENNY, ROUND_HALF_UP, _EXACT), self._currency)

    # --- immutability and identity ---------------------------------------------------

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Money is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("Money is immutable")

    def __reduce__(self) -> tuple[type[Money], tuple[Decimal, str]]:
        return Money, (self._amount, self._currency)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        return self._currency == other._currency and self._amount == other._amount

    def __hash__(self) -> int:
        return hash((self._amount, self._currency))

    def __repr__(self) -> str:
        return f"Money({str(self._amount)!r}, {self._currency!r})"

    # --- arithmetic ------------------------------------------------------------------

    def _same_currency(self, other: Money, action: str) -> None:
        if other._currency != self._currency:
            raise CurrencyMismatchError(
                f"cannot {action} {self._currency} and {other._currency} amounts"
            )

    def __add__(self, other: object) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        self._same_currency(other, "add")
        return Money(_EXACT.add(self._amount, other._amount), self._currency)

    def __sub__(self, other: object) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        self._same_currency(other, "subtract")
        return Money(_EXACT.subtract(self._amount, other._amount), self._currency)

    def __mul__(self, factor: object) -> Money:
        value = _to_factor(factor)
        if value is None:
            return NotImplemented
        return Money(_EXACT.multiply(self._amount, value), self._currency)

    __rmul__ = __mul__

    @overload
    def __truediv__(self, divisor: Money) -> Decimal: ...
    @overload
    def __truediv__(self, divisor: int | Decimal) -> Money: ...
    def __truediv__(self, divisor: object) -> Money | Decimal:
        """Money / number is Money; Money / Money (same currency) is their ratio."""
        if isinstance(divisor, Money):
            self._same_currency(divisor, "divide")
            if divisor._amount.is_zero():
                raise ZeroDivisionError("cannot divide by a zero amount of money")
            return _DIVISION.divide(self._amount, divisor._amount)
        value = _to_factor(divisor)
        if value is None:
            return NotImplemented
        if value.is_zero():
            raise ZeroDivisionError("cannot divide money by zero")
        return Money(_DIVISION.divide(self._amount, value), self._currency)

    def __neg__(self) -> Money:
        return Money(self._amount.copy_negate(), self._currency)

    def __pos__(self) -> Money:
        return self

    def __abs__(self) -> Money:
        return Money(self._amount.copy_abs(), self._currency)

    # --- ordering (same currency only) -------------------------------------------------

    def _other_amount(self, other: object) -> Decimal | None:
        if not isinstance(other, Money):
            return None
        self._same_currency(other, "compare")
        return other._amount

    def __lt__(self, other: object) -> bool:
        value = self._other_amount(other)
        return NotImplemented if value is None else self._amount < value

    def __le__(self, other: object) -> bool:
        value = self._other_amount(other)
        return NotImplemented if value is None else self._amount <= value

    def __gt__(self, other: object) -> bool:
        value = self._other_amount(other)
        return NotImplemented if value is None else self._amount > value

    def __ge__(self, other: object) -> bool:
        value = self._other_amount(other)
        return NotImplemented if value is None else self._amount >= value

    # --- display ---------------------------------------------------------------------

    def _sign_and_symbol(self, value: Decimal) -> str:
        sign = "-" if value < 0 else ""
        symbol = "£" if self._currency == "GBP" else f"{self._currency} "
        return sign + symbol

    def __str__(self) -> str:
        """'£1,234.56', '-£500.00'; other currencies as 'EUR 1,234.56'."""
        value = self._amount.quantize(_PENNY, ROUND_HALF_UP, _EXACT)
        return f"{self._sign_and_symbol(value)}{value.copy_abs():,.2f}"

    def format_short(self) -> str:
        """Headline form to one decimal place: '£22m', '£1.2bn', '£450k', '£12.50'."""
        value = self.rounded()._amount
        prefix = self._sign_and_symbol(value)
        size = value.copy_abs()
        if size < 1000:
            return f"{prefix}{size:,.0f}" if size == size.to_integral_value() else f"{prefix}{size}"
        units = ((3, "k"), (6, "m"), (9, "bn"))
        index = max(i for i, (exponent, _) in enumerate(units) if size >= 10**exponent)
        scaled = size.scaleb(-units[index][0]).quantize(_ONE_DP, ROUND_HALF_UP, _EXACT)
        if scaled >= 1000 and index + 1 < len(units):
            # £999,950 rounds to 1000.0k: say £1m instead.
            index += 1
            scaled = size.scaleb(-units[index][0]).quantize(_ONE_DP, ROUND_HALF_UP, _EXACT)
        text = f"{scaled:,f}".removesuffix(".0")
        return f"{prefix}{text}{units[index][1]}"


# --- parsing printed amounts ---------------------------------------------------------

_SCALES = {
    "k": 3,
    "thousand": 3,
    "m": 6,
    "million": 6,
    "bn": 9,
    "billion": 9,
}
_MONEY = re.compile(
    r"""
    (?P<minus>-)?\s*
    (?P<open>\()?\s*
    £\s*
    (?P<whole>\d[\d,]*)
    (?:\.(?P<fraction>\d+))?
    \s*(?P<scale>bn|billion|m|million|k|thousand)?
    \s*(?P<close>\))?
    """,
    re.ASCII | re.IGNORECASE | re.VERBOSE,
)
_GROUPED = re.compile(r"0|[1-9]\d{0,2}(?:,\d{3})+|[1-9]\d*", re.ASCII)
_MONEY_TRANSLATE = str.maketrans(
    dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2212\ufe63\uff0d", "-")
    | {"\u200b": None, "\ufeff": None}
)
_MONEY_EXAMPLES = (
    "expected forms like '£1,234.56', '£8600', '£22m', '£22 million', '£1.2bn', "
    "'£450k', '(£1,234)' or '-£500'"
)


def _why_unreadable(text: str) -> str:
    """A specific reason for text that does not fit the amount pattern at all."""
    if "£" not in text:
        return f"no £ sign ({_MONEY_EXAMPLES})"
    if text.count("£") > 1:
        return "more than one £ sign"
    if not any(c.isdigit() for c in text):
        return "no amount after the £ sign"
    if text.count(".") > 1:
        return "more than one decimal point"
    if re.search(r"\.(?!\d)", text):
        return "a decimal point must be followed by digits"
    return _MONEY_EXAMPLES


def _check_parts(m: re.Match[str]) -> str | None:
    """Reason the matched pieces are malformed, or None if they are fine."""
    if bool(m["open"]) != bool(m["close"]):
        return "unbalanced parentheses"
    if m["open"] and m["minus"]:
        return "both a minus sign and accounting parentheses"
    if not _GROUPED.fullmatch(m["whole"]):
        return "digits must be grouped in threes by commas, with no leading zero"
    if m["fraction"] is not None and m["scale"] is None and len(m["fraction"]) > 2:
        return "more than two decimal places"
    return None


def parse_money(text: str) -> Money:
    """Read a printed sterling amount into exact ``Money``.

    Accepts '£1,234,567', '£12.50', '£8600', '£22m', '£22 million', '£153.3million',
    '£0.5m', '£1.2bn', '£450k', '£2,000,000.00', accounting negatives '(£1,234)' and
    '-£500'. Raises ``MoneyParseError`` quoting the text otherwise.
    """
    if not isinstance(text, str):
        raise TypeError(f"parse_money() takes a str, not {type(text).__name__}")
    # NFKC turns no-break and thin spaces from PDFs into plain spaces.
    normalised = " ".join(unicodedata.normalize("NFKC", text).translate(_MONEY_TRANSLATE).split())
    m = _MONEY.fullmatch(normalised)
    if m is None:
        raise MoneyParseError(text, _why_unreadable(normalised))
    if (reason := _check_parts(m)) is not None:
        raise MoneyParseError(text, reason)
    number = m["whole"].replace(",", "")
    if m["fraction"] is not None:
        number += "." + m["fraction"]
    value = Decimal(number)
    if m["scale"]:
        value = _EXACT.multiply(value, Decimal(10 ** _SCALES[m["scale"].lower()]))
    if m["minus"] or m["open"]:
        value = -value
    return Money(value)
