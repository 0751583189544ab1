"""Period parsing and arithmetic. Plain functions: no database, no Django."""

import dataclasses
import pickle
import re
from datetime import date, datetime
from pathlib import Path

import pytest

from placebook.core.periods import (
    Period,
    PeriodParseError,
    PeriodType,
    financial_quarter_of,
    financial_year_of,
    parse_period,
    rolling_12_months_ending,
    year_to_date,
)

FY = PeriodType.FINANCIAL_YEAR
CY = PeriodType.CALENDAR_YEAR
QUARTER = PeriodType.QUARTER
QRANGE = PeriodType.QUARTER_RANGE
MONTH = PeriodType.MONTH
MRANGE = PeriodType.MONTH_RANGE
YTD = PeriodType.YEAR_TO_DATE
ROLLING = PeriodType.ROLLING_12_MONTHS
POOLED = PeriodType.POOLED_YEARS
DAYS = PeriodType.DATE_RANGE

EN = "\u2013"  # en dash, as the PDF-to-text output prints it


def _ymd(iso: str) -> tuple[int, int, int]:
    return date.fromisoformat(iso).timetuple()[:3]


def _dmy(iso: str) -> str:
    d = date.fromisoformat(iso)
    return f"{d.day} {d:%b %Y}"  # Python leaves LC_TIME as "C", so %b is English


SEED = Path(__file__).resolve().parents[3].parent / "shared" / "seeds" / "002_4e363bc55a2032c6.txt"

