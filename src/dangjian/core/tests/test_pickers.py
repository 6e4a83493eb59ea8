"""Pickers: one endpoint for every kind, searching by name, pinyin and initials in
Simplified or Traditional, always inside the user's scope, capped; and the widget's
field, which resolves what a form sends back through the same scoped rows."""

import datetime
import re

import pytest
from django.db import connection
from django.urls import reverse

from dangjian.core import pickers
from dangjian.core.forms import ScopedForm
from dangjian.testing import make_user
from dangjian.core.widgets import PickField, PickValue
from dangjian.orgs import services as org_services
from dangjian.orgs.models import Area, OrgKind, Sector


def pick(client, kind, q, **params):
    response = client.get(reverse("pick", args=[kind]), {"q": q, **params})
    assert response.status_code == 200
    return response.content.decode()


def options(html):
    """(value, label) of every option in a results partial."""
    return re.findall(r'role="option"[^>]*data-value="(\d+)" data-label="([^"]*)"', html)


def labels(html):
    return [label for _pk, label in options(html)]


@pytest.fixture
def members(city):
    return {
        "a": city.member(city.branches["a"], name="张建国"),
        "a_left": city.member(city.branches["a"], name="张建军"),
        "b": city.member(city.branches["b"], name="张建华"),
    }


def test_every_app_registers_its_kinds():
    assert {"org", "area", "member", "grant_org"} <= set(pickers.registered())


@pytest.mark.parametrize("typed", ["幸福社区党委", "xingfushequ", "xfsqdw", "幸福社區黨委", "XFSQ"])
def test_org_found_by_name_pinyin_initials_and_traditional_within_scope(client, city, users, typed):
    client.force_login(users["a"])
    found = labels(pick(client, "org", typed))
    assert found[0] == "甲区幸福社区党委"  # upper levels first
    assert not [name for name in found if "乙区" in name]  # district B's namesake is outside the scope


def test_org_results_are_ids_only_in_attributes_and_names_on_screen(client, city, users):
    client.force_login(users["a"])
    html = pick(client, "org", "jqw")
    assert options(html) == [(str(city.districts["a"].pk), "中共甲区委")]
    assert "中共测试市委" not in html  # its parent is outside the scope: the note gives the kind only
    html = pick(client, "org", "jqyjd")
    assert "中共甲区委 · 党工委" in html  # the note names a visible parent and the kind


