"""The list pages of the module, as core tables (cards under 600 px)."""

from django.utils.translation import gettext_lazy as _

from dangjian.core.tables import Column, Table

from .models import LEVEL_ORDER

ORG = '<a href="{% url "responsibilities:org" row.org_id %}">{{ row.org.short_name|default:row.org.name }}</a>'
LEADER = '<a href="{{ row.leader_url }}">{{ row.leader_name }}</a>'


class ResponsibilityTable(Table):
    columns = [
        Column("org", _("党组织"), order_by=("org__path", "level", "pk"), css="wrap", template=ORG),
        Column("level", _("责任类别"), accessor="get_level_display", order_by=(LEVEL_ORDER, "org__path", "pk"),
               css="meta"),
        Column("leader", _("责任人"), css="meta", template=LEADER),
        Column("portfolio", _("分管工作"), css="wrap"),
        Column("dates", _("任期"), order_by=("start_on", "pk"), css="meta",
               template='{{ row.start_on|date:"Y-m-d" }} — {{ row.end_on|date:"Y-m-d" }}'),
    ]
    empty_text = _("管辖范围内还没有登记一岗双责。")
    empty_filtered_text = _("没有符合条件的记录，可清除筛选后再看。")


class DocumentTable(Table):
    columns = [
        Column("title", _("标题"), order_by=("title", "pk"), css="wrap",
               template='<a href="{% url "responsibilities:document" row.pk %}">{{ row.title }}</a>'),
        Column("kind", _("类别"), accessor="get_kind_display", order_by=("kind", "pk"), css="meta"),
        Column("org", _("党组织"), order_by=("org__path", "pk"), css="wrap", template=ORG),
        Column("leader", _("签订人"), css="meta", template=LEADER),
        Column("signed_on", _("签订日期"), order_by=("signed_on", "pk"), css="meta",
               template='{{ row.signed_on|date:"Y-m-d" }}'),
    ]
    empty_text = _("管辖范围内还没有责任书或公开承诺。")
    empty_filtered_text = _("没有符合条件的记录，可清除筛选后再看。")


class ContactPointTable(Table):
    columns = [
        Column("point", _("联系点"), order_by=("point_org__path", "pk"), css="wrap",
               template='<a href="{% url "responsibilities:point" row.pk %}">{{ row.point_org.name }}</a>'),
        Column("leader", _("联系领导"), css="meta", template=LEADER),
        Column("org", _("领导所在党组织"), order_by=("org__path", "pk"), css="wrap", template=ORG),
        Column("since", _("开始日期"), order_by=("since", "pk"), css="meta", template='{{ row.since|date:"Y-m-d" }}'),
        Column("last_visit_on", _("最近走访"), order_by=("last_visit_on", "pk"), css="meta",
               template_name="responsibilities/cells/last_visit.html"),
    ]
    empty_text = _("管辖范围内还没有党建工作联系点。")
    empty_filtered_text = _("没有符合条件的联系点，可清除筛选后再看。")


class ContactVisitTable(Table):
    columns = [
        Column("visited_on", _("走访日期"), order_by=("visited_on", "pk"), css="meta",
               template='{{ row.visited_on|date:"Y-m-d" }}'),
        Column("point", _("联系点"), css="wrap",
               template='<a href="{% url "responsibilities:point" row.point_id %}">{{ row.point.point_org.name }}</a>'),
        Column("leader", _("联系领导"), css="meta",
               template='<a href="{{ row.point.leader_url }}">{{ row.point.leader_name }}</a>'),
        Column("summary", _("走访情况"), css="wrap"),
        Column("problems", _("发现问题"), css="wrap"),
    ]
    empty_text = _("管辖范围内还没有走访记录。")
    empty_filtered_text = _("没有符合条件的走访记录，可清除筛选后再看。")