# Every period string printed in seed 002 (the January 2024 scrutiny pack), with the lines
# it is printed on (a sample where it recurs), its type, span and canonical label.
SEED_PERIODS = [
    # Health provider performance dashboard, "Time Period" column and targets.
    ((2230, 2231, 2253, 2269, 2305), "Oct-23", MONTH, (2023, 10, 1), (2023, 10, 31), "Oct 2023"),
    ((2237,), "Aug-23", MONTH, (2023, 8, 1), (2023, 8, 31), "Aug 2023"),
    ((2268,), "Qtr 4 Mar-23", QUARTER, (2023, 1, 1), (2023, 3, 31), "2022/23 Q4"),
    ((2235, 2266, 4396, 4411), "2023-24", FY, (2023, 4, 1), (2024, 3, 31), "2023/24"),
    # Cabinet member reports, "Period of Report".
    ((2492,), f"March {EN} Aug 2023", MRANGE, (2023, 3, 1), (2023, 8, 31), "Mar 2023 - Aug 2023"),
    ((5537,), f"Oct {EN} Dec 2023", MRANGE, (2023, 10, 1), (2023, 12, 31), "Oct 2023 - Dec 2023"),
    (
        (5438,),
        "October- December 2023",
        MRANGE,
        (2023, 10, 1),
        (2023, 12, 31),
        "Oct 2023 - Dec 2023",
    ),
    # Public Health Outcomes Framework table: baseline, previous and latest columns.
    ((3119, 3120, 3265, 3266), "2009-11", POOLED, (2009, 1, 1), (2011, 12, 31), "2009-11"),
    ((3119, 3120, 3265, 3266), "2017-19", POOLED, (2017, 1, 1), (2019, 12, 31), "2017-19"),
    ((3119, 3144, 3265, 3290), "2018-20", POOLED, (2018, 1, 1), (2020, 12, 31), "2018-20"),
    ((3144, 3290), "2001-03", POOLED, (2001, 1, 1), (2003, 12, 31), "2001-03"),
    ((2958, 2960, 3144, 3290), "2019-21", POOLED, (2019, 1, 1), (2021, 12, 31), "2019-21"),
    ((3121, 3267), "2011", CY, (2011, 1, 1), (2011, 12, 31), "2011"),
    ((3121, 3139, 3267, 3285), "2021", CY, (2021, 1, 1), (2021, 12, 31), "2021"),
    ((3121, 3267), "2022", CY, (2022, 1, 1), (2022, 12, 31), "2022"),
    ((3124, 3270), "1998", CY, (1998, 1, 1), (1998, 12, 31), "1998"),
    ((3122, 3123, 3268, 3269), "2013/14 Q1", QUARTER, (2013, 4, 1), (2013, 6, 30), "2013/14 Q1"),
    ((3122, 3268), "2021/22 Q1-4", QRANGE, (2021, 4, 1), (2022, 3, 31), "2021/22 Q1-4"),
    ((3122, 3268), "2022/23 Q1-4", QRANGE, (2022, 4, 1), (2023, 3, 31), "2022/23 Q1-4"),
    ((3133, 3279), "2011/12 Q1", QUARTER, (2011, 4, 1), (2011, 6, 30), "2011/12 Q1"),
    ((3133, 3279), "2022/23 Q1", QUARTER, (2022, 4, 1), (2022, 6, 30), "2022/23 Q1"),
    ((3133, 3279), "2023/24 Q1", QUARTER, (2023, 4, 1), (2023, 6, 30), "2023/24 Q1"),
    ((3124, 3270), "Dec-20", MONTH, (2020, 12, 1), (2020, 12, 31), "Dec 2020"),
    ((3124, 3270), "Dec-21", MONTH, (2021, 12, 1), (2021, 12, 31), "Dec 2021"),
    ((3125, 3126, 3271, 3272), "2007/08", FY, (2007, 4, 1), (2008, 3, 31), "2007/08"),
    ((3125, 3271), "2018/19", FY, (2018, 4, 1), (2019, 3, 31), "2018/19"),
    ((3125, 3132, 3271), "2021/22", FY, (2021, 4, 1), (2022, 3, 31), "2021/22"),
    ((3127, 3273), "2015/16", FY, (2015, 4, 1), (2016, 3, 31), "2015/16"),
    ((3127, 3273), "2020/21", FY, (2020, 4, 1), (2021, 3, 31), "2020/21"),
    ((3135, 3281), "2011/12", FY, (2011, 4, 1), (2012, 3, 31), "2011/12"),
    ((3136, 3282), "2012/13", FY, (2012, 4, 1), (2013, 3, 31), "2012/13"),
    ((3130, 3276), "Nov 10 - Oct 11", MRANGE, (2010, 11, 1), (2011, 10, 31), "Nov 2010 - Oct 2011"),
    ((3130, 3276), "Jan21-Dec21", MRANGE, (2021, 1, 1), (2021, 12, 31), "Jan 2021 - Dec 2021"),
    ((3130, 3276), "Jan 22-Dec22", MRANGE, (2022, 1, 1), (2022, 12, 31), "Jan 2022 - Dec 2022"),
    # Adult social care: ASCOF comparator column headings and commentary.
    ((3559, 3578, 3715), "21/22", FY, (2021, 4, 1), (2022, 3, 31), "2021/22"),
    ((3578, 3715, 3772), "18/19", FY, (2018, 4, 1), (2019, 3, 31), "2018/19"),
    ((3715, 3772, 3803), "19/20", FY, (2019, 4, 1), (2020, 3, 31), "2019/20"),
    ((3660,), "20/21", FY, (2020, 4, 1), (2021, 3, 31), "2020/21"),
    ((3652, 3666, 3715), "22/23", FY, (2022, 4, 1), (2023, 3, 31), "2022/23"),
    # Cancer alliance: "23/24 | Q1 Q2 Q3 Q4" tables and plans.
    ((1253, 1284, 3666, 3823), "23/24", FY, (2023, 4, 1), (2024, 3, 31), "2023/24"),
    ((1411,), "24/25", FY, (2024, 4, 1), (2025, 3, 31), "2024/25"),
    ((872, 1266, 1289), "Q3 2023/24", QUARTER, (2023, 10, 1), (2023, 12, 31), "2023/24 Q3"),
    ((1733,), "Q4 2023/24", QUARTER, (2024, 1, 1), (2024, 3, 31), "2023/24 Q4"),
    ((1114, 1301, 1734), "2024/25", FY, (2024, 4, 1), (2025, 3, 31), "2024/25"),
    ((1734, 1735), "2029/30", FY, (2029, 4, 1), (2030, 3, 31), "2029/30"),
    ((1102, 2888), "2022/23", FY, (2022, 4, 1), (2023, 3, 31), "2022/23"),
    ((318, 872), "2023/24", FY, (2023, 4, 1), (2024, 3, 31), "2023/24"),
    ((2458, 2753), "2019/20", FY, (2019, 4, 1), (2020, 3, 31), "2019/20"),
    ((2791,), "2017/18", FY, (2017, 4, 1), (2018, 3, 31), "2017/18"),
    ((2816,), "2010/11", FY, (2010, 4, 1), (2011, 3, 31), "2010/11"),
    ((946,), "2011/12 - 2020/21", POOLED, (2011, 4, 1), (2021, 3, 31), "2011/12 - 2020/21"),
    # Public health commentary.
    ((1012, 1033, 3082, 3090), "2018-2020", POOLED, (2018, 1, 1), (2020, 12, 31), "2018-20"),
    ((3082,), "2016-2018", POOLED, (2016, 1, 1), (2018, 12, 31), "2016-18"),
    ((3086,), "2013-15", POOLED, (2013, 1, 1), (2015, 12, 31), "2013-15"),
    ((3090,), "2015-17", POOLED, (2015, 1, 1), (2017, 12, 31), "2015-17"),
    ((3521,), "2018-2022", POOLED, (2018, 1, 1), (2022, 12, 31), "2018-22"),
    ((4382,), "2023-26", POOLED, (2023, 1, 1), (2026, 12, 31), "2023-26"),
    ((2438, 2522, 5571), "2020-21", FY, (2020, 4, 1), (2021, 3, 31), "2020/21"),
    ((5862,), "2024-25", FY, (2024, 4, 1), (2025, 3, 31), "2024/25"),
    (
        (2438, 2522),
        "March 2021 to June 2023",
        MRANGE,
        (2021, 3, 1),
        (2023, 6, 30),
        "Mar 2021 - Jun 2023",
    ),
    (
        (2504,),
        "September 2022 to February 2023",
        MRANGE,
        (2022, 9, 1),
        (2023, 2, 28),
        "Sep 2022 - Feb 2023",
    ),
    (
        (2328, 2504, 5566),
        "March 2023 through August 2023",
        MRANGE,
        (2023, 3, 1),
        (2023, 8, 31),
        "Mar 2023 - Aug 2023",
    ),
    (
        (6136,),
        f"January {EN} March 2023",
        MRANGE,
        (2023, 1, 1),
        (2023, 3, 31),
        "Jan 2023 - Mar 2023",
    ),
    # Serious Violence Duty milestones, "Timeframe" column.
    ((4399, 4400), "January 2023", MONTH, (2023, 1, 1), (2023, 1, 31), "Jan 2023"),
    ((4401,), "March 2023", MONTH, (2023, 3, 1), (2023, 3, 31), "Mar 2023"),
    ((4402,), "March-April 2023", MRANGE, (2023, 3, 1), (2023, 4, 30), "Mar 2023 - Apr 2023"),
    ((4403, 4405), "April-May 2023", MRANGE, (2023, 4, 1), (2023, 5, 31), "Apr 2023 - May 2023"),
    ((4406,), "May-June 2023", MRANGE, (2023, 5, 1), (2023, 6, 30), "May 2023 - Jun 2023"),
    ((4409,), "September 2023", MONTH, (2023, 9, 1), (2023, 9, 30), "Sep 2023"),
    ((4416, 4417), "January 2024", MONTH, (2024, 1, 1), (2024, 1, 31), "Jan 2024"),
    (
        (4428,),
        "April 2024 - December 2024",
        MRANGE,
        (2024, 4, 1),
        (2024, 12, 31),
        "Apr 2024 - Dec 2024",
    ),
    # Forward plan periods, written with days.
    (
        (350,),
        f"1 November {EN} 29 February 2024",
        MRANGE,
        (2023, 11, 1),
        (2024, 2, 29),
        "Nov 2023 - Feb 2024",
    ),
    (
        (5785,),
        f"1 February 2024 {EN} 31 May 2024",
        MRANGE,
        (2024, 2, 1),
        (2024, 5, 31),
        "Feb 2024 - May 2024",
    ),
    (
        (5981,),
        "1 FEBRUARY 2024 - 31 MAY 2024",
        MRANGE,
        (2024, 2, 1),
        (2024, 5, 31),
        "Feb 2024 - May 2024",
    ),
    # NHS-Galleri indicative trial schedule (lines 1364-1375): invitation and appointment
    # windows, day-precise. Labels drop the leading zero: '2 Oct 2023'.
    *[
        ((line,), f"{a} {EN} {b}", DAYS, _ymd(first), _ymd(last), f"{_dmy(first)} - {_dmy(last)}")
        for line, a, b, first, last in [
            (1364, "20 Jul 23", "17 Aug 23", "2023-07-20", "2023-08-17"),
            (1364, "16 Sep 23", "02 Oct 23", "2023-09-16", "2023-10-02"),
            (1365, "23 Aug 23", "18 Sep 23", "2023-08-23", "2023-09-18"),
            (1365, "04 Oct 23", "27 Oct 23", "2023-10-04", "2023-10-27"),
            (1366, "22 Sep 23", "16 Oct 23", "2023-09-22", "2023-10-16"),
            (1366, "31 Oct 23", "27 Nov 23", "2023-10-31", "2023-11-27"),
            (1367, "18 Oct 23", "10 Nov 23", "2023-10-18", "2023-11-10"),
            (1367, "27 Nov 23", "18 Dec 23", "2023-11-27", "2023-12-18"),
            (1368, "23 Nov 23", "18 Dec 23", "2023-11-23", "2023-12-18"),
            (1368, "09 Jan 24", "05 Feb 24", "2024-01-09", "2024-02-05"),
            (1369, "30 Dec 23", "15 Jan 24", "2023-12-30", "2024-01-15"),
            (1369, "12 Feb 24", "22 Feb 24", "2024-02-12", "2024-02-22"),
            (1370, "17 Jan 24", "06 Feb 24", "2024-01-17", "2024-02-06"),
            (1370, "26 Feb 24", "18 Mar 24", "2024-02-26", "2024-03-18"),
            (1371, "08 Feb 24", "27 Feb 24", "2024-02-08", "2024-02-27"),
            (1371, "21 Mar 24", "12 Apr 24", "2024-03-21", "2024-04-12"),
            (1372, "01 Mar 24", "26 Mar 24", "2024-03-01", "2024-03-26"),
            (1372, "17 Apr 24", "07 May 24", "2024-04-17", "2024-05-07"),
            (1373, "30 Mar 24", "15 Apr 24", "2024-03-30", "2024-04-15"),
            (1373, "10 May 24", "28 May 24", "2024-05-10", "2024-05-28"),
            (1374, "18 Apr 24", "06 May 24", "2024-04-18", "2024-05-06"),
            (1374, "31 May 24", "14 Jun 24", "2024-05-31", "2024-06-14"),
            (1375, "09 May 24", "21 May 24", "2024-05-09", "2024-05-21"),
            (1375, "17 Jun 24", "28 Jun 24", "2024-06-17", "2024-06-28"),
        ]
    ],
    # Months in prose and tables, two-digit and four-digit years.
    ((391, 2230), "July 23", MONTH, (2023, 7, 1), (2023, 7, 31), "Jul 2023"),
    ((535,), "August 23", MONTH, (2023, 8, 1), (2023, 8, 31), "Aug 2023"),
    ((514, 537, 3870), "September 23", MONTH, (2023, 9, 1), (2023, 9, 30), "Sep 2023"),
    ((516, 539, 2090), "October 23", MONTH, (2023, 10, 1), (2023, 10, 31), "Oct 2023"),
    ((519, 541), "November 23", MONTH, (2023, 11, 1), (2023, 11, 30), "Nov 2023"),
    ((521, 543), "December 23", MONTH, (2023, 12, 1), (2023, 12, 31), "Dec 2023"),
    ((3870,), "January 23", MONTH, (2023, 1, 1), (2023, 1, 31), "Jan 2023"),
    ((1307,), "June 23", MONTH, (2023, 6, 1), (2023, 6, 30), "Jun 2023"),
    ((1307,), "August 21", MONTH, (2021, 8, 1), (2021, 8, 31), "Aug 2021"),
    ((549,), "Apr 2020", MONTH, (2020, 4, 1), (2020, 4, 30), "Apr 2020"),
    ((3545, 3823), "Jan 2024", MONTH, (2024, 1, 1), (2024, 1, 31), "Jan 2024"),
    ((407, 422, 469), "April 2020", MONTH, (2020, 4, 1), (2020, 4, 30), "Apr 2020"),
    ((409, 413, 980), "July 2023", MONTH, (2023, 7, 1), (2023, 7, 31), "Jul 2023"),
    ((415, 3116), "August 2023", MONTH, (2023, 8, 1), (2023, 8, 31), "Aug 2023"),
    ((423, 1487), "July 2022", MONTH, (2022, 7, 1), (2022, 7, 31), "Jul 2022"),
    ((424,), "October 2022", MONTH, (2022, 10, 1), (2022, 10, 31), "Oct 2022"),
    ((426, 1735), "April 2023", MONTH, (2023, 4, 1), (2023, 4, 30), "Apr 2023"),
    ((426, 1747), "July 2021", MONTH, (2021, 7, 1), (2021, 7, 31), "Jul 2021"),
    ((431, 1493), "June 2023", MONTH, (2023, 6, 1), (2023, 6, 30), "Jun 2023"),
    ((1186, 1196, 3551), "March 2024", MONTH, (2024, 3, 1), (2024, 3, 31), "Mar 2024"),
    ((1204, 1295), "May 2023", MONTH, (2023, 5, 1), (2023, 5, 31), "May 2023"),
    ((1731, 2457), "December 2021", MONTH, (2021, 12, 1), (2021, 12, 31), "Dec 2021"),
    ((1732, 1928), "September 2022", MONTH, (2022, 9, 1), (2022, 9, 30), "Sep 2022"),
    ((1745,), "February 2023", MONTH, (2023, 2, 1), (2023, 2, 28), "Feb 2023"),
    ((1747, 2464), "December 2022", MONTH, (2022, 12, 1), (2022, 12, 31), "Dec 2022"),
    ((1749, 1914), "March 2025", MONTH, (2025, 3, 1), (2025, 3, 31), "Mar 2025"),
    ((2415,), "December 2023", MONTH, (2023, 12, 1), (2023, 12, 31), "Dec 2023"),
    ((3529,), "May 2026", MONTH, (2026, 5, 1), (2026, 5, 31), "May 2026"),
    ((3943, 6150), "November 2023", MONTH, (2023, 11, 1), (2023, 11, 30), "Nov 2023"),
    ((4335,), "July 2019", MONTH, (2019, 7, 1), (2019, 7, 31), "Jul 2019"),
    ((4467,), "April 2018", MONTH, (2018, 4, 1), (2018, 4, 30), "Apr 2018"),
    ((4471,), "March 2019", MONTH, (2019, 3, 1), (2019, 3, 31), "Mar 2019"),
    ((5620,), "October 2023", MONTH, (2023, 10, 1), (2023, 10, 31), "Oct 2023"),
    ((5624,), "April 2021", MONTH, (2021, 4, 1), (2021, 4, 30), "Apr 2021"),
    ((5823,), "May 2017", MONTH, (2017, 5, 1), (2017, 5, 31), "May 2017"),
    ((6059,), "November 2022", MONTH, (2022, 11, 1), (2022, 11, 30), "Nov 2022"),
]


