"""Money arithmetic, display and parsing. Plain functions: no database, no Django."""

import copy
import decimal
import pickle
import re
from decimal import Decimal

import pytest

from placebook.core.money import CurrencyMismatchError, Money, MoneyParseError, parse_money

D = Decimal

# Every "£" amount printed in seeds 000-004 (004 has none), with the seed and line it is on.
SEED_AMOUNTS = [
    ("000:46", "£940,000", "940000"),
    ("000:194", "£186,376", "186376"),
    ("000:198", "£500", "500"),
    ("000:198", "£20,000", "20000"),
    ("000:204", "£27,500", "27500"),
    ("000:212", "£16,000", "16000"),
    ("001:25", "£497.1 million", "497100000"),
    ("001:301", "£1.2 million", "1200000"),
    ("001:310", "£48.7 million", "48700000"),  # printed "£48.7 million pounds"
    ("001:338", "£153.3million", "153300000"),
    ("001:338", "£58.6 million", "58600000"),
    ("001:338", "£94.7 million", "94700000"),
    ("001:339", "£107.7m", "107700000"),
    ("001:482", "£9.50", "9.50"),
    ("001:483", "£90 million", "90000000"),
    ("001:483", "(£89,933,059)", "-89933059"),
    ("001:483", "£13m", "13000000"),
    ("001:484", "£60m", "60000000"),
    ("001:494", "£28 Million", "28000000"),
    ("001:518", "£13.10 Million", "13100000"),
    ("001:621", "£45", "45"),  # printed "£45 per day"
    ("001:621", "£110", "110"),
    ("001:793", "£53.4m", "53400000"),
    ("001:794", "£390", "390"),
    ("001:794", "£930", "930"),
    ("001:819", "£12.3m", "12300000"),
    ("001:857", "£1,824,000", "1824000"),
    ("001:858", "£975,000", "975000"),
    ("001:858", "£3,076,000", "3076000"),
    ("001:858", "£5,363,000", "5363000"),
    ("002:423", "£8600", "8600"),
    ("002:2455", "£400", "400"),
    ("002:2646", "£10 million", "10000000"),
    ("002:4222", "£715,436", "715436"),
    ("002:4266", "£101,161.68", "101161.68"),
    ("002:4268", "£122,302.81", "122302.81"),
    ("002:4471", "£100 million", "100000000"),
    ("002:4471", "£35 million", "35000000"),
    ("002:4471", "£225 million", "225000000"),
    ("002:4484", "£185.4 million", "185400000"),
    ("002:5409", "£3.7 million", "3700000"),
    ("002:5626", "£200,000", "200000"),
    ("002:5632", "£700k", "700000"),
    ("002:5987", "£100,000", "100000"),
    ("003:10", "£22m", "22000000"),
    ("003:175", "£22 million", "22000000"),
    ("003:177", "£3m", "3000000"),
]


@pytest.mark.parametrize(
    ("where", "text", "expected"), SEED_AMOUNTS, ids=[f"{w}:{t}" for w, t, _ in SEED_AMOUNTS]
)
def test_parse_money_seed_amount_reads_exactly(where, text, expected):
    money = parse_money(text)

    assert money == Money(expected)
    assert money.currency == "GBP"
    assert isinstance(money.amount, Decimal)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("£22m", "22000000"),
        ("£22 million", "22000000"),
        ("£1,234,567", "1234567"),
        ("£12.50", "12.50"),
        ("£12.5", "12.5"),
        ("£0.5m", "500000"),
        ("£1.2bn", "1200000000"),
        ("£1.2 billion", "1200000000"),
        ("£450k", "450000"),
        ("£450 thousand", "450000"),
        ("£2,000,000.00", "2000000"),
        ("(£1,234)", "-1234"),
        ("( £1,234.50 )", "-1234.5"),
        ("-£500", "-500"),
        ("\u2212£500", "-500"),  # minus sign
        ("\u2013£500", "-500"),  # en dash, as PDFs print a minus
        ("£0", "0"),
        ("(£0)", "0"),
        ("£ 1,234", "1234"),
        ("\u00a0£\u00a01,234\u00a0m ", "1234000000"),
        ("£1,234.5m", "1234500000"),
        ("£0.125bn", "125000000"),
        ("£22M", "22000000"),
        ("£1.2BN", "1200000000"),
    ],
)
def test_parse_money_printed_form_reads_exactly(text, expected):
    assert parse_money(text) == Money(expected)


