import datetime
import io
import random

from dangjian.orgs import services as org_services
from dangjian.responsibilities import seed, selectors
from dangjian.responsibilities.models import (
    ContactPoint,
    ContactVisit,
    LeaderDutyItem,
    LeaderDutyRecord,
    Level,
    Responsibility,
    ResponsibilityDocument,
)


def test_demo_seed_from_posts(city, users):
    for org in (city.city, city.districts["a"], city.districts["b"], city.communities["a"], city.communities["b"]):
        for name in ("甲", "乙", "丙", "丁"):
            city.member(org, name=f"{org.name[:4]}{name}")
        secretary = city.member(org, name=f"{org.name[:4]}书记")
        org_services.post_assign(actor=None, member=secretary, org=org, kind="secretary",
                                 start_on=datetime.date(2022, 1, 1))
    LeaderDutyItem.objects.all().delete()
    out = io.StringIO()
    seed.seed(preset="demo", rng=random.Random(3), stdout=out)
    assert "一岗双责" in out.getvalue()
    assert LeaderDutyItem.objects.count() == 5
    primaries = Responsibility.objects.filter(level=Level.PRIMARY)
    assert primaries.count() == 5 and {r.member.name[-2:] for r in primaries} == {"书记"}
    assert Responsibility.objects.filter(level=Level.DIRECT, org=city.districts["a"]).count() == 1
    assert ResponsibilityDocument.objects.filter(org=city.communities["a"], kind="pledge").count() == 1
    assert ContactPoint.objects.filter(org=city.districts["a"]).exists()
    assert ContactVisit.objects.exists() and LeaderDutyRecord.objects.exists()
    point = ContactPoint.objects.filter(org=city.districts["a"]).first()
    assert point.point_org.path.startswith(city.districts["a"].path)
    figures = selectors.figures(users["a"])
    assert figures["orgs_any"]["value"] == 3 and figures["documents_year"]["value"] >= 1
    assert selectors.figures(users["b"])["points"]["value"] == ContactPoint.objects.filter(
        org__path__startswith=city.districts["b"].path).count()
