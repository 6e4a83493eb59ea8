"""Periods of a frequency, and what a rule version implies for an organisation (pure
functions: the roll-over and the property tests both start here)."""

import datetime

MONTHS = {"monthly": 1, "quarterly": 3, "half_yearly": 6, "yearly": 12}


def _add_months(day, months):
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def period_of(frequency, day):
    """(start, end) of the period of `frequency` that holds `day`."""
    step = MONTHS[frequency]
    month = (day.month - 1) // step * step + 1
    start = datetime.date(day.year, month, 1)
    return start, _add_months(start, step) - datetime.timedelta(days=1)


def periods(frequency, start, end):
    """Every period of `frequency` that overlaps [start, end], in order."""
    if start > end:
        return []
    first, _ = period_of(frequency, start)
    result = []
    step = MONTHS[frequency]
    while first <= end:
        following = _add_months(first, step)
        result.append((first, following - datetime.timedelta(days=1)))
        first = following
    return result


def owed(times, period_start, period_end, founded_on=None, closed_at=None):
    """How many of a period's `times` an org owes: all of them, or for an org founded inside
    the period the share of the period it existed, rounded down; nothing if it was founded
    after the period or closed before it began."""
    if closed_at is not None and closed_at < period_start:
        return 0
    if founded_on is None or founded_on <= period_start:
        return times
    if founded_on > period_end:
        return 0
    length = (period_end - period_start).days + 1
    alive = (period_end - founded_on).days + 1
    return times * alive // length


def version_for(versions, period_start):
    """The version in force on the period's first day (versions of one rule), or None."""
    for version in versions:
        if version.valid_from <= period_start and (version.valid_to is None or period_start <= version.valid_to):
            return version
    return None