def test_parse_money_keeps_printed_precision():
    assert parse_money("£2,000,000.00").amount.as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("£12.3.4", "more than one decimal point"),
        ("£", "no amount after the £ sign"),
        ("£££", "more than one £ sign"),  # seed 002 line 4427
        ("12 pounds", "no £ sign"),
        ("1234.56", "no £ sign"),
        ("", "no £ sign"),
        ("£1,23", "grouped in threes"),
        ("£1,2345", "grouped in threes"),
        ("£,123", "expected forms like"),
        ("£1,234,", "grouped in threes"),
        ("£0012", "no leading zero"),
        ("£12.345", "more than two decimal places"),
        ("£13.million", "a decimal point must be followed by digits"),  # seed 001 line 518
        ("£400.", "a decimal point must be followed by digits"),  # seed 002 line 2646
        ("£.5", "expected forms like"),
        ("£1e5", "expected forms like"),
        ("£1.5E6", "expected forms like"),
        ("£nan", "no amount after the £ sign"),
        ("£inf", "no amount after the £ sign"),
        ("£0x1F", "expected forms like"),
        ("£1_000", "expected forms like"),
        ("£45 per day", "expected forms like"),  # seed 001 line 621: a rate, not an amount
        ("£48.7 million pounds", "expected forms like"),  # seed 001 line 310
        ("£-500", "expected forms like"),
        ("(£1,234", "unbalanced parentheses"),
        ("£1,234)", "unbalanced parentheses"),
        ("-(£5)", "both a minus sign and accounting parentheses"),
        ("£5 m m", "expected forms like"),
        ("£5mn", "expected forms like"),
        ("$500", "no £ sign"),
    ],
)
def test_parse_money_malformed_text_raises_quoting_it(text, reason):
    with pytest.raises(MoneyParseError) as caught:
        parse_money(text)

    message = str(caught.value)
    assert message.startswith(f"Unrecognised amount of money {text!r}: ")
    assert reason in message
    assert caught.value.text == text
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize("value", [None, 12, 12.5, D("12"), b"\xc2\xa312"])
def test_parse_money_non_string_raises_type_error(value):
    with pytest.raises(TypeError, match="takes a str"):
        parse_money(value)


def test_money_parse_error_pickles_with_message():
    error = MoneyParseError("£1,23", "bad")

    assert str(pickle.loads(pickle.dumps(error))) == str(error)


# --- construction ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "expected"),
    [(D("12.50"), D("12.50")), (12, D(12)), ("12.50", D("12.50")), ("-0.01", D("-0.01"))],
)
def test_money_exact_amount_kept(amount, expected):
    money = Money(amount)

    assert money.amount == expected
    assert money.currency == "GBP"


def test_money_float_raises_type_error_with_hint():
    with pytest.raises(TypeError, match=r"cannot be a float \(0\.1\).*Money\('12\.50'\)"):
        Money(0.1)


def test_money_bool_raises_type_error():
    with pytest.raises(TypeError, match="cannot be a bool"):
        Money(True)


@pytest.mark.parametrize("value", [None, [1], D(1).as_tuple()])
def test_money_other_type_raises_type_error(value):
    with pytest.raises(TypeError, match="must be a Decimal, int or str"):
        Money(value)


@pytest.mark.parametrize("value", [D("NaN"), D("Infinity"), D("-Infinity"), D("sNaN")])
def test_money_non_finite_decimal_raises(value):
    with pytest.raises(ValueError, match="must be finite"):
        Money(value)


