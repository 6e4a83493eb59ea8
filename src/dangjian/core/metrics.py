"""Platform metrics: figures computed from records, to which a list's measure can be bound.

基层减负: a measure such as "每月开展主题党日" or "诉求按时办结率" takes its progress from the
records its module already holds (activities, requests, claims), so nobody reports it.
A module registers its metrics in its `AppConfig.ready()`:

    metrics.register(metrics.Metric(
        key="duties.theme_day", label=_("主题党日开展次数"), unit=_("次"), kind=metrics.COUNT,
        compute=selectors.theme_days_held,       # (orgs, start, end) -> {org_id: Reading}
        rows_url=selectors.theme_day_rows_url,   # (org, start, end) -> URL of the rows behind it
    ))

and, after a write that can move a figure, calls `metrics.changed("duties.theme_day", org)`
(in the service, inside its transaction): the listeners (lists refreshes the measures bound
to that metric on the org and its ancestors) run at once, so the measure page shows the new
progress without a report.

`compute` gets several organisations at once and answers for each one's whole subtree
(the org and everything under it) in the period [start, end] (dates, inclusive); it should
take a fixed number of queries whatever the number of organisations.

Kinds: COUNT (value counts things done; a bound measure's progress is value / target_value)
and RATE (value is a percentage 0-100 with its denominator in `required`; the progress is
the rate itself).
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Callable

COUNT = "count"
RATE = "rate"


@dataclass(frozen=True)
class Reading:
    value: Decimal | float | int
    required: int | None = None


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    unit: str
    kind: str
    compute: Callable
    rows_url: Callable | None = None
    description: str = ""

    def read(self, orgs, start: date, end: date) -> dict:
        """{org_id: Reading} for each org's subtree; an org the module has nothing for reads 0."""
        orgs = list(orgs)
        if not orgs:
            return {}
        found = self.compute(orgs, start, end) or {}
        return {org.pk: found.get(org.pk, Reading(0, 0 if self.kind == RATE else None)) for org in orgs}

    def progress(self, reading: Reading, target_value=None) -> Decimal:
        """The percentage (0-100, two decimals) a bound measure shows for `reading`."""
        if self.kind == RATE:
            if not reading.required:
                return Decimal(0)
            percent = Decimal(str(reading.value))
        else:
            target = Decimal(target_value) if target_value else Decimal(1)
            percent = Decimal(str(reading.value)) * 100 / target
        return min(Decimal(100), max(Decimal(0), percent)).quantize(Decimal("0.01"))


_metrics: dict[str, Metric] = {}
_listeners: list[Callable] = []


def register(metric: Metric) -> Metric:
    if metric.kind not in (COUNT, RATE):
        raise ValueError(f"metric {metric.key}: kind must be {COUNT!r} or {RATE!r}")
    _metrics[metric.key] = metric
    return metric


def get(key: str) -> Metric | None:
    return _metrics.get(key)


def all_metrics() -> list[Metric]:
    return sorted(_metrics.values(), key=lambda m: m.key)


def choices():
    """(key, label) pairs for a form's select, in key order."""
    return [(m.key, m.label) for m in all_metrics()]


def subscribe(listener: Callable) -> Callable:
    """`listener(key, org)` runs after each `changed()`; lists refreshes bound measures."""
    if listener not in _listeners:
        _listeners.append(listener)
    return listener


def changed(key: str, org) -> None:
    """A record under `org` that `key` counts was written (or removed). Call it in the service;
    `org=None` after a bulk write anywhere (an import): every measure bound to `key` is recomputed."""
    for listener in _listeners:
        listener(key, org)
