"""The vectorised first pass must agree with the row-by-row checker on every row: the same
rows accepted with the same numbers, and the same problems reported in the same order."""

import csv
import io
import random

import pytest

from placebook.indicators import bulk_check, fingertips
from placebook.indicators.fingertips import EXPORT_COLUMNS
from tests.factories.core import AreaFactory, OrganisationFactory
from tests.factories.indicators import IndicatorFactory

pytestmark = pytest.mark.django_db

GOOD_NUMBERS = ["61.2", "0", "-5", "+2", ".5", "1.", "12.25", ""]
CELLS = {
    "Indicator ID": ["90362", "90362", "healthy-life-expectancy", " 90362", "99999", "", "  "],
    "Area Code": ["E08000014", "E08000014", "e08000014", "E08000011", "RVY", "X1", ""],
    "Time period": ["2021/22", "2020/21", "2022", "2019/20", "not a period", ""],
    "Sex": ["Persons", "Persons", "male", "Female ", "X", ""],
    "Age": ["All ages", "All ages", "18+", "  All   ages ", "", "a" * 50],
    "Value note": ["", "", "Aggregated", "x" * 310],
    "Value note code": ["", "", "", "suppressed", "bogus", "  "],
    "Value status": ["", "", "provisional", "Final", "weird"],
}
TRICKY_NUMBERS = [" 1", "1e3", "1.5E-3", "nan", "inf", "abc", "1" * 320, "1_000", "--1", "1.2.3"]


@pytest.fixture
def catalogue(db):
    AreaFactory(code="E08000014", name="Sefton", type="local_authority")
    AreaFactory(code="E08000011", name="Knowsley", type="local_authority")
    OrganisationFactory(key="rvy", ods_code="RVY", name="Southport and Ormskirk")
    IndicatorFactory(code="healthy-life-expectancy", fingertips_id=90362)


