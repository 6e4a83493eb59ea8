"""Nantong at the scale of its 2019 Party statistics (source article 002): 25,199
grassroots organisations, 465,134 members, 229 urban communities with 1,633 grid
branches and 2,855 building groups, 5,000+ member households, 1,800 villages and
communities, 104 park, 14 business-district and 1,026 village-enterprise organisations.

Districts, streets and towns carry their real names; communities, villages, units and
people are generated. ID-number region codes are Nantong's (3206xx), including the codes
of former divisions (港闸区 320611, 通州市 320683, 海门市 320684, 海安县 320621) that older
residents still carry.
"""

from .plan import CitySpec, DistrictSpec

SPEC = CitySpec(
    name="南通市",
    code="320600",
    districts=[
        DistrictSpec("崇川区", "district", "320602", ("320602", "320611"), weight=3.0,
                     streets=["和平桥街道", "城东街道", "任港街道", "新城桥街道", "虹桥街道", "学田街道", "钟秀街道",
                              "文峰街道", "观音山街道", "狼山镇街道", "幸福街道", "陈桥街道", "秦灶街道", "永兴街道",
                              "唐闸镇街道"],
                     towns=[], communities=120, villages=30),
        DistrictSpec("通州区", "district", "320612", ("320612", "320683"), weight=1.6,
                     streets=["金沙街道", "金新街道", "先锋街道", "兴东街道"],
                     towns=["西亭镇", "二甲镇", "东社镇", "十总镇", "石港镇", "刘桥镇", "平潮镇", "平东镇", "五接镇",
                            "兴仁镇", "川姜镇"],
                     communities=22, villages=260),
        DistrictSpec("海门区", "district", "320614", ("320614", "320684"), weight=1.4,
                     streets=["海门街道", "三厂街道", "滨江街道"],
                     towns=["三星镇", "常乐镇", "悦来镇", "四甲镇", "余东镇", "正余镇", "包场镇", "临江镇", "海永镇"],
                     communities=17, villages=225),
        DistrictSpec("如东县", "county", "320623", ("320623",), weight=1.1,
                     streets=["城中街道", "掘港街道", "苴镇街道"],
                     towns=["长沙镇", "大豫镇", "栟茶镇", "洋口镇", "岔河镇", "双甸镇", "新店镇", "河口镇", "袁庄镇",
                            "丰利镇", "曹埠镇"],
                     communities=12, villages=235),
        DistrictSpec("启东市", "county_city", "320681", ("320681",), weight=1.2,
                     streets=[],
                     towns=["汇龙镇", "南阳镇", "北新镇", "王鲍镇", "合作镇", "海复镇", "近海镇", "寅阳镇", "惠萍镇",
                            "东海镇", "吕四港镇", "启隆乡"],
                     communities=10, villages=245),
        DistrictSpec("如皋市", "county_city", "320682", ("320682",), weight=1.4,
                     streets=["如城街道", "城南街道", "城北街道"],
                     towns=["东陈镇", "丁堰镇", "白蒲镇", "下原镇", "九华镇", "石庄镇", "长江镇", "吴窑镇", "江安镇",
                            "磨头镇", "搬经镇"],
                     communities=14, villages=300),
        DistrictSpec("海安市", "county_city", "320685", ("320685", "320621"), weight=1.2,
                     streets=["海安街道", "城东街道"],
                     towns=["曲塘镇", "李堡镇", "角斜镇", "大公镇", "雅周镇", "白甸镇", "南莫镇", "墩头镇"],
                     communities=12, villages=200),
        DistrictSpec("开发区", "zone", "320671", ("320602", "320612"), weight=1.0,
                     zone_name="南通经济技术开发区",
                     streets=["竹行街道", "小海街道", "中兴街道", "新开街道"], towns=[],
                     communities=18, villages=40),
        DistrictSpec("苏锡通园区", "zone", "320691", ("320614", "320612"), weight=0.4,
                     zone_name="苏锡通科技产业园区", streets=["江海街道"], towns=["张芝山镇"],
                     communities=2, villages=16),
        DistrictSpec("通州湾示范区", "zone", "320692", ("320612", "320623"), weight=0.4,
                     zone_name="通州湾江海联动开发示范区", streets=["金余街道"], towns=["三余镇"],
                     communities=2, villages=20),
    ],
    grid_branches=1633,
    uncovered_grids=64,
    building_groups=2855,
    uncovered_buildings=420,
    parks=104,
    business_districts=14,
    village_enterprises=1026,
    buildings=18,
    projects=12,
    members=465_134,
    grassroots=25_199,
)
