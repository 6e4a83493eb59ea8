"""A small Nantong for `make run` and manual testing: two districts down to buildings,
about 2,400 members, every organisation form and post kind present, loaded in seconds."""

from .plan import CitySpec, DistrictSpec

SPEC = CitySpec(
    name="南通市",
    code="320600",
    districts=[
        DistrictSpec("崇川区", "district", "320602", ("320602", "320611"), weight=1.5,
                     streets=["和平桥街道", "城东街道"], towns=[], communities=5, villages=1),
        DistrictSpec("通州区", "district", "320612", ("320612", "320683"), weight=1.0,
                     streets=["金沙街道"], towns=["西亭镇", "二甲镇"], communities=2, villages=6),
    ],
    grid_branches=28,
    uncovered_grids=2,
    building_groups=48,
    uncovered_buildings=6,
    parks=1,
    business_districts=1,
    village_enterprises=3,
    buildings=1,
    projects=1,
    members=2_400,
    unit_grassroots=60,
)
