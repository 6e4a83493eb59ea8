"""Property tests: for any rule set (rules of organisations and of post holders) and date
range the roll-over derives exactly the occurrences the rules imply (checked against a
day-by-day oracle), and a second roll-over changes nothing."""

import calendar
import datetime

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dangjian.duties import services
from dangjian.duties.models import DutyRule, Occurrence

STEP = {"monthly": 1, "quarterly": 3, "half_yearly": 6, "yearly": 12}
KIND_CHOICES = ["branch", "committee", "local_committee", "working_committee"]

rules_strategy = st.lists(
    st.fixed_dictionaries({
        "frequency": st.sampled_from(list(STEP)),
        "times": st.integers(1, 3),
        "org_kinds": st.lists(st.sampled_from(KIND_CHOICES), max_size=2, unique=True),
        "valid_from": st.dates(datetime.date(2024, 10, 1), datetime.date(2025, 9, 1)),
        "use_root": st.booleans(),
        "post_kinds": st.sampled_from([[], [], ["secretary"], ["secretary", "committee_member"]]),
    }), min_size=1, max_size=4)

# Posts held in the test city: (branch key, post kind, start, end or None), drawn per example.
posts_strategy = st.lists(
    st.tuples(st.sampled_from(["a", "b"]), st.sampled_from(["secretary", "committee_member", "group_leader"]),
              st.dates(datetime.date(2024, 6, 1), datetime.date(2025, 12, 31)),
              st.one_of(st.none(), st.integers(0, 400))),
    max_size=4)


class Rollback(Exception):
    pass


def _share(times, p_start, p_end, since, until):
    """What a holder (or an org) alive from `since` until `until` owes of a period's `times`."""
    if until is not None and until < p_start:
        return 0
    if since and since > p_start:
        if since > p_end:
            return 0
        return times * ((p_end - since).days + 1) // ((p_end - p_start).days + 1)
    return times


def oracle(rules, orgs, posts, start, end):
    """Walk the days: every period touched, the rule in force on its first day, the share owed
    by each organisation, or by each holder of a post the rule names."""
    expected = set()
    for rule_id, terms, root_path in rules:
        step = STEP[terms["frequency"]]
        seen = set()
        day = start
        while day <= end:
            first_month = (day.month - 1) // step * step + 1
            seen.add(datetime.date(day.year, first_month, 1))
            day += datetime.timedelta(days=1)
        for p_start in seen:
            last_month = p_start.month + step - 1
            p_end = datetime.date(p_start.year, last_month, calendar.monthrange(p_start.year, last_month)[1])
            if p_start < terms["valid_from"]:
                continue
            for org in orgs:
                if terms["org_kinds"] and org.kind not in terms["org_kinds"]:
                    continue
                if root_path and not org.path.startswith(root_path):
                    continue
                if not terms["post_kinds"]:
                    for n in range(1, _share(terms["times"], p_start, p_end, org.founded_on, org.closed_at) + 1):
                        expected.add((org.pk, rule_id, p_start, n, None))
                    continue
                for post in posts:
                    if post.org_id != org.pk or post.kind not in terms["post_kinds"]:
                        continue
                    since = max(day for day in (org.founded_on, post.start_on) if day)
                    ends = [day for day in (org.closed_at, post.end_on) if day]
                    for n in range(1, _share(terms["times"], p_start, p_end, since, min(ends) if ends else None) + 1):
                        expected.add((org.pk, rule_id, p_start, n, post.pk))
    return expected


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(rules=rules_strategy, start=st.dates(datetime.date(2025, 1, 1), datetime.date(2025, 12, 31)),
       days=st.integers(0, 200), founded=st.dates(datetime.date(2024, 6, 1), datetime.date(2025, 12, 31)),
       posts=posts_strategy)
def test_rollover_is_exactly_what_rules_imply(city, kinds, rules, start, days, founded, posts):
    end = start + datetime.timedelta(days=days)
    from dangjian.orgs.models import Org, Post

    try:
        with transaction.atomic():
            DutyRule.objects.all().delete()
            Org.objects.filter(pk=city.branches["b"].pk).update(founded_on=founded)
            for key, kind, post_start, length in posts:
                holder = city.member(city.branches[key], name="任职人")
                Post.objects.create(member=holder, org=city.branches[key], kind=kind, start_on=post_start,
                                    end_on=None if length is None else post_start + datetime.timedelta(days=length))
            made = []
            for terms in rules:
                root = city.districts["a"] if terms["use_root"] else None
                rule = services.rule_create(actor=None, title="规则", frequency=terms["frequency"],
                                            times=terms["times"], org_kinds=terms["org_kinds"],
                                            valid_from=terms["valid_from"], root=root,
                                            post_kinds=terms["post_kinds"])
                made.append((rule.pk, terms, root.path if root else None))
            created = services.roll_over(period_start=start, period_end=end, today=end)
            got = set(Occurrence.objects.values_list("org_id", "rule_id", "period_start", "n", "post_id"))
            assert got == oracle(made, list(Org.objects.all()), list(Post.objects.all()), start, end)
            assert created == len(got)
            assert services.roll_over(period_start=start, period_end=end, today=end) == 0
            assert set(Occurrence.objects.values_list("org_id", "rule_id", "period_start", "n", "post_id")) == got
            raise Rollback
    except Rollback:
        pass
