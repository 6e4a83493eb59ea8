import io
import random

from django.utils import timezone

from dangjian.duties import seed, services
from dangjian.duties.models import Activity, Attendance, Occurrence, OccurrenceLink


def test_seed_matches_the_derivation_and_the_matching(city, branch_world, kinds):
    import datetime

    from dangjian.orgs.models import Post

    # Branch secretaries owe a yearly Party lecture (a rule of post holders): one serving
    # throughout, one appointed last month (who owes nothing of this year's share).
    Post.objects.create(member=branch_world["members"][0], org=branch_world["branch"], kind="secretary",
                        start_on=datetime.date(2020, 1, 1))
    Post.objects.create(member=city.member(city.branches["b"], name="新书记"), org=city.branches["b"],
                        kind="secretary", start_on=timezone.localdate().replace(day=1) - datetime.timedelta(days=20))
    out = io.StringIO()
    seed.seed(preset="demo", rng=random.Random(7), stdout=out)
    assert Occurrence.objects.filter(post__isnull=False).exists()
    assert "应履职事项" in out.getvalue()
    assert Occurrence.objects.exists() and Activity.objects.exists() and Attendance.objects.exists()
    today = timezone.localdate()
    start = seed._months_back(today, 11)
    before = set(Occurrence.objects.values_list("id", "status", "fulfilled_on"))
    links = set(OccurrenceLink.objects.values_list("occurrence_id", "activity_id"))
    # The seed wrote what the roll-over would derive and what the matching would conclude.
    assert services.roll_over(period_start=start, period_end=today, today=today) == 0
    org_ids = list(Occurrence.objects.values_list("org_id", flat=True).distinct())
    services.recompute(org_ids=org_ids, start=start, end=today, today=today)
    assert set(Occurrence.objects.values_list("id", "status", "fulfilled_on")) == before
    assert set(OccurrenceLink.objects.values_list("occurrence_id", "activity_id")) == links
    # Nothing recorded in the future; attendance only for members of the branch.
    assert not Activity.objects.filter(held_on__gt=today).exists()
    assert not Attendance.objects.exclude(member__org=Activity.objects.get(pk=Attendance.objects.first()
                                                                          .activity_id).org).filter(
        activity_id=Attendance.objects.first().activity_id).exists()