def _seed_id(case: tuple) -> str:
    lines, text = case[0], case[1]
    return f"L{lines[0]}:{text}"


@pytest.mark.parametrize(
    ("lines", "text", "kind", "start", "end", "label"),
    SEED_PERIODS,
    ids=map(_seed_id, SEED_PERIODS),
)
def test_parse_period_seed_string_reads_exactly(lines, text, kind, start, end, label):
    period = parse_period(text)

    assert period.type is kind
    assert period.start == date(*start)
    assert period.end == date(*end)
    assert period.label == label
    assert period.source_text == text


@pytest.mark.parametrize(
    ("lines", "text", "kind", "start", "end", "label"),
    SEED_PERIODS,
    ids=map(_seed_id, SEED_PERIODS),
)
def test_parse_period_seed_label_round_trips(lines, text, kind, start, end, label):
    period = parse_period(text)

    assert parse_period(period.label) == period


@pytest.mark.skipif(not SEED.exists(), reason="shared seeds are not beside this checkout")
@pytest.mark.parametrize(
    ("lines", "text", "kind", "start", "end", "label"),
    SEED_PERIODS,
    ids=map(_seed_id, SEED_PERIODS),
)
def test_seed_periods_list_matches_seed_lines(lines, text, kind, start, end, label):
    printed = SEED.read_text(encoding="utf-8").splitlines()

    for line in lines:
        assert text in printed[line - 1], f"{text!r} is not on line {line}"