def random_rows(count: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    rows = []
    for _ in range(count):
        if rng.random() < 0.02:
            rows.append({})  # a blank row, as at the foot of a spreadsheet
            continue
        row = {column: rng.choice(choices) for column, choices in CELLS.items()}
        value = rng.uniform(0, 100)
        width = rng.choice([0.5, 5, 50])
        numbers = [value, value - width, value + width, value - 2 * width, value + 2 * width]
        texts = [f"{n:.{rng.choice([0, 1, 3, 6])}f}" for n in numbers]
        texts += [rng.choice(["12", "0", "", "-3"]), rng.choice(["200", "", "-1"])]
        # Limits out of order, or a value outside them.
        if rng.random() < 0.1:
            texts[1], texts[2] = texts[2], texts[1]
        if rng.random() < 0.1:
            texts[3], texts[4] = texts[4], texts[3]
        if rng.random() < 0.1:
            texts[0] = f"{value + rng.choice([-3, 3]) * width:.2f}"
        if rng.random() < 0.05:  # only the 99.8% limits given, and the value beyond them
            texts[1] = texts[2] = ""
            texts[0] = f"{value + 3 * width:.2f}"
        for at in range(7):
            if rng.random() < 0.05:
                texts[at] = rng.choice(TRICKY_NUMBERS + GOOD_NUMBERS)
        row |= dict(zip(fingertips._NUMBERS, texts, strict=True))
        rows.append(row)
    return rows


def checked(rows: list[dict], *, vectorised: bool):
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=EXPORT_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    text.seek(0)
    frame = bulk_check.read_frame(text) if vectorised else None
    header_row, header, records = fingertips._csv_records(text)
    checker = fingertips._Checker(header_row, header)
    checker.load()
    good, careful = fingertips._checked(checker, records, frame)
    accepted = list(careful)
    assert (good is not None) == vectorised
    if good is not None:
        accepted += good.iter_rows()
    # Period references are numbered as periods are first met, which differs between the
    # passes; compare the periods themselves.
    periods = {ref: period for period, ref in checker.period_refs.items()}
    accepted = sorted((*row[:4], periods[row[4]], *row[5:]) for row in accepted)
    return accepted, checker.errors


@pytest.mark.parametrize("seed", range(4))
def test_the_first_pass_accepts_exactly_what_the_row_checker_accepts(catalogue, seed):
    rows = random_rows(600, seed)
    slow_rows, slow_errors = checked(rows, vectorised=False)
    fast_rows, fast_errors = checked(rows, vectorised=True)
    assert slow_rows, "the sample should hold good rows"
    assert slow_errors, "and bad ones"
    assert fast_rows == slow_rows  # same rows, same numbers, exactly
    assert fast_errors == slow_errors  # same problems, same order


def test_numbers_read_by_the_first_pass_are_the_doubles_python_reads(catalogue):
    rng = random.Random(7)
    texts = [f"{rng.uniform(-1e6, 1e6):.{rng.randint(0, 17)}f}" for _ in range(2000)]
    texts += ["0.1", "0.30000000000000004", "123456789012345678901234567890", "-0.0"]
    rows = [
        {"Indicator ID": "90362", "Area Code": "E08000014", "Time period": str(2000 + i % 20),
         "Sex": "Persons", "Age": f"age {i}", "Value": text}
        for i, text in enumerate(texts)
    ]  # fmt: skip
    fast_rows, errors = checked(rows, vectorised=True)
    assert not errors
    by_line = {row[0]: row[7] for row in fast_rows}
    assert [by_line[line] for line in range(2, len(texts) + 2)] == [float(t) for t in texts]


def test_a_decimal_too_long_to_be_finite_is_refused_by_both_passes(catalogue):
    rows = [{"Indicator ID": "90362", "Area Code": "E08000014", "Time period": "2021/22",
             "Sex": "Persons", "Age": "All ages", "Value": "9" * 400}]  # fmt: skip
    for vectorised in (False, True):
        accepted, errors = checked(rows, vectorised=vectorised)
        assert accepted == []
        assert [(e.row, e.column, e.message) for e in errors] == [
            (2, "Value", f"{'9' * 400!r} is not a finite number.")
        ]


def test_short_rows_and_quoted_empty_cells_read_alike_in_both_passes(catalogue):
    key = ["90362", "E08000014", "2021/22", "Persons"]
    lines = [
        ["Indicator ID", "Area Code", "Time period", "Sex", "Age", "Value", "Value note"],
        [*key, "All ages", "61.2", "a note"],
        [*key, "18+", "60.1"],  # no note cell at all
        [*key, "65+"],  # nor a value
        [*key[:3]],  # nor a sex or an age: refused
        [*key, "75+", '""', '""'],  # quoted empty cells
    ]
    text = "\n".join(",".join(line) for line in lines) + "\n"
    frame = bulk_check.read_frame(io.StringIO(text))
    assert frame is not None
    assert frame.null_count().sum_horizontal().item() == 0
    assert frame.row(2)[5:] == ("", "")

    def check(vectorised: bool):
        stream = io.StringIO(text)
        first = bulk_check.read_frame(stream) if vectorised else None
        header_row, header, records = fingertips._csv_records(stream)
        checker = fingertips._Checker(header_row, header)
        checker.load()
        good, careful = fingertips._checked(checker, records, first)
        accepted = list(careful) + (list(good.iter_rows()) if good is not None else [])
        return sorted(row[:4] + row[5:] for row in accepted), checker.errors

    slow, fast = check(vectorised=False), check(vectorised=True)
    assert fast == slow
    assert [row[0] for row in slow[0]] == [2, 3, 4, 6]
    assert [(e.row, e.column) for e in slow[1]] == [(5, "Sex"), (5, "Age")]


@pytest.mark.parametrize(
    "text",
    [
        "Indicator ID,Area Code\n90362,E08000014,extra\n",  # longer than the header
        'Indicator ID,Area Code\n9"0362,E08000014\n',  # a quote inside a cell
    ],
)
def test_files_polars_would_read_differently_go_row_by_row(text):
    assert bulk_check.read_frame(io.StringIO(text)) is None