@pytest.mark.parametrize("value", ["£12", "1e3", "12.", ".5", "1,000", " 12", "nan", ""])
def test_money_non_plain_string_raises_pointing_to_parser(value):
    with pytest.raises(ValueError, match="use parse_money"):
        Money(value)


@pytest.mark.parametrize("currency", ["gbp", "GB", "POUND", "", "G8P", None, 826])
def test_money_bad_currency_code_raises(currency):
    with pytest.raises(ValueError, match="ISO 4217"):
        Money(1, currency)


def test_money_negative_zero_normalised():
    assert str(Money("-0.00")) == "£0.00"
    assert not Money("-0").amount.is_signed()


def test_money_zero_and_from_pence_constructors():
    assert Money.zero() == Money(0)
    assert Money.zero("EUR").currency == "EUR"
    assert Money.from_pence(123456) == Money("1234.56")
    assert Money.from_pence(-5, "EUR") == Money("-0.05", "EUR")


@pytest.mark.parametrize("pence", [1.5, "100", True, D(100)])
def test_money_from_pence_non_int_raises_type_error(pence):
    with pytest.raises(TypeError, match="pence must be an int"):
        Money.from_pence(pence)


def test_money_immutable_attribute_assignment_raises():
    money = Money("1")

    with pytest.raises(AttributeError, match="immutable"):
        money.amount = D(2)
    with pytest.raises(AttributeError, match="immutable"):
        money._amount = D(2)
    with pytest.raises(AttributeError, match="immutable"):
        del money._currency


def test_money_pickle_and_copy_round_trip():
    money = Money("1234.56", "EUR")

    assert pickle.loads(pickle.dumps(money)) == money
    assert copy.copy(money) == money
    assert copy.deepcopy(money) == money


def test_money_repr_shows_exact_amount():
    assert repr(Money("1234.560")) == "Money('1234.560', 'GBP')"


# --- equality and ordering -----------------------------------------------------------


def test_money_equality_ignores_trailing_zeros():
    assert Money("1.5") == Money("1.50")
    assert hash(Money("1.5")) == hash(Money("1.50"))
    assert len({Money("1.5"), Money("1.50"), Money(D("1.500"))}) == 1


def test_money_equality_different_currency_is_false():
    assert Money(1, "GBP") != Money(1, "EUR")


def test_money_equality_with_number_is_false():
    assert Money(1) != 1
    assert Money(1) != D(1)


def test_money_ordering_same_currency():
    amounts = [Money(3), Money("-1"), Money("2.50")]

    assert sorted(amounts) == [Money(-1), Money("2.5"), Money(3)]
    assert Money(1) < Money(2) <= Money(2) < Money(3)
    assert Money(3) > Money(2) >= Money(2)
    assert max(amounts) == Money(3)


@pytest.mark.parametrize("compare", ["__lt__", "__le__", "__gt__", "__ge__"])
def test_money_ordering_different_currency_raises(compare):
    with pytest.raises(CurrencyMismatchError, match="cannot compare GBP and EUR"):
        getattr(Money(1), compare)(Money(1, "EUR"))


def test_money_ordering_with_number_raises_type_error():
    with pytest.raises(TypeError):
        _ = Money(1) < 2
    with pytest.raises(TypeError):
        _ = Money(1) >= D(2)


# --- arithmetic ------------------------------------------------------------------------


def test_money_addition_and_subtraction_exact():
    assert Money("0.10") + Money("0.20") == Money("0.30")
    assert Money("1000000000000000000000000000.01") + Money("0.01") == Money(
        "1000000000000000000000000000.02"
    )
    assert Money("10") - Money("10.01") == Money("-0.01")


def test_money_arithmetic_ignores_thread_decimal_context():
    with decimal.localcontext() as ctx:
        ctx.prec = 3
        ctx.rounding = decimal.ROUND_DOWN
        assert Money("1234.56") + Money("0.01") == Money("1234.57")
        assert Money("1234.56") * 3 == Money("3703.68")
        assert -Money("1234.56") == Money("-1234.56")


