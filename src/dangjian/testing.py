"""Builders for tests of every app: a small city with two districts, and accounts with
grants. Everything goes through services, as production code does.

This module sits above the apps (it builds orgs and accounts), so `core.testing` can stay
free of app imports: it holds the generic helpers (the scope matrix, the picker driver),
re-exported here so that tests import from one place.
"""

import datetime
import itertools

from dangjian.accounts import services as account_services
from dangjian.core.testing import *  # noqa: F401,F403  (the generic helpers, one import for tests)
from dangjian.core.testing import __all__ as _core_names
from dangjian.orgs import services as org_services
from dangjian.orgs.idnumber import check_character
from dangjian.orgs.models import AreaKind, OrgKind, Sector

PASSWORD = "Test-pass-2026"
_serial = itertools.count(1)


def make_id_number(born=datetime.date(1980, 5, 17), region="320602", serial=None):
    serial = next(_serial) if serial is None else serial
    first17 = f"{region}{born:%Y%m%d}{serial % 1000:03d}"
    return first17 + check_character(first17)


class City:
    """city → districts A and B → one street each → one community each → two grids → buildings."""

    def __init__(self):
        self.city_area = org_services.area_create(actor=None, parent=None, name="测试市", kind=AreaKind.CITY)
        self.city = org_services.org_create(actor=None, parent=None, name="中共测试市委", kind=OrgKind.LOCAL_COMMITTEE,
                                            sector=Sector.ORGAN, area=self.city_area)
        self.districts, self.streets, self.communities, self.grids, self.branches = {}, {}, {}, {}, {}
        for key, name in (("a", "甲区"), ("b", "乙区")):
            d_area = org_services.area_create(actor=None, parent=self.city_area, name=name, kind=AreaKind.DISTRICT)
            district = org_services.org_create(actor=None, parent=self.city, name=f"中共{name}委",
                                               kind=OrgKind.LOCAL_COMMITTEE, sector=Sector.ORGAN, area=d_area)
            s_area = org_services.area_create(actor=None, parent=d_area, name=f"{name}一街道", kind=AreaKind.STREET)
            street = org_services.org_create(actor=None, parent=district, name=f"{name}一街道党工委",
                                             kind=OrgKind.WORKING_COMMITTEE, sector=Sector.URBAN_COMMUNITY,
                                             area=s_area, is_regional=True)
            c_area = org_services.area_create(actor=None, parent=s_area, name=f"{name}幸福社区", kind=AreaKind.COMMUNITY)
            community = org_services.org_create(actor=None, parent=street, name=f"{name}幸福社区党委",
                                                kind=OrgKind.COMMITTEE, sector=Sector.URBAN_COMMUNITY, area=c_area)
            grids = []
            for g in (1, 2):
                grid = org_services.area_create(actor=None, parent=c_area, name=f"第{g}网格", kind=AreaKind.GRID)
                org_services.area_create(actor=None, parent=grid, name=f"{g}号楼", kind=AreaKind.BUILDING)
                grids.append(grid)
            branch = org_services.org_create(actor=None, parent=community, name=f"{name}幸福社区第1网格党支部",
                                             kind=OrgKind.BRANCH, sector=Sector.URBAN_COMMUNITY, area=grids[0])
            self.districts[key], self.streets[key], self.communities[key] = district, street, community
            self.grids[key], self.branches[key] = grids, branch

    def member(self, org, name="张三", **fields):
        defaults = dict(id_number=make_id_number(), joined_on=datetime.date(2010, 7, 1), status="full",
                        category="employed", phone="13812345678", address="幸福路1号")
        defaults.update(fields)
        return org_services.member_create(actor=None, org=org, name=name, **defaults)


def make_user(username, role=None, org=None, *, also=(), **kwargs):
    """An account with `role` at `org`, and the roles in `also` at the same org
    (`also=("data_exchange",)`: a secretary who may also export and import)."""
    user = account_services.user_create(actor=None, username=username, password=PASSWORD, **kwargs)
    for each in ([role] if role else []) + list(also):
        account_services.role_grant(actor=None, user=user, role=each, org=org)
    return user


__all__ = [*_core_names, "PASSWORD", "City", "make_id_number", "make_user"]


def overview_panel(client, key, root=None):
    """The overview panel `key` as the home and org pages fetch it once loaded (htmx), for
    `root` (an org) or the whole scope: (status code, HTML)."""
    from django.urls import reverse

    params = {"root": root.pk} if root is not None else {}
    response = client.get(reverse("orgs:overview_panel", args=[key]), params, HTTP_HX_REQUEST="true")
    return response.status_code, response.content.decode()
