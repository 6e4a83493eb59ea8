"""A small world for the community_service tests: the test city, a city organ whose
in-service member lives in district A's community, units in both streets, accounts."""

import datetime

from dangjian.cobuilding.models import Coverage, Unit, UnitKind
from dangjian.core.text import search_key
from dangjian.orgs import services as org_services
from dangjian.orgs.models import OrgKind, Sector
from dangjian.testing import City, make_user


def add_unit(name, street, area, covering_org=None):
    """A unit of the area (cobuilding has its own services; the test only needs rows)."""
    return Unit.objects.create(name=name, kind=UnitKind.SOE, area=area, org=street,
                               coverage=Coverage.OWN if covering_org else Coverage.NONE,
                               covering_org=covering_org, search_text=search_key(name))


class World:
    def __init__(self):
        city = self.city = City()
        self.organ = org_services.org_create(actor=None, parent=city.city, name="市委办公室机关党支部",
                                             kind=OrgKind.BRANCH, sector=Sector.ORGAN)
        self.organ_b = org_services.org_create(actor=None, parent=city.city, name="市财政局机关党支部",
                                               kind=OrgKind.BRANCH, sector=Sector.ORGAN)
        self.community, self.sibling = city.communities["a"], city.communities["b"]
        self.street, self.street_b = city.streets["a"], city.streets["b"]
        self.member = city.member(self.organ, name="王在职", residence_area=self.community.area,
                                  id_number=_id())
        self.member_b = city.member(self.organ_b, name="赵在职", residence_area=self.sibling.area, id_number=_id())
        self.retired = city.member(self.organ, name="钱退休", category="retired", id_number=_id())
        self.unit_org = org_services.org_create(actor=None, parent=city.districts["a"], name="甲区供电公司党委",
                                                kind=OrgKind.COMMITTEE, sector=Sector.SOE)
        self.unit = add_unit("甲区供电公司", self.street, self.street.area, covering_org=self.unit_org)
        self.unit_b = add_unit("乙区水务公司", self.street_b, self.street_b.area)
        self.member_user = make_user("member_wang", "member", self.organ, member=self.member)
        self.branch_user = make_user("organ_secretary", "secretary", self.organ)
        self.community_user = make_user("community_sec", "secretary", self.community)
        self.sibling_user = make_user("sibling_sec", "secretary", self.sibling)
        self.street_user = make_user("street_sec", "secretary", self.street)
        self.unit_user = make_user("unit_sec", "secretary", self.unit_org)
        self.city_admin = make_user("city_admin_cs", "org_admin", city.city)
        self.today = datetime.date.today()


def _id():
    from dangjian.testing import make_id_number

    return make_id_number()