@pytest.mark.parametrize("op", ["__add__", "__sub__"])
def test_money_add_or_subtract_different_currency_raises(op):
    with pytest.raises(CurrencyMismatchError, match="GBP and USD"):
        getattr(Money(1), op)(Money(1, "USD"))


@pytest.mark.parametrize("other", [1, D(1), "1"])
def test_money_add_number_raises_type_error(other):
    with pytest.raises(TypeError):
        _ = Money(1) + other
    with pytest.raises(TypeError):
        _ = other - Money(1)


def test_money_multiplication_by_int_and_decimal_exact():
    assert Money("12.50") * 3 == Money("37.50")
    assert 3 * Money("12.50") == Money("37.50")
    assert Money("100") * D("0.175") == Money("17.5")
    assert D("1.5") * Money("2") == Money(3)


@pytest.mark.parametrize("factor", [1.5, 2.0])
def test_money_multiply_by_float_raises_type_error_with_hint(factor):
    with pytest.raises(TypeError, match=r"float.*pass a Decimal"):
        _ = Money(1) * factor
    with pytest.raises(TypeError, match=r"float.*pass a Decimal"):
        _ = factor * Money(1)


@pytest.mark.parametrize("factor", [Money(2), "2", True, None])
def test_money_multiply_by_non_number_raises_type_error(factor):
    with pytest.raises(TypeError):
        _ = Money(1) * factor


def test_money_multiply_by_non_finite_decimal_raises():
    with pytest.raises(ValueError, match="must be finite"):
        _ = Money(1) * D("Infinity")


def test_money_division_by_number_keeps_precision_until_rounded():
    third = Money(10) / 3

    assert third.amount == D("3.333333333333333333333333333333333")
    assert third.rounded() == Money("3.33")
    assert Money("100") / D("4") == Money(25)


def test_money_division_by_money_gives_ratio():
    ratio = Money("22000000") / Money("88000000")

    assert ratio == D("0.25")
    assert isinstance(ratio, Decimal)


def test_money_division_by_money_different_currency_raises():
    with pytest.raises(CurrencyMismatchError, match="cannot divide GBP and EUR"):
        _ = Money(1) / Money(1, "EUR")


@pytest.mark.parametrize("divisor", [0, D(0), D("0.00"), Money(0)])
def test_money_division_by_zero_raises(divisor):
    with pytest.raises(ZeroDivisionError):
        _ = Money(1) / divisor


def test_money_division_by_float_raises_type_error():
    with pytest.raises(TypeError, match="float"):
        _ = Money(1) / 2.0


def test_money_number_divided_by_money_raises_type_error():
    with pytest.raises(TypeError):
        _ = 1 / Money(1)


def test_money_unary_operators():
    assert -Money("5.25") == Money("-5.25")
    assert +Money("5.25") == Money("5.25")
    assert abs(Money("-5.25")) == Money("5.25")
    assert (-Money(5, "EUR")).currency == "EUR"


def test_money_sum_adds_many_exactly():
    values = [Money("0.10")] * 10 + [Money(1000)]

    assert Money.sum(values) == Money("1001.00")
    assert Money.sum(iter(values)) == Money("1001")
    assert Money.sum(m for m in values if m > Money(1)) == Money(1000)


def test_money_sum_empty_is_zero_in_currency():
    assert Money.sum([]) == Money(0)
    assert Money.sum([], currency="EUR") == Money(0, "EUR")


def test_money_sum_other_currency_raises():
    with pytest.raises(CurrencyMismatchError):
        Money.sum([Money(1), Money(1, "EUR")])
    with pytest.raises(CurrencyMismatchError):
        Money.sum([Money(1)], currency="EUR")


@pytest.mark.parametrize("item", [1, D(1), 1.0, None])
def test_money_sum_non_money_raises_type_error(item):
    with pytest.raises(TypeError, match=r"Money\.sum\(\) takes Money"):
        Money.sum([Money(1), item])