def test_parse_period_seed_quarter_columns_compose_with_year_heading():
    # Lines 1253 and 1284: a "23/24" heading over "Q1 Q2 Q3 Q4" columns.
    quarters = [parse_period(f"23/24 Q{q}") for q in range(1, 5)]

    assert [p.label for p in quarters] == [f"2023/24 Q{q}" for q in range(1, 5)]
    assert quarters[-1].end == date(2024, 3, 31)


# --- other accepted forms --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind", "start", "end", "label"),
    [
        ("2021/2022", FY, (2021, 4, 1), (2022, 3, 31), "2021/22"),
        ("2019/2020", FY, (2019, 4, 1), (2020, 3, 31), "2019/20"),  # seed 001
        ("FY2021/22", FY, (2021, 4, 1), (2022, 3, 31), "2021/22"),
        ("2021-2022", FY, (2021, 4, 1), (2022, 3, 31), "2021/22"),
        ("2021 to 2022", FY, (2021, 4, 1), (2022, 3, 31), "2021/22"),
        ("1999/00", FY, (1999, 4, 1), (2000, 3, 31), "1999/00"),
        ("Jan-Dec 22", MRANGE, (2022, 1, 1), (2022, 12, 31), "Jan 2022 - Dec 2022"),
        ("Nov10-Oct11", MRANGE, (2010, 11, 1), (2011, 10, 31), "Nov 2010 - Oct 2011"),
        ("Mar-Aug 2023", MRANGE, (2023, 3, 1), (2023, 8, 31), "Mar 2023 - Aug 2023"),
        ("Nov-Feb 2024", MRANGE, (2023, 11, 1), (2024, 2, 29), "Nov 2023 - Feb 2024"),
        ("Apr-23", MONTH, (2023, 4, 1), (2023, 4, 30), "Apr 2023"),
        ("Sept. 2023", MONTH, (2023, 9, 1), (2023, 9, 30), "Sep 2023"),
        ("Oct '23", MONTH, (2023, 10, 1), (2023, 10, 31), "Oct 2023"),
        ("Aug23", MONTH, (2023, 8, 1), (2023, 8, 31), "Aug 2023"),
        ("Jan 2023 - Jan 2023", MONTH, (2023, 1, 1), (2023, 1, 31), "Jan 2023"),
        ("Q2 2023/24", QUARTER, (2023, 7, 1), (2023, 9, 30), "2023/24 Q2"),
        ("2023/24 Quarter 2", QUARTER, (2023, 7, 1), (2023, 9, 30), "2023/24 Q2"),
        ("Q1 2023-24", QUARTER, (2023, 4, 1), (2023, 6, 30), "2023/24 Q1"),
        ("Q1-2 2023/24", QRANGE, (2023, 4, 1), (2023, 9, 30), "2023/24 Q1-2"),
        ("2022/23 Q1-Q4", QRANGE, (2022, 4, 1), (2023, 3, 31), "2022/23 Q1-4"),
        ("2022/23 Q2-3", QRANGE, (2022, 7, 1), (2022, 12, 31), "2022/23 Q2-3"),
        ("Qtr 1 Apr-23", QUARTER, (2023, 4, 1), (2023, 6, 30), "2023/24 Q1"),
        ("2020 - 22", POOLED, (2020, 1, 1), (2022, 12, 31), "2020-22"),
        ("2018 to 2020", POOLED, (2018, 1, 1), (2020, 12, 31), "2018-20"),
        ("1998-01", POOLED, (1998, 1, 1), (2001, 12, 31), "1998-2001"),
        ("2019/20 - 2021/22", POOLED, (2019, 4, 1), (2022, 3, 31), "2019/20 - 2021/22"),
        ("2019/20 - 2020/21", POOLED, (2019, 4, 1), (2021, 3, 31), "2019/20 - 2020/21"),
        ("YTD Oct-23", YTD, (2023, 4, 1), (2023, 10, 31), "2023/24 YTD to Oct 2023"),
        ("Oct-23 YTD", YTD, (2023, 4, 1), (2023, 10, 31), "2023/24 YTD to Oct 2023"),
        ("2023/24 YTD to Oct 2023", YTD, (2023, 4, 1), (2023, 10, 31), "2023/24 YTD to Oct 2023"),
        (
            "2023/24 year to date Feb-24",
            YTD,
            (2023, 4, 1),
            (2024, 2, 29),
            "2023/24 YTD to Feb 2024",
        ),
        ("12 months to Sep 2023", ROLLING, (2022, 10, 1), (2023, 9, 30), "12 months to Sep 2023"),
        (
            "rolling 12 months to Dec-21",
            ROLLING,
            (2021, 1, 1),
            (2021, 12, 31),
            "12 months to Dec 2021",
        ),
        (
            "12 months ending 30 September 2023",
            ROLLING,
            (2022, 10, 1),
            (2023, 9, 30),
            "12 months to Sep 2023",
        ),
        (
            "1st April 2023 to 31st March 2024",
            MRANGE,
            (2023, 4, 1),
            (2024, 3, 31),
            "Apr 2023 - Mar 2024",
        ),
        (
            "21 st September 2023 - 5 Oct 2023",
            DAYS,
            (2023, 9, 21),
            (2023, 10, 5),
            "21 Sep 2023 - 5 Oct 2023",
        ),
    ],
)
def test_parse_period_other_form_reads_exactly(text, kind, start, end, label):
    period = parse_period(text)

    assert (period.type, period.start, period.end, period.label) == (
        kind,
        date(*start),
        date(*end),
        label,
    )
    assert parse_period(period.label) == period


