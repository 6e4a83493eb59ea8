"""The list pages of units, reports, agreements, alliances and instructors, as core tables."""

from django.utils.translation import gettext_lazy as _

from dangjian.core.tables import Column, Table
from dangjian.core.text import PinyinOrder


class UnitTable(Table):
    columns = [
        Column("name", _("单位名称"), order_by=(PinyinOrder(), "pk"), css="wrap",
               template='<a href="{% url "cobuilding:unit_detail" row.pk %}">{{ row.name }}</a>'
                        '{% if row.closed_on %} <span class="badge badge-closed">{{ row.closed_on|date:"Y-m-d" }}</span>{% endif %}'),
        Column("kind", _("单位类型"), accessor="get_kind_display", order_by=("kind", "pk"), css="meta"),
        Column("coverage", _("党组织覆盖方式"), order_by=("coverage", "pk"), css="meta",
               template='<span class="badge coverage-{{ row.coverage }}">{{ row.get_coverage_display }}</span>'),
        Column("covering_org", _("覆盖党组织"), css="meta",
               template="{% if row.covering_org %}{{ row.covering_org.short_name|default:row.covering_org.name }}"
                        "{% else %}—{% endif %}"),
        Column("org", _("属地党组织"), order_by=("org__path", "pk"), css="meta",
               template="{{ row.org.short_name|default:row.org.name }}"),
        Column("staff_size", _("从业人员数"), order_by=("staff_size", "pk"), css="num",
               template="{{ row.staff_size|default_if_none:'—' }}"),
    ]
    empty_text = _("管辖范围内还没有登记驻区单位。")
    empty_filtered_text = _("没有符合条件的驻区单位，可清除筛选后再看。")


class UnitReportTable(Table):
    columns = [
        Column("unit", _("驻区单位"), css="wrap",
               template='<a href="{% url "cobuilding:unit_detail" row.unit_id %}">{{ row.unit.name }}</a>'),
        Column("community", _("报到社区党组织"), order_by=("community__path", "pk"), css="meta",
               template="{{ row.community.short_name|default:row.community.name }}"),
        Column("status", _("状态"), order_by=("status", "pk"), css="meta", accessor="get_status_display"),
        Column("registered_at", _("登记时间"), order_by=("registered_at", "pk"), css="meta",
               template='{{ row.registered_at|date:"Y-m-d" }}'),
        Column("offer", _("可提供的资源与服务"), css="wrap"),
    ]
    empty_text = _("管辖范围内还没有单位报到。")
    empty_filtered_text = _("没有符合条件的报到记录，可清除筛选后再看。")


class AgreementTable(Table):
    columns = [
        Column("title", _("协议名称"), order_by=("title", "pk"), css="wrap",
               template='<a href="{% url "cobuilding:agreement_detail" row.pk %}">{{ row.title }}</a>'),
        Column("kind", _("协议类型"), accessor="get_kind_display", order_by=("kind", "pk"), css="meta"),
        Column("org", _("社区/街道党组织"), order_by=("org__path", "pk"), css="meta",
               template="{{ row.org.short_name|default:row.org.name }}"),
        Column("period", _("期限"), order_by=("start_on", "pk"), css="meta",
               template='{{ row.start_on|date:"Y-m-d" }} — {{ row.end_on|date:"Y-m-d" }}'),
        Column("n_parties", _("共建单位数"), css="num"),
    ]
    empty_text = _("管辖范围内还没有共建协议。")
    empty_filtered_text = _("没有符合条件的共建协议，可清除筛选后再看。")


class AllianceTable(Table):
    columns = [
        Column("name", _("名称"), order_by=("name", "pk"), css="wrap",
               template='<a href="{% url "cobuilding:alliance_detail" row.pk %}">{{ row.name }}</a>'),
        Column("kind", _("类型"), accessor="get_kind_display", order_by=("kind", "pk"), css="meta"),
        Column("lead_org", _("牵头党组织"), order_by=("lead_org__path", "pk"), css="meta",
               template="{{ row.lead_org.short_name|default:row.lead_org.name }}"),
        Column("founded_on", _("成立日期"), order_by=("founded_on", "pk"), css="meta",
               template='{{ row.founded_on|date:"Y-m-d" }}'),
        Column("n_members", _("成员数"), css="num"),
    ]
    empty_text = _("管辖范围内还没有党建联盟。")
    empty_filtered_text = _("没有符合条件的党建联盟，可清除筛选后再看。")


class InstructorTable(Table):
    columns = [
        Column("name", _("姓名"), css="wrap",
               template='<a href="{% url "cobuilding:instructor_detail" row.pk %}">{{ row.name }}</a>'),
        Column("former_post", _("原任职务"), css="meta"),
        Column("org", _("选派党组织"), order_by=("org__path", "pk"), css="meta",
               template="{{ row.org.short_name|default:row.org.name }}"),
        Column("appointed_on", _("选派日期"), order_by=("appointed_on", "pk"), css="meta",
               template='{{ row.appointed_on|date:"Y-m-d" }}'),
        Column("units", _("派驻单位数"), css="num"),
    ]
    empty_text = _("管辖范围内还没有党建指导员。")
    empty_filtered_text = _("没有符合条件的党建指导员，可清除筛选后再看。")
