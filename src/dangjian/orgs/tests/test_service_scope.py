"""Every service checks every object it is handed against the actor's scope and state,
whatever calls it (issue 7.2), and an ID number outside the scope is not a probe (7.7).
Services are called directly, as an import or a command would; a refusal changes nothing."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from rest_framework.test import APIClient

from dangjian.accounts import services as account_services
from dangjian.accounts.tokens import api_key
from dangjian.accounts.models import RoleGrant
from dangjian.accounts.roles import CAPABILITIES, Role
from dangjian.testing import make_id_number, make_user
from dangjian.orgs import services
from dangjian.orgs.filters import MemberFilter
from dangjian.orgs.models import Area, AreaKind, Member, Org, OrgKind, Post, Sector

START = datetime.date(2024, 1, 1)


def refused(call, field=None):
    with pytest.raises((ValidationError, PermissionDenied)) as caught:
        call()
    if field is not None:
        assert field in caught.value.message_dict, caught.value
    return caught.value


# Areas of organisations --------------------------------------------------------------

def test_org_create_refuses_an_area_of_another_district(city, users):
    count = Org.objects.count()
    refused(lambda: services.org_create(actor=users["a"], parent=city.communities["a"], name="越界支部",
                                        kind=OrgKind.BRANCH, sector=Sector.URBAN_COMMUNITY, area=city.grids["b"][0]),
            "area")
    assert Org.objects.count() == count
    org = services.org_create(actor=users["a"], parent=city.communities["a"], name="本区支部", kind=OrgKind.BRANCH,
                              sector=Sector.URBAN_COMMUNITY, area=city.grids["a"][1])
    assert org.area == city.grids["a"][1]


@pytest.mark.parametrize("key", ["area", "area_id"])
def test_org_update_refuses_an_area_outside_scope(city, users, key):
    branch = city.branches["a"]
    value = city.grids["b"][0] if key == "area" else city.grids["b"][0].pk
    refused(lambda: services.org_update(actor=users["a"], org=branch, **{key: value}), "area")
    branch.refresh_from_db()
    assert branch.area == city.grids["a"][0]


def test_org_update_refuses_a_closed_org(city, users):
    org = services.org_create(actor=None, parent=city.communities["a"], name="待撤销支部", kind=OrgKind.BRANCH,
                              sector=Sector.URBAN_COMMUNITY)
    services.org_close(actor=users["a"], org=org)
    refused(lambda: services.org_update(actor=users["a"], org=org, name="新名称"), "closed_at")
    org.refresh_from_db()
    assert org.name == "待撤销支部"


def test_area_create_refuses_a_parent_outside_scope(city, users):
    count = Area.objects.count()
    refused(lambda: services.area_create(actor=users["a"], parent=city.grids["b"][0], name="越界楼",
                                         kind=AreaKind.BUILDING), "parent")
    assert Area.objects.count() == count
    assert services.area_create(actor=users["a"], parent=city.grids["a"][0], name="3号楼", kind=AreaKind.BUILDING)


# Posts -------------------------------------------------------------------------------

def test_post_assign_refuses_a_member_outside_scope(city, users):
    other = city.member(city.branches["b"], name="乙区党员")
    refused(lambda: services.post_assign(actor=users["a"], member=other, org=city.branches["a"], kind="secretary",
                                         start_on=START), "member")
    assert not Post.objects.exists()


def test_post_assign_refuses_a_member_who_left(city, users):
    member = city.member(city.branches["a"], name="已转出")
    services.member_transfer_out(actor=users["a"], member=member)
    refused(lambda: services.post_assign(actor=users["a"], member=member, org=city.branches["a"], kind="secretary",
                                         start_on=START), "member")
    assert not Post.objects.exists()


def test_post_assign_refuses_a_closed_org_and_an_area_outside_scope(city, users):
    member = city.member(city.branches["a"], name="在册")
    closed = services.org_create(actor=None, parent=city.communities["a"], name="已撤销支部", kind=OrgKind.BRANCH,
                                 sector=Sector.URBAN_COMMUNITY)
    services.org_close(actor=None, org=closed)
    refused(lambda: services.post_assign(actor=users["a"], member=member, org=closed, kind="secretary",
                                         start_on=START), "org")
    refused(lambda: services.post_assign(actor=users["a"], member=member, org=city.branches["a"],
                                         kind="building_head", start_on=START, area=city.grids["b"][0]), "area")
    assert not Post.objects.exists()
    post = services.post_assign(actor=users["a"], member=member, org=city.branches["a"], kind="building_head",
                                start_on=START, area=city.grids["a"][0])
    services.post_end(actor=users["a"], post=post, end_on=datetime.date(2025, 1, 1))
    refused(lambda: services.post_end(actor=users["a"], post=post, end_on=datetime.date(2025, 6, 1)), "end_on")
    post.refresh_from_db()
    assert post.end_on == datetime.date(2025, 1, 1)


def test_transfer_out_twice_is_refused(city, users):
    member = city.member(city.branches["a"], name="转出")
    services.member_transfer_out(actor=users["a"], member=member, on=datetime.date(2025, 3, 1))
    refused(lambda: services.member_transfer_out(actor=users["a"], member=member), "left_on")
    member.refresh_from_db()
    assert member.left_on == datetime.date(2025, 3, 1)


# Role grants -------------------------------------------------------------------------

def test_seeing_full_id_numbers_is_not_the_right_to_grant(city, monkeypatch):
    monkeypatch.setitem(CAPABILITIES, Role.AUDITOR, CAPABILITIES[Role.AUDITOR] | {"view_full_id"})
    auditor = make_user("auditor_full", "auditor", city.districts["a"])
    target = make_user("target")
    refused(lambda: account_services.role_grant(actor=auditor, user=target, role="secretary",
                                                org=city.branches["a"]))
    assert not RoleGrant.objects.filter(user=target).exists()


def test_org_admin_grants_inside_its_subtree_only_and_not_at_a_closed_org(city):
    admin = make_user("admin_a", "org_admin", city.districts["a"])
    target = make_user("target")
    account_services.role_grant(actor=admin, user=target, role="secretary", org=city.branches["a"])
    refused(lambda: account_services.role_grant(actor=admin, user=target, role="secretary", org=city.branches["b"]))
    closed = services.org_create(actor=None, parent=city.communities["a"], name="已撤销", kind=OrgKind.BRANCH,
                                 sector=Sector.URBAN_COMMUNITY)
    services.org_close(actor=None, org=closed)
    refused(lambda: account_services.role_grant(actor=admin, user=target, role="secretary", org=closed), "org")
    assert list(RoleGrant.objects.filter(user=target).values_list("org", flat=True)) == [city.branches["a"].pk]


# ID numbers outside the scope --------------------------------------------------------

def member_fields(number, **extra):
    return dict(name="王五", id_number=number, joined_on=datetime.date(2012, 7, 1), status="full",
                category="employed", **extra)


def test_an_id_number_outside_scope_is_not_revealed(city, users):
    number = make_id_number()
    city.member(city.branches["b"], name="乙区的人", id_number=number)
    # Validation (what a form, the API's checks and an import's dry run use) says nothing.
    services.member_prepare(actor=users["a"], org=city.branches["a"], **member_fields(number))
    # The write itself is refused neutrally, and nothing is written.
    error = refused(lambda: services.member_create(actor=users["a"], org=city.branches["a"],
                                                   **member_fields(number)), "id_number")
    message = " ".join(error.message_dict["id_number"])
    assert "已登记" not in message and "组织部门" in message
    assert Member.objects.count() == 1
    # A number inside the scope is reported as registered, as before.
    mine = make_id_number()
    city.member(city.branches["a"], name="甲区的人", id_number=mine)
    error = refused(lambda: services.member_prepare(actor=users["a"], org=city.branches["a"], **member_fields(mine)),
                    "id_number")
    assert error.message_dict["id_number"] == ["该身份证号已登记。"]
    # Whoever sees both records (the organisation department) is told plainly.
    error = refused(lambda: services.member_create(actor=users["city_admin"], org=city.branches["a"],
                                                   **member_fields(number)), "id_number")
    assert error.message_dict["id_number"] == ["该身份证号已登记。"]


def test_the_api_does_not_reveal_an_id_number_outside_scope(city, users):
    number = make_id_number()
    city.member(city.branches["b"], name="乙区的人", id_number=number)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_key(users['a'])}")
    body = {"name": "王五", "id_number": number, "joined_on": "2012-07-01", "status": "full", "category": "employed",
            "org": city.branches["a"].pk}
    response = client.post("/api/v1/members/", body, format="json")
    assert response.status_code == 400
    assert "已登记" not in response.content.decode() and "组织部门" in response.content.decode()
    assert Member.objects.count() == 1


def test_changing_an_id_number_to_one_outside_scope_is_refused_neutrally(city, users):
    number = make_id_number()
    city.member(city.branches["b"], name="乙区的人", id_number=number)
    mine = city.member(city.branches["a"], name="甲区的人")
    before = mine.id_number_hash
    error = refused(lambda: services.member_update(actor=users["a"], member=mine, id_number=number), "id_number")
    assert "已登记" not in " ".join(error.message_dict["id_number"])
    mine.refresh_from_db()
    assert mine.id_number_hash == before


# Member search by full ID number -----------------------------------------------------

@pytest.mark.parametrize("shape", ["plain", "lower", "spaced", "fullwidth"])
def test_member_search_finds_a_full_id_number_within_scope_only(city, users, shape):
    number = make_id_number(born=datetime.date(1975, 3, 9), serial=7)
    if not number.endswith("X"):
        number = next(n for n in (make_id_number(born=datetime.date(1975, 3, 9), serial=s) for s in range(1000))
                      if n.endswith("X"))
    member = city.member(city.branches["a"], name="查号", id_number=number)
    city.member(city.branches["a"], name="别人")
    typed = {"plain": number, "lower": number.lower(), "spaced": f"{number[:6]} {number[6:14]} {number[14:]}",
             "fullwidth": "".join(chr(ord(c) + 0xFEE0) for c in number)}[shape]

    def search(user):
        return list(MemberFilter({"q": typed}, queryset=Member.objects.visible_to(user)).qs)

    assert search(users["a"]) == [member]
    assert search(users["b"]) == []


def test_lists_refuse_a_leader_or_responsible_member_who_left(city, users):
    from dangjian.lists import services as list_services
    from dangjian.lists.models import ListKind, Measure, Project

    lst = list_services.list_create(actor=users["a"], org=city.communities["a"], kind=ListKind.TASK, title="清单",
                                    period_start=START, period_end=datetime.date(2030, 12, 31))
    gone = city.member(city.branches["a"], name="已转出")
    services.member_transfer_out(actor=users["a"], member=gone)
    refused(lambda: list_services.project_create(actor=users["a"], lst=lst, title="项目", leader=gone), "leader")
    refused(lambda: list_services.measure_create(actor=users["a"], lst=lst, org=city.branches["a"], title="措施",
                                                 target="完成", start_on=START, deadline=datetime.date(2030, 1, 1),
                                                 responsible=gone), "responsible")
    assert not Project.objects.exists() and not Measure.objects.exists()


def test_org_import_cannot_cover_an_area_of_another_district(city, users):
    # The import names the area by its path; the service refuses it, so the row is a problem.
    import io as stdlib_io

    import openpyxl

    from dangjian.core.spreadsheets.reader import open_bytes
    from dangjian.orgs import spreadsheets

    header = [column.label for column in spreadsheets.ORG_COLUMNS]
    values = {"组织名称": "越界网格党支部", "组织类别": "党支部", "所属领域": "城市社区", "领域": "城市社区",
              "上级党组织": "中共测试市委/中共甲区委/甲区一街道党工委/甲区幸福社区党委",
              "覆盖区域": "测试市/乙区/乙区一街道/乙区幸福社区/第1网格"}
    book = openpyxl.Workbook()
    book.active.append(header)
    book.active.append([values.get(label, "") for label in header])
    data = stdlib_io.BytesIO()
    book.save(data)
    count = Org.objects.count()
    result = spreadsheets.import_orgs(actor=users["a"], sheet=open_bytes(data.getvalue(), name="orgs.xlsx"))
    assert [(p.row, p.column) for p in result.problems] == [(2, "覆盖区域")], [p.message for p in result.problems]
    assert Org.objects.count() == count


def test_member_import_dry_run_does_not_reveal_an_id_number_outside_scope(city, users):
    import io as stdlib_io

    import openpyxl

    from dangjian.core.spreadsheets.reader import open_bytes
    from dangjian.orgs import spreadsheets

    taken = make_id_number()
    city.member(city.branches["b"], name="乙区的人", id_number=taken)
    header = [column.label for column in spreadsheets.MEMBER_COLUMNS]
    values = {"姓名": "王五", "公民身份号码": taken, "人员类别": "在职", "党员状态": "正式党员", "入党日期": "2010-07-01",
              "所在党组织": "中共测试市委/中共甲区委/甲区一街道党工委/甲区幸福社区党委/甲区幸福社区第1网格党支部"}
    book = openpyxl.Workbook()
    book.active.append(header)
    book.active.append([values.get(label, "") for label in header])
    data = stdlib_io.BytesIO()
    book.save(data)

    def run(dry_run):
        sheet = open_bytes(data.getvalue(), name="members.xlsx")
        return spreadsheets.import_members(actor=users["a"], sheet=sheet, dry_run=dry_run)

    assert run(True).problems == []
    problems = run(False).problems
    assert [(p.row, p.column) for p in problems] == [(2, "公民身份号码")]
    assert "已登记" not in problems[0].message and "组织部门" in problems[0].message
    assert Member.objects.count() == 1