@pytest.mark.parametrize(
    "text",
    [
        "  2021/22  ",
        "\t2021/22\n",
        "2021\u00a0/\u00a022",
        "2021\u201322",
        "2021\u201422",
        "2021\u221222",
        "\ufeff2021/22",
        "2021/22\u200b",
        "fy 21/22",
    ],
)
def test_parse_period_pdf_whitespace_and_dashes_normalised(text):
    period = parse_period(text)

    assert period.label == "2021/22"
    assert period.source_text == text


@pytest.mark.parametrize(
    "text",
    [
        f"Nov\u00a010 {EN} Oct\u00a011",
        "Nov 10 \u2014 Oct 11",
        "NOV 10 - OCT 11",
        "nov 10 - oct 11",
        "Nov  10  -  Oct  11",
    ],
)
def test_parse_period_month_range_spacing_and_case_ignored(text):
    assert parse_period(text).label == "Nov 2010 - Oct 2011"


def test_parse_period_equal_spans_written_differently_are_equal():
    assert parse_period("2021/22") == parse_period("2021-22") == parse_period("21/22")
    assert parse_period("Jan21-Dec21") == parse_period("January 2021 - December 2021")
    assert len({parse_period("Oct-23"), parse_period("October 2023"), parse_period("Oct 23")}) == 1


