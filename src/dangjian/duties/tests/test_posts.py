"""Duties of post holders: a rule naming post kinds owes one occurrence per holder (from the
later of the rule's start and the appointment; nothing after the post ended), fulfilled by
an activity of the kind the holder chaired; shown under the holder's name."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from dangjian.duties import services
from dangjian.duties.models import DutyRule, Occurrence, OccurrenceStatus
from dangjian.orgs.models import Post
from dangjian.testing import PASSWORD, make_user

Q = [(datetime.date(2025, m, 1), datetime.date(2025, m + 2, 1)) for m in (1, 4, 7, 10)]


@pytest.fixture
def lecture_rule(kinds):
    DutyRule.objects.all().delete()
    return services.rule_create(actor=None, kind=kinds["party_lecture"], title="支部书记讲党课", frequency="quarterly",
                                org_kinds=["branch"], post_kinds=["secretary"], valid_from=datetime.date(2025, 1, 1))


def _at(day):
    return timezone.make_aware(datetime.datetime(day.year, day.month, day.day, 15, 0))


def test_one_occurrence_per_holder_from_appointment_until_the_post_ended(city, branch_world, lecture_rule):
    branch, (first, second, third) = branch_world["branch"], branch_world["members"]
    old = Post.objects.create(member=first, org=branch, kind="secretary", start_on=datetime.date(2025, 2, 10),
                              end_on=datetime.date(2025, 7, 15))
    new = Post.objects.create(member=second, org=branch, kind="secretary", start_on=datetime.date(2025, 7, 16))
    Post.objects.create(member=third, org=branch, kind="committee_member", start_on=datetime.date(2020, 1, 1))
    services.roll_over(period_start=datetime.date(2025, 1, 1), period_end=datetime.date(2025, 12, 31),
                       today=datetime.date(2026, 1, 5))
    owed = set(Occurrence.objects.values_list("post_id", "period_start"))
    # The old secretary: nothing for Q1 (appointed in its last weeks), Q2, and Q3 (the post ended in it);
    # the new one: Q3 only from a share too small, so Q4; the committee member owes nothing; no org-level row.
    assert owed == {(old.pk, datetime.date(2025, 4, 1)), (old.pk, datetime.date(2025, 7, 1)),
                    (new.pk, datetime.date(2025, 10, 1))}
    assert not Occurrence.objects.filter(post__isnull=True).exists()
    assert services.roll_over(period_start=datetime.date(2025, 1, 1), period_end=datetime.date(2025, 12, 31),
                              today=datetime.date(2026, 1, 5)) == 0


def test_the_holder_fulfils_it_by_chairing_the_lecture(client, city, branch_world, kinds, lecture_rule):
    branch, (secretary, other, _third) = branch_world["branch"], branch_world["members"]
    post = Post.objects.create(member=secretary, org=branch, kind="secretary", start_on=datetime.date(2020, 1, 1))
    services.roll_over(period_start=datetime.date(2025, 4, 1), period_end=datetime.date(2025, 6, 30),
                       today=datetime.date(2025, 7, 5))
    duty = Occurrence.objects.get(post=post)
    assert duty.status == OccurrenceStatus.LATE  # the quarter ended without the lecture
    services.activity_create(actor=None, org=branch, kinds=[kinds["party_lecture"]], starts_at=_at(datetime.date(
        2025, 5, 6)), topic="专题党课：基层治理", chair=other)
    duty.refresh_from_db()
    assert duty.status == OccurrenceStatus.LATE and not duty.links.exists()  # another member chaired it
    lecture = services.activity_create(actor=None, org=branch, kinds=[kinds["party_lecture"]],
                                       starts_at=_at(datetime.date(2025, 6, 3)), topic="书记讲党课：践行初心",
                                       chair=secretary)
    duty.refresh_from_db()
    assert (duty.status, duty.fulfilled_on) == (OccurrenceStatus.FULFILLED, datetime.date(2025, 6, 3))
    assert list(duty.activities.all()) == [lecture]
    # The branch's page groups it under the holder; the member's own page lists it.
    user = make_user("grid_sec", "secretary", branch)
    assert client.login(username=user.username, password=PASSWORD)
    page = client.get(reverse("duties:org_duties", args=[branch.pk]) + "?month=2025-05").content.decode()
    holders = page[page.index('data-testid="holders"'):]
    assert secretary.name in holders and "支部书记讲党课" in holders and "书记讲党课：践行初心" in holders
    mine = client.get(reverse("duties:member_attendance", args=[secretary.pk])).content.decode()
    assert "本人职务的职责" in mine and "支部书记讲党课" in mine
    api = client.get(f"/api/v1/duty-occurrences/{duty.pk}/").json()
    assert (api["post"], api["holder_name"], api["status"]) == (post.pk, secretary.name, "fulfilled")


def test_the_seeded_rule_is_a_yearly_lecture_of_branch_secretaries(kinds):
    from dangjian.duties.models import DutyRuleVersion

    version = DutyRuleVersion.objects.get(rule__title="支部书记讲党课")
    assert (version.kind.code, version.frequency, version.times, version.org_kinds, version.post_kinds) == (
        "party_lecture", "yearly", 1, ["branch"], ["secretary"])
    assert "书记（个人职责）" in version.applies_text


def test_rule_form_offers_post_kinds_and_refuses_unknown_ones(kinds):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        services.rule_create(actor=None, kind=kinds["party_lecture"], frequency="yearly", post_kinds=["pope"],
                             valid_from=datetime.date(2025, 1, 1))
    assert "post_kinds" in caught.value.message_dict
