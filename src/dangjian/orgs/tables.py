"""The list pages of orgs, members and areas, as core tables."""

from django.utils.translation import gettext_lazy as _

from dangjian.core.tables import Column, Table
from dangjian.core.text import PinyinOrder

BY_NAME = (PinyinOrder(), "pk")  # names sort by pinyin on both databases


class OrgTable(Table):
    columns = [
        Column("name", _("名称"), order_by=BY_NAME, css="wrap", template_name="orgs/cells/org_name.html"),
        Column("kind", _("组织类别"), accessor="get_kind_display", order_by=("kind", "path"), css="meta"),
        Column("sector", _("领域"), accessor="get_sector_display", order_by=("sector", "path"), css="meta"),
        Column("area", _("覆盖区域"), accessor="area.name"),
        Column("members", _("本级党员"), css="num",
               template='<a href="{% url "orgs:member_list" %}?org={{ row.pk }}">{{ row.member_count }}</a>'),
    ]
    empty_text = _("管辖范围内没有符合条件的党组织（默认只列未撤销的）。")
    empty_filtered_text = _("没有符合条件的党组织，可清除筛选后再看。")

    def __init__(self, queryset, *, member_counts, **kwargs):
        self.member_counts = member_counts
        super().__init__(queryset, **kwargs)

    def prepare(self, rows):
        counts = self.member_counts([org.pk for org in rows])
        for org in rows:
            org.member_count = counts.get(org.pk, 0)

    def row_css(self, org):
        return "is-closed" if org.closed_at else ""


class MemberTable(Table):
    columns = [
        Column("name", _("姓名"), order_by=BY_NAME,
               template='<a href="{% url "orgs:member_detail" row.pk %}">{{ row.name }}</a>'),
        Column("gender", _("性别"), accessor="get_gender_display", css="meta"),
        Column("status", _("党员状态"), accessor="get_status_display", order_by=("status", *BY_NAME), css="meta"),
        Column("category", _("人员类别"), accessor="get_category_display", order_by=("category", *BY_NAME),
               css="meta"),
        Column("org", _("所在党组织"), order_by=("org__path", *BY_NAME), css="wrap line",
               template='<a href="{% url "orgs:org_detail" row.org_id %}">'
                        '{{ row.org.short_name|default:row.org.name }}</a>'),
        Column("id_number", _("身份证号"), accessor="id_number_masked", css="meta mono"),
        Column("phone", _("手机号"), accessor="phone_masked", css="meta mono"),
    ]
    empty_text = _("管辖范围内没有符合条件的党员（默认只列未转出的）。")
    empty_filtered_text = _("没有符合条件的党员，可清除筛选后再看。")
    empty_no_scope_text = _("您的账号没有查看党员的授权，因此这里没有内容。")
    default_order = BY_NAME

    def row_css(self, member):
        return "is-closed" if member.left_on else ""


class AreaTable(Table):
    columns = [
        Column("name", _("名称"), order_by=BY_NAME, css="wrap",
               template='<a href="{% url "orgs:area_list" %}?within={{ row.pk }}">{{ row.name }}</a>'),
        Column("kind", _("类型"), accessor="get_kind_display", order_by=("kind", "path"), css="meta"),
        Column("parent", _("上级区域"), accessor="parent_area.name"),
        Column("coverage", _("覆盖情况"), css="meta", template_name="orgs/cells/area_coverage.html"),
        Column("orgs", _("党组织"), css="wrap", template=(
            '{% if row.org_count %}{% include "orgs/_area_orgs.html" with area=row css="" %}{% else %}—{% endif %}')),
        Column("pk", _("编号"), order_by=("pk",), css="muted"),
    ]
    empty_text = _("管辖范围内没有符合条件的区域。")
    empty_filtered_text = _("没有符合条件的区域，可清除筛选后再看。")

    def __init__(self, queryset, *, decorate, **kwargs):
        self.decorate = decorate
        super().__init__(queryset, **kwargs)

    def prepare(self, rows):
        self.decorate(rows)