# --- rejections ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "2021-22-23",
        "",
        "   ",
        "21",
        "21-22",
        "FY21",
        "Year 2023",
        "January each year",
        "Q10 2023/24",
    ],
)
def test_parse_period_unrecognised_text_raises_quoting_it(text):
    with pytest.raises(PeriodParseError) as caught:
        parse_period(text)

    message = str(caught.value)
    assert message.startswith(f"Unrecognised period {text!r}: expected forms like '2021/22', ")
    assert caught.value.text == text
    assert caught.value.reason is None


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2021/23", "second year must follow the first (e.g. 2021/22)"),
        ("2021/2023", "second year must follow the first"),
        ("21/23", "second year must follow the first"),
        ("2021/21", "second year must follow the first"),
        ("Q5 2023/24", "there is no quarter 5"),
        ("2023/24 Q0", "there is no quarter 0"),
        ("2023/24 Q1-5", "there is no quarter 5"),
        ("Q3-1 2023/24", "ends before it starts"),
        ("Octobr 2023", "'octobr' is not a month name (did you mean 'October'?)"),
        ("Jnu-23", "did you mean 'Jun'?"),
        ("Sepember 2023 - Oct 2023", "did you mean 'September'?"),
        ("Jan 2023 - Decmber 2023", "did you mean 'December'?"),
        ("Dec 2023 - Jan 2023", "ends (31 Jan 2023) before it starts (1 Dec 2023)"),
        ("Jan 22-Dec21", "before it starts"),
        ("2020-18", "end year 2018 is not after the start year 2020"),
        ("2020-2020", "is not after the start year"),
        ("2021/22 - 2019/20", "2019/20 is not after 2021/22"),
        ("2021/22 - 2021/22", "is not after"),
        ("2019/21 - 2021/22", "second year must follow the first"),
        ("2023-25 Q1", "'2023-25' is not a financial year"),
        ("Q1 2023", "give a financial year, e.g. 'Q1 2023/24'"),
        ("2023 Q1", "give a financial year"),
        ("Q1-2", "a quarter needs its financial year"),
        ("Qtr 1-3", "a quarter needs its financial year"),  # seed 002 line 2245 (a target)
        ("Qtr 1 Mar-23", "Mar 2023 is not in financial quarter 1"),
        ("Qtr 1-2 Jun-23", "a quarter range needs a financial year"),
        ("2023/24 YTD", "needs the month it runs to"),
        ("year to date", "needs the month it runs to"),  # seed 002 line 5632 (prose)
        ("2022/23 YTD to Oct 2023", "Oct 2023 is not in 2022/23"),
        ("12 months to 15 Sep 2023", "runs to the end of a month"),
        ("12 months to 31 Feb 2023", "31 Feb 2023 is not a date"),
        ("29 Feb 2023 - 3 Mar 2023", "29 Feb 2023 is not a date"),
        ("1 Feb 2023 - 30 Feb 2023", "30 Feb 2023 is not a date"),
        ("23 January 2024", "a single date is not a period"),  # seed 002 line 9 (a date)
        ("1850/51", "year 1850 is outside 1900-2099"),
        ("2150", "year 2150 is outside 1900-2099"),
    ],
)
def test_parse_period_impossible_value_raises_quoting_text_and_reason(text, reason):
    with pytest.raises(PeriodParseError) as caught:
        parse_period(text)

    message = str(caught.value)
    assert message.startswith(f"Invalid period {text!r}: ")
    assert reason in message
    assert isinstance(caught.value, ValueError)


def test_parse_period_error_quotes_text_as_given():
    text = "\u00a02021/23 "

    # repr() quoting shows the invisible no-break space as \xa0.
    with pytest.raises(PeriodParseError, match=re.escape("Invalid period '\\xa02021/23 ': ")):
        parse_period(text)


@pytest.mark.parametrize("value", [None, 2021, date(2021, 4, 1), b"2021/22"])
def test_parse_period_non_string_raises_type_error(value):
    with pytest.raises(TypeError, match="takes a str"):
        parse_period(value)


def test_period_parse_error_pickles_with_message():
    error = PeriodParseError("2021/23", "bad")

    restored = pickle.loads(pickle.dumps(error))

    assert str(restored) == str(error)


# --- Period ----------------------------------------------------------------------------


def test_period_direct_construction_computes_label_and_source():
    period = Period(FY, date(2021, 4, 1), date(2022, 3, 31))

    assert period.label == "2021/22"
    assert period.source_text == "2021/22"
    assert str(period) == "2021/22"


def test_period_type_given_as_string_coerced():
    assert Period("month", date(2023, 10, 1), date(2023, 10, 31)).type is MONTH


def test_period_unknown_type_raises():
    with pytest.raises(ValueError, match="is not a valid PeriodType"):
        Period("fortnight", date(2023, 10, 1), date(2023, 10, 31))


