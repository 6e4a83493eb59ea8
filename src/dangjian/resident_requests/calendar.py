"""Deadlines in hours or working days, with China's public holidays and adjusted working
days as data (the Holiday table; `dangjian requests_holidays load FILE.csv` loads a year).

A working day is Monday to Friday unless it is a public holiday, or a Saturday or Sunday
listed as an adjusted working day (调休上班). A deadline of N working days ends at the end
of the office day (18:00 local time) of the Nth working day after the day it starts.
"""

import datetime

from django.utils import timezone

END_OF_DAY = datetime.time(18, 0)


def _calendar(start, end):
    from .models import Holiday

    return dict(Holiday.objects.filter(date__gte=start, date__lte=end).values_list("date", "kind"))


def is_working_day(day, marks):
    kind = marks.get(day)
    if kind == "holiday":
        return False
    if kind == "workday":
        return True
    return day.weekday() < 5


def add_working_days(day, n, marks=None):
    """The Nth working day after `day` (a date); `marks` is {date: kind} or read from the table."""
    if marks is None:
        marks = _calendar(day, day + datetime.timedelta(days=n * 3 + 40))
    current = day
    left = n
    while left > 0:
        current += datetime.timedelta(days=1)
        if is_working_day(current, marks):
            left -= 1
    return current


def deadline_for(category, start, *, marks=None):
    """When a request of `category` that starts at `start` (an aware datetime) is due."""
    if category.deadline_hours:
        return start + datetime.timedelta(hours=category.deadline_hours)
    days = category.deadline_working_days or 5
    local = timezone.localtime(start)
    due = add_working_days(local.date(), days, marks)
    return timezone.make_aware(datetime.datetime.combine(due, END_OF_DAY), timezone.get_current_timezone())


# China's 2026 calendar, after the State Council General Office's notice on the 2026
# holiday arrangements (国务院办公厅关于2026年部分节假日安排的通知, November 2025), as the author
# recalled it (not re-checked against the published text here): holidays (放假) and the
# weekend days worked instead (调休上班). If the notice differs, load the corrected year
# with `dangjian requests_holidays FILE.csv`: the calendar is data, not code.
CHINA_2026 = [
    # 元旦: 1月1日至3日放假, 1月4日(周日)上班
    ("2026-01-01", "holiday", "元旦"), ("2026-01-02", "holiday", "元旦"), ("2026-01-03", "holiday", "元旦"),
    ("2026-01-04", "workday", "元旦调休"),
    # 春节: 2月15日至23日放假, 2月14日(周六)、2月28日(周六)上班
    ("2026-02-14", "workday", "春节调休"),
    *[(f"2026-02-{d:02d}", "holiday", "春节") for d in range(15, 24)],
    ("2026-02-28", "workday", "春节调休"),
    # 清明节: 4月4日至6日放假
    ("2026-04-04", "holiday", "清明节"), ("2026-04-05", "holiday", "清明节"), ("2026-04-06", "holiday", "清明节"),
    # 劳动节: 5月1日至5日放假, 5月9日(周六)上班
    *[(f"2026-05-{d:02d}", "holiday", "劳动节") for d in range(1, 6)],
    ("2026-05-09", "workday", "劳动节调休"),
    # 端午节: 6月19日至21日放假
    ("2026-06-19", "holiday", "端午节"), ("2026-06-20", "holiday", "端午节"), ("2026-06-21", "holiday", "端午节"),
    # 国庆节、中秋节: 9月25日至27日中秋, 10月1日至7日国庆; 9月20日(周日)、10月10日(周六)上班
    ("2026-09-20", "workday", "国庆节调休"),
    ("2026-09-25", "holiday", "中秋节"), ("2026-09-26", "holiday", "中秋节"), ("2026-09-27", "holiday", "中秋节"),
    *[(f"2026-10-{d:02d}", "holiday", "国庆节") for d in range(1, 8)],
    ("2026-10-10", "workday", "国庆节调休"),
]