# --- rounding and pence ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "rounded"),
    [
        ("0.005", "0.01"),  # banker's rounding would give 0.00
        ("0.015", "0.02"),
        ("0.025", "0.03"),  # banker's rounding would give 0.02
        ("2.675", "2.68"),  # as a float this is 2.67499..., one reason floats are refused
        ("-0.005", "-0.01"),  # half away from zero, as Excel's ROUND
        ("1.004999", "1.00"),
        ("12", "12.00"),
        ("-0.004", "0.00"),
    ],
)
def test_money_rounded_half_up_to_pence(amount, rounded):
    result = Money(amount).rounded()

    assert result == Money(rounded)
    assert result.amount.as_tuple().exponent == -2


def test_money_rounded_keeps_currency_and_original():
    original = Money("1.005", "EUR")

    assert original.rounded() == Money("1.01", "EUR")
    assert original.amount == D("1.005")


@pytest.mark.parametrize(
    ("amount", "pence"),
    [("12.50", 1250), ("0.01", 1), ("-3.07", -307), ("1E+3", 100000), ("7", 700)],
)
def test_money_pence_whole_pence_gives_int(amount, pence):
    result = Money(D(amount)).pence

    assert result == pence
    assert type(result) is int


def test_money_pence_fraction_of_penny_raises():
    with pytest.raises(ValueError, match=r"fraction of a penny: call \.rounded\(\) first"):
        _ = Money("0.005").pence


def test_money_pence_after_rounding_works():
    assert Money("0.005").rounded().pence == 1


# --- display ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("money", "text"),
    [
        (Money("1234.56"), "£1,234.56"),
        (Money("1234.5"), "£1,234.50"),
        (Money(0), "£0.00"),
        (Money("-500"), "-£500.00"),
        (Money("1234567.891"), "£1,234,567.89"),
        (Money("0.005"), "£0.01"),
        (Money("-0.004"), "£0.00"),
        (Money("1200000000"), "£1,200,000,000.00"),
        (Money("1234.56", "EUR"), "EUR 1,234.56"),
        (Money("-1234.56", "USD"), "-USD 1,234.56"),
    ],
)
def test_money_str_formats_pounds_and_pence(money, text):
    assert str(money) == text


@pytest.mark.parametrize(
    ("amount", "short"),
    [
        ("22000000", "£22m"),
        ("1200000000", "£1.2bn"),
        ("450000", "£450k"),
        ("1234567", "£1.2m"),
        ("1250000", "£1.3m"),  # half up
        ("185400000", "£185.4m"),
        ("950000", "£950k"),
        ("999950", "£1m"),  # 1000.0k moves up a unit
        ("999949", "£999.9k"),
        ("999999999", "£1bn"),
        ("1000", "£1k"),
        ("8600", "£8.6k"),
        ("1234500000000", "£1,234.5bn"),
        ("450", "£450"),
        ("12.5", "£12.50"),
        ("999.995", "£1k"),
        ("0", "£0"),
        ("-1500000", "-£1.5m"),
        ("-0.5", "-£0.50"),
    ],
)
def test_money_format_short_headline_form(amount, short):
    assert Money(amount).format_short() == short


def test_money_format_short_other_currency_uses_code():
    assert Money("2500000", "EUR").format_short() == "EUR 2.5m"


@pytest.mark.parametrize("short", ["£22m", "£1.2bn", "£450k", "£185.4m", "£12.50", "-£1.5m"])
def test_money_format_short_parses_back(short):
    assert parse_money(short).format_short() == short


def test_money_str_parses_back_exactly():
    money = Money("-1234567.89")

    assert parse_money(str(money)) == money


def test_money_float_hint_mentions_decimal_string():
    with pytest.raises(TypeError) as caught:
        Money(1234.56)

    assert re.search(r"Money\(Decimal\('12\.50'\)\)", str(caught.value))