def test_nobody_and_anonymous_find_nothing(client, city, users):
    client.force_login(users["none"])
    assert labels(pick(client, "org", "jq")) == []
    client.logout()
    response = client.get(reverse("pick", args=["org"]), {"q": "jq"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_unknown_kind_is_404(client, users):
    client.force_login(users["a"])
    assert client.get(reverse("pick", args=["nothing"]), {"q": "a"}).status_code == 404


def test_results_are_capped(client, city, users):
    for i in range(pickers.LIMIT + 5):
        org_services.org_create(actor=None, parent=city.branches["a"], name=f"测试党小组{i}", kind=OrgKind.GROUP,
                                sector=Sector.URBAN_COMMUNITY)
    client.force_login(users["a"])
    html = pick(client, "org", "csdxz")
    assert len(options(html)) == pickers.LIMIT
    assert "只显示前20条" in html


def test_action_narrows_to_where_the_user_may_act(client, city, users):
    reader = make_user("reader_a", "grid_worker", city.districts["a"])  # may view, may not change
    client.force_login(reader)
    assert labels(pick(client, "org", "jqw")) == ["中共甲区委"]
    assert labels(pick(client, "org", "jqw", action="change")) == []


def test_open_option_hides_closed_orgs(client, city, users):
    org_services.org_create(actor=None, parent=city.communities["a"], name="甲区旧支部", kind=OrgKind.BRANCH,
                            sector=Sector.URBAN_COMMUNITY)
    old = org_services.org_create(actor=None, parent=city.communities["a"], name="甲区旧党支部", kind=OrgKind.BRANCH,
                                  sector=Sector.URBAN_COMMUNITY)
    org_services.org_close(actor=None, org=old, on=datetime.date(2024, 1, 1))
    client.force_login(users["a"])
    assert sorted(labels(pick(client, "org", "jqj"))) == ["甲区旧党支部", "甲区旧支部"]
    assert labels(pick(client, "org", "jqj", open="1")) == ["甲区旧支部"]


def test_member_picker_by_initials_shows_org_and_masked_id_only(client, city, users, members):
    client.force_login(users["a"])
    html = pick(client, "member", "zj")
    assert sorted(labels(html)) == ["张建军", "张建国"]
    assert members["a"].id_number not in html and members["a"].id_number_masked in html
    assert "甲区幸福社区第1网格党支部" in html


def test_member_picker_active_option_drops_who_left(client, city, users, members):
    org_services.member_transfer_out(actor=None, member=members["a_left"], on=datetime.date(2024, 1, 1))
    client.force_login(users["a"])
    assert labels(pick(client, "member", "zj", active="1")) == ["张建国"]


def test_area_picker_by_pinyin_within_scope(client, city, users):
    client.force_login(users["a"])
    assert labels(pick(client, "area", "xfsq")) == ["甲区幸福社区"]
    html = pick(client, "area", "hl")  # buildings share names: the note names the grid
    assert labels(html) == ["1号楼", "2号楼"] and "第1网格 · 楼栋" in html and "第2网格 · 楼栋" in html
    assert labels(pick(client, "area", "1hl")) == ["1号楼"]  # digits count in pinyin initials
    assert Area.objects.get(name="乙区幸福社区").search_text.endswith("yqxfsq")


def test_grant_org_picker_serves_the_security_admin_only(client, city, users):
    admin = make_user("sec_admin", "security_admin", city.city)
    client.force_login(admin)
    assert sorted(labels(pick(client, "grant_org", "qw"))) == ["中共乙区委", "中共甲区委"]
    client.force_login(users["a"])  # a secretary may not grant roles
    assert labels(pick(client, "grant_org", "qw")) == []


def test_member_picker_starts_from_the_scope_not_the_own_record(client, city, members):
    me = members["a"]
    user = make_user("branch_secretary", "secretary", city.branches["a"], member=me)
    client.force_login(user)
    assert sorted(labels(pick(client, "member", "zj"))) == ["张建军", "张建国"]
    kind = pickers.get_kind("member")
    assert "OR" not in str(kind.rows(user, "view_members").query)  # the path range alone: index-served


@pytest.mark.postgres
@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_search_keys_have_trigram_indexes_on_postgresql(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE indexdef LIKE '%%gin_trgm_ops%%'")
        names = {row[0] for row in cursor.fetchall()}
    assert {"orgs_member_search_trgm", "orgs_org_search_trgm", "orgs_area_search_trgm"} <= names


# The field ---------------------------------------------------------------------------

class OrgPickForm(ScopedForm):
    org = PickField("org", action="change", options={"open": 1})


def clean(user, **data):
    form = OrgPickForm(data, user=user)
    return form, form.is_valid()


def test_field_takes_the_chosen_row_when_the_box_still_names_it(city, users):
    form, ok = clean(users["a"], org=str(city.communities["a"].pk), org_search="甲区幸福社区党委")
    assert ok and form.cleaned_data["org"] == city.communities["a"]


def test_field_refuses_a_row_outside_the_scope_by_id(city, users):
    form, ok = clean(users["a"], org=str(city.communities["b"].pk))
    assert not ok and "不在您的管辖范围内" in form.errors["org"][0]
    form, ok = clean(users["a"], org=str(city.communities["b"].pk), org_search="乙区幸福社区党委")
    assert not ok and "没有找到" in form.errors["org"][0]


def test_field_without_script_resolves_typed_text(city, users):
    form, ok = clean(users["a"], org="", org_search="jqw")
    assert ok and form.cleaned_data["org"] == city.districts["a"]
    # Typed over an earlier choice: the text wins.
    form, ok = clean(users["a"], org=str(city.districts["a"].pk), org_search="甲区幸福社区党委")
    assert ok and form.cleaned_data["org"] == city.communities["a"]


def test_field_names_candidates_when_text_is_ambiguous(city, users):
    form, ok = clean(users["a"], org="", org_search="幸福社区")
    assert not ok
    message = form.errors["org"][0]
    assert "对应多个" in message and "甲区幸福社区党委" in message and "甲区幸福社区第1网格党支部" in message
    assert "乙区" not in message


def test_field_required_and_empty(city, users):
    form, ok = clean(users["a"], org="", org_search="")
    assert not ok and form.errors["org"] == ["请从列表中选择。"]


def test_widget_shows_the_name_never_a_number_box(city, users):
    form = OrgPickForm(user=users["a"], initial={"org": city.communities["a"].pk})
    html = str(form["org"])
    assert 'value="甲区幸福社区党委"' in html and 'type="number"' not in html
    assert 'role="combobox"' in html and f'name="org" value="{city.communities["a"].pk}"' in html
    assert "/pick/org/?action=change&amp;open=1" in html


def test_narrow_is_per_form_not_per_class(city, users):
    form = OrgPickForm(user=users["a"])
    form.fields["org"].narrow(within=city.communities["a"].pk)
    assert OrgPickForm(user=users["a"]).fields["org"].widget.options == {"open": 1}
    form = OrgPickForm({"org": "", "org_search": "中共甲区委"}, user=users["a"])
    form.fields["org"].narrow(within=city.communities["a"].pk)
    assert not form.is_valid()


def test_pick_value_is_empty_only_when_both_parts_are():
    assert not PickValue("", "") and not PickValue(None, None)
    assert PickValue("3", None) and PickValue("", "abc")
    assert str(PickValue("3", "中共甲区委")) == "3" and str(PickValue(None, None)) == ""


# Page filters ------------------------------------------------------------------------

def test_filter_picker_names_the_org_a_link_gave_by_id(client, city, users, members):
    client.force_login(users["a"])
    html = client.get(reverse("orgs:member_list"), {"within": city.branches["a"].pk}).content.decode()
    assert 'name="within_search"' in html and 'value="甲区幸福社区第1网格党支部"' in html
    assert 'type="number"' not in html
    assert "张建国" in html and "张建华" not in html


def test_filter_picker_without_script_filters_by_typed_text(client, city, users, members):
    client.force_login(users["a"])
    html = client.get(reverse("orgs:org_list"), {"within": "", "within_search": "jqyjd"}).content.decode()
    assert "甲区幸福社区党委" in html and "中共甲区委</a>" not in html
    html = client.get(reverse("orgs:org_list"), {"within": "", "within_search": "幸福社区"}).content.decode()
    assert "对应多个" in html


def test_filter_picker_for_areas_and_lists(client, city, users):
    client.force_login(users["a"])
    html = client.get(reverse("orgs:area_list"), {"within": city.grids["a"][0].pk}).content.decode()
    assert 'value="第1网格"' in html and "/pick/area/" in html
    html = client.get(reverse("lists:index"), {"within": city.communities["a"].pk}).content.decode()
    assert 'value="甲区幸福社区党委"' in html and "/pick/org/" in html
    html = client.get(reverse("lists:measure_list"), {"within": city.communities["a"].pk}).content.decode()
    assert 'value="甲区幸福社区党委"' in html and "/pick/org/" in html


def test_filter_picker_never_names_an_org_outside_the_scope(client, city, users):
    client.force_login(users["a"])
    html = client.get(reverse("orgs:member_list"), {"within": city.branches["b"].pk}).content.decode()
    assert "乙区幸福社区第1网格党支部" not in html


def test_grant_form_takes_the_org_picked_by_the_security_admin_only(city, users):
    from dangjian.accounts.forms import GrantForm

    admin = make_user("sec_admin", "security_admin", city.city)
    data = {"role": "grid_worker", "org": str(city.branches["b"].pk), "org_search": "乙区幸福社区第1网格党支部"}
    form = GrantForm(data, user=admin)
    assert form.is_valid() and form.cleaned_data["org"] == city.branches["b"]
    form = GrantForm(data, user=users["a"])  # a secretary may not grant roles: nothing to pick
    assert not form.is_valid() and "org" in form.errors


@pytest.mark.parametrize("kind,typed", [("org", "xfsq"), ("area", "hl"), ("member", "zj")])
def test_results_cost_a_fixed_number_of_queries(client, city, users, members, django_assert_max_num_queries, kind,
                                                typed):
    for i in range(10):  # more rows do not mean more queries
        org_services.org_create(actor=None, parent=city.communities["a"], name=f"幸福社区第{i}党小组",
                                kind=OrgKind.GROUP, sector=Sector.URBAN_COMMUNITY)
        city.member(city.branches["a"], name=f"张家{i}")
    client.force_login(users["a"])
    with django_assert_max_num_queries(7):
        assert labels(pick(client, kind, typed))