def test_period_frozen_attribute_assignment_raises():
    period = parse_period("2021/22")

    with pytest.raises(dataclasses.FrozenInstanceError):
        period.start = date(2020, 4, 1)


def test_period_end_before_start_raises():
    with pytest.raises(ValueError, match="end 2021-03-31 is before its start 2021-04-01"):
        Period(DAYS, date(2021, 4, 1), date(2021, 3, 31))


@pytest.mark.parametrize("bad", [datetime(2021, 4, 1), "2021-04-01", None])
def test_period_non_date_bounds_raise_type_error(bad):
    with pytest.raises(TypeError, match=r"must be a datetime\.date"):
        Period(DAYS, bad, date(2021, 5, 1))


@pytest.mark.parametrize(
    ("kind", "start", "end", "message"),
    [
        (FY, (2021, 1, 1), (2021, 12, 31), "runs from 1 April to 31 March"),
        (FY, (2021, 4, 1), (2023, 3, 31), "runs from 1 April to 31 March"),
        (CY, (2021, 4, 1), (2022, 3, 31), "runs from 1 January to 31 December"),
        (QUARTER, (2021, 5, 1), (2021, 7, 31), "start in April, July, October or January"),
        (QUARTER, (2021, 4, 1), (2021, 9, 30), "a quarter is three months"),
        (QRANGE, (2021, 4, 1), (2021, 6, 30), "two or more quarters"),
        (QRANGE, (2021, 10, 1), (2022, 6, 30), "stay in one year"),
        (MONTH, (2021, 4, 1), (2021, 5, 31), "one calendar month"),
        (MRANGE, (2021, 4, 1), (2021, 4, 30), "two or more months"),
        (YTD, (2021, 5, 1), (2021, 6, 30), "starts on 1 April"),
        (YTD, (2021, 4, 1), (2022, 4, 30), "ends within that financial year"),
        (ROLLING, (2021, 4, 1), (2022, 4, 30), "twelve months"),
        (POOLED, (2018, 1, 1), (2019, 12, 31), "three or more calendar years"),
        (POOLED, (2018, 4, 1), (2019, 3, 31), "two or more financial years"),
        (POOLED, (2018, 2, 1), (2021, 12, 31), "three or more calendar years"),
        (MONTH, (2021, 4, 2), (2021, 4, 30), "runs from the 1st to the end of a month"),
        (FY, (2021, 4, 1), (2022, 3, 30), "runs from the 1st to the end of a month"),
    ],
)
def test_period_wrong_shape_for_type_raises(kind, start, end, message):
    with pytest.raises(ValueError, match=message):
        Period(kind, date(*start), date(*end))


def test_period_equality_ignores_source_text_but_not_type():
    written_one_way = parse_period("Oct - Dec 2023")
    written_another = parse_period("October 2023 - December 2023")
    quarter = parse_period("2023/24 Q3")

    assert written_one_way == written_another
    assert hash(written_one_way) == hash(written_another)
    assert written_one_way.source_text != written_another.source_text
    assert quarter != written_one_way  # same days, different kind of period
    assert (quarter.start, quarter.end) == (written_one_way.start, written_one_way.end)


def test_period_compared_with_other_type_is_not_equal():
    assert parse_period("2021/22") != "2021/22"


@pytest.mark.parametrize(
    ("text", "months"),
    [
        ("2021/22", 12),
        ("2022", 12),
        ("2013/14 Q1", 3),
        ("2022/23 Q1-4", 12),
        ("Q1-2 2023/24", 6),
        ("Oct-23", 1),
        ("Nov 10 - Oct 11", 12),
        ("Mar-Aug 2023", 6),
        ("YTD Oct-23", 7),
        ("12 months to Sep 2023", 12),
        ("2018-20", 36),
        ("2011/12 - 2020/21", 120),
        ("1 February 2024 - 31 May 2024", 4),
    ],
)
def test_period_months_counts_calendar_months(text, months):
    assert parse_period(text).months == months


def test_period_months_date_range_of_part_months_raises():
    period = parse_period("20 Jul 23 - 17 Aug 23")

    with pytest.raises(ValueError, match="is not a whole number of months"):
        _ = period.months


def test_period_months_whole_month_date_range_counts():
    assert Period(DAYS, date(2024, 2, 1), date(2024, 5, 31)).months == 4


@pytest.mark.parametrize(
    ("text", "days"),
    [("2023/24", 366), ("2022/23", 365), ("Feb-24", 29), ("20 Jul 23 - 17 Aug 23", 29)],
)
def test_period_days_counts_inclusive_days(text, days):
    assert parse_period(text).days == days


@pytest.mark.parametrize(
    ("day", "inside"),
    [
        (date(2021, 3, 31), False),
        (date(2021, 4, 1), True),
        (date(2021, 12, 25), True),
        (date(2022, 3, 31), True),
        (date(2022, 4, 1), False),
    ],
)
def test_period_contains_includes_both_ends(day, inside):
    period = parse_period("2021/22")

    assert period.contains(day) is inside
    assert (day in period) is inside


@pytest.mark.parametrize("bad", [datetime(2021, 6, 1, 12, 0), "2021-06-01", 2021])
def test_period_contains_non_date_raises_type_error(bad):
    with pytest.raises(TypeError, match=r"must be a datetime\.date"):
        parse_period("2021/22").contains(bad)


