import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from zoufang.workdays.calendar import Calendar, add_working_days, working_days_between
from zoufang.workdays.models import DayOverride, OfficialYear
from zoufang.workdays.services import import_schedule, set_day


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("workdays", *args, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue().strip()


@pytest.mark.django_db
def test_it_skips_the_national_day_holiday_and_counts_the_working_saturday():
    # 30 September 2017 was a working Saturday; 1–8 October were holidays.
    assert add_working_days(dt.date(2017, 9, 29), 1).date == dt.date(2017, 9, 30)
    assert add_working_days(dt.date(2017, 9, 29), 2).date == dt.date(2017, 10, 9)


@pytest.mark.django_db
def test_it_prints_the_date_two_working_days_after_29_september_2017():
    assert run("add", "2017-09-29", "2") == ("2017年10月9日", "")


@pytest.mark.django_db
def test_it_warns_when_a_year_is_not_known():
    out, err = run("add", "2026-12-31", "1")
    assert out == "2027年1月1日"
    assert "2027" in err
    assert "workdays import" in err


@pytest.mark.django_db
def test_it_uses_an_imported_schedule_instead_of_the_fallback(tmp_path):
    schedule = tmp_path / "2027.csv"
    schedule.write_text("日期,类型,说明\n2027-01-01,放假,元旦\n2027-01-02,放假,元旦\n", encoding="utf-8")
    out, _ = run("import", str(schedule))
    assert "2027" in out
    assert OfficialYear.objects.filter(year=2027).exists()
    assert run("add", "2026-12-31", "1") == ("2027年1月4日", "")


@pytest.mark.django_db
def test_it_refuses_a_bad_schedule_and_writes_nothing(tmp_path):
    schedule = tmp_path / "bad.csv"
    schedule.write_text("日期,类型\n2027-01-01,放假\n2027-13-01,放假\n2027-01-03,调班\n", encoding="utf-8")
    report = import_schedule(schedule)
    assert [str(e) for e in report.errors] == [
        "第3行【日期】：日期应写成 2017-10-01、2017/10/1、2017.10.1、2017年10月1日、20171001，或 Excel 日期格式，表中为“2027-13-01”",
        "第4行【类型】：类型应为“放假”或“上班”，表中为“调班”",
    ]
    assert not DayOverride.objects.exists()
    with pytest.raises(CommandError):
        run("import", str(schedule))


@pytest.mark.django_db
def test_it_lets_the_office_override_a_single_day():
    set_day(dt.date(2017, 10, 2), is_workday=True, name="镇里集中办公")
    assert add_working_days(dt.date(2017, 9, 29), 2).date == dt.date(2017, 10, 2)


@pytest.mark.django_db
def test_it_counts_backwards_and_between_dates():
    assert add_working_days(dt.date(2017, 10, 9), -2).date == dt.date(2017, 9, 29)
    assert working_days_between(dt.date(2017, 9, 29), dt.date(2017, 10, 9)).days == 2
    assert working_days_between(dt.date(2017, 10, 9), dt.date(2017, 9, 29)).days == 0


@pytest.mark.django_db
def test_it_answers_whether_a_day_is_a_working_day():
    calendar = Calendar({2017})
    assert calendar.is_workday(dt.date(2017, 9, 30))
    assert not calendar.is_workday(dt.date(2017, 10, 2))
    assert run("check", "2017-10-02") == ("休息日", "")


@pytest.mark.django_db
def test_it_answers_every_day_of_every_year_the_package_knows_as_the_package_does():
    """The package's schedule is read once a year a process (decision 0070): the same answer, day by day."""
    import chinese_calendar
    from chinese_calendar.constants import holidays

    years = range(min(holidays).year, max(holidays).year + 1)
    calendar = Calendar(years)
    day, different = dt.date(years[0], 1, 1), []
    while day.year in years:
        if calendar.is_workday(day) != chinese_calendar.is_workday(day):
            different.append(day)
        day += dt.timedelta(days=1)
    assert different == []
    assert calendar.fallback_years == set()


@pytest.mark.django_db
def test_it_counts_a_span_of_years_as_day_by_day():
    """`count` sums each year's running totals (decision 0070): the same number as asking every day, the office's
    overrides and a year nobody published (weekends only, reported as the fallback) included."""
    set_day(dt.date(2018, 10, 2), is_workday=True, name="镇里集中办公")
    set_day(dt.date(2019, 3, 4), is_workday=False, name="停电")
    last_known = Calendar(range(2017, 2100)).from_package
    unknown = max(last_known) + 1
    starts = [dt.date(2017, 1, 1), dt.date(2017, 5, 3), dt.date(2018, 9, 30), dt.date(2018, 12, 31)]
    ends = [dt.date(2017, 5, 3), dt.date(2017, 6, 1), dt.date(2018, 10, 9), dt.date(2019, 3, 4),
            dt.date(2019, 12, 31), dt.date(unknown, 1, 1), dt.date(unknown, 7, 15)]
    for start in starts:
        for end in ends:
            calendar, day_by_day = Calendar(range(start.year, end.year + 1)), Calendar(range(start.year, end.year + 1))
            expected = sum(day_by_day.is_workday(start + dt.timedelta(days=n)) for n in range(1, (end - start).days + 1))
            assert (calendar.count(start, end), calendar.fallback_years) == (expected, day_by_day.fallback_years), \
                (start, end)
            assert working_days_between(start, end).days == expected
    assert Calendar({2017}).count(dt.date(2017, 6, 1), dt.date(2017, 5, 1)) == 0