def test_period_ordering_sorts_by_start_end_then_type():
    texts = [
        "2022/23",
        "Oct-23",
        "2023/24 Q3",
        "Oct - Dec 2023",
        "2018-20",
        "2021/22 Q1",
        "2021/22",
    ]

    ordered = sorted(parse_period(t) for t in texts)

    assert [p.label for p in ordered] == [
        "2018-20",
        "2021/22 Q1",
        "2021/22",
        "2022/23",
        "Oct 2023",
        "2023/24 Q3",
        "Oct 2023 - Dec 2023",
    ]


def test_period_ordering_operators_agree():
    earlier, later = parse_period("2021/22"), parse_period("2022/23")

    assert earlier < later
    assert earlier <= later
    assert later > earlier
    assert later >= earlier
    assert earlier <= parse_period("21/22")
    assert earlier >= parse_period("21/22")


def test_period_ordering_against_non_period_raises_type_error():
    with pytest.raises(TypeError):
        _ = parse_period("2021/22") < "2022/23"
    with pytest.raises(TypeError):
        _ = parse_period("2021/22") >= date(2021, 4, 1)


def test_period_pickles_and_copies_unchanged():
    period = parse_period("Jan 22-Dec22")

    restored = pickle.loads(pickle.dumps(period))

    assert restored == period
    assert restored.source_text == "Jan 22-Dec22"
    assert dataclasses.replace(period, source_text="x").label == period.label


# --- helpers -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "label"),
    [
        (date(2021, 3, 31), "2020/21"),
        (date(2021, 4, 1), "2021/22"),
        (date(2021, 12, 31), "2021/22"),
        (date(2022, 1, 1), "2021/22"),
        (date(2022, 3, 31), "2021/22"),
        (date(1999, 6, 1), "1999/00"),
    ],
)
def test_financial_year_of_date_gives_april_to_march_year(day, label):
    period = financial_year_of(day)

    assert period.type is FY
    assert period.label == label
    assert period.contains(day)


@pytest.mark.parametrize(
    ("day", "label", "start", "end"),
    [
        (date(2023, 4, 1), "2023/24 Q1", (2023, 4, 1), (2023, 6, 30)),
        (date(2023, 6, 30), "2023/24 Q1", (2023, 4, 1), (2023, 6, 30)),
        (date(2023, 7, 1), "2023/24 Q2", (2023, 7, 1), (2023, 9, 30)),
        (date(2023, 11, 15), "2023/24 Q3", (2023, 10, 1), (2023, 12, 31)),
        (date(2024, 1, 1), "2023/24 Q4", (2024, 1, 1), (2024, 3, 31)),
        (date(2024, 3, 31), "2023/24 Q4", (2024, 1, 1), (2024, 3, 31)),
    ],
)
def test_financial_quarter_of_date_gives_financial_quarter(day, label, start, end):
    period = financial_quarter_of(day)

    assert (period.type, period.label) == (QUARTER, label)
    assert (period.start, period.end) == (date(*start), date(*end))


@pytest.mark.parametrize(
    ("day", "start", "end"),
    [
        (date(2023, 9, 30), (2022, 10, 1), (2023, 9, 30)),
        (date(2023, 9, 15), (2022, 10, 1), (2023, 9, 30)),
        (date(2023, 12, 31), (2023, 1, 1), (2023, 12, 31)),
        (date(2024, 2, 1), (2023, 3, 1), (2024, 2, 29)),
    ],
)
def test_rolling_12_months_ending_date_covers_twelve_whole_months(day, start, end):
    period = rolling_12_months_ending(day)

    assert period.type is ROLLING
    assert (period.start, period.end) == (date(*start), date(*end))
    assert period.months == 12


def test_year_to_date_month_end_gives_period_from_april():
    period = year_to_date(2023, date(2023, 10, 31))

    assert period == parse_period("YTD Oct-23")
    assert period.label == "2023/24 YTD to Oct 2023"


def test_year_to_date_march_end_covers_whole_year():
    assert year_to_date(2023, date(2024, 3, 31)).months == 12


def test_year_to_date_not_month_end_raises():
    with pytest.raises(ValueError, match="runs to the end of a month, not 2023-10-30"):
        year_to_date(2023, date(2023, 10, 30))


@pytest.mark.parametrize("day", [date(2023, 3, 31), date(2024, 4, 30)])
def test_year_to_date_outside_financial_year_raises(day):
    with pytest.raises(ValueError, match="is not in financial year 2023/24"):
        year_to_date(2023, day)


@pytest.mark.parametrize(
    "helper", [financial_year_of, financial_quarter_of, rolling_12_months_ending]
)
def test_date_helpers_datetime_raises_type_error(helper):
    with pytest.raises(TypeError, match=r"must be a datetime\.date"):
        helper(datetime(2023, 4, 1, 9, 30))


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        # seed 002, lines 2464 and 2457: drug treatment figures for a calendar year
        ("year to December 2022", date(2022, 1, 1), date(2022, 12, 31)),
        ("year to December 2021", date(2021, 1, 1), date(2021, 12, 31)),
    ],
)
def test_parse_year_to_month_is_rolling_12_months(text, start, end):
    period = parse_period(text)
    assert period.type == PeriodType.ROLLING_12_MONTHS
    assert (period.start, period.end) == (start, end)


def test_parse_financial_year_with_one_digit_second_year():
    # seed 002, line 2716
    period = parse_period("2007/8")
    assert period.type == PeriodType.FINANCIAL_YEAR
    assert period.label == "2007/08"


def test_parse_financial_year_with_wrong_one_digit_second_year_quotes_it():
    with pytest.raises(PeriodParseError, match="'2007/9'"):
        parse_period("2007/9")
