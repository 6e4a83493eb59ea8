"""Tables of the duty pages."""

from django.utils.translation import gettext_lazy as _

from dangjian.core.tables import Column, Table


class OccurrenceTable(Table):
    columns = [
        Column("duty", _("职责"), css="wrap", template_name="duties/cells/occurrence_duty.html"),
        Column("org", _("党组织"), order_by=("org__path", "period_start", "pk"), css="wrap",
               template='<a href="{% url "duties:org_duties" row.org_id %}">{{ row.org.name }}</a>'),
        Column("period", _("期间"), order_by=("period_start", "org__path", "pk"), css="meta",
               template='{{ row.period_start|date:"Y-m-d" }} — {{ row.period_end|date:"Y-m-d" }}'),
        Column("due_date", _("应完成日期"), order_by=("due_date", "pk"), css="meta",
               template='{{ row.due_date|date:"Y-m-d" }}'),
        Column("status", _("状态"), order_by=("status", "due_date", "pk"), css="meta",
               template_name="duties/cells/occurrence_status.html"),
    ]
    empty_text = _("管辖范围内还没有应履职事项。")
    empty_filtered_text = _("没有符合条件的事项，可清除筛选后再看。")


class ActivityTable(Table):
    columns = [
        Column("topic", _("主题"), css="wrap",
               template='<a href="{% url "duties:activity_detail" row.pk %}">{{ row.topic }}</a>'),
        Column("kinds", _("类型"), css="meta", template_name="duties/cells/activity_kinds.html"),
        Column("org", _("党组织"), order_by=("org__path", "-starts_at", "pk"), css="wrap",
               template="{{ row.org.name }}"),
        Column("starts_at", _("开展时间"), order_by=("-starts_at", "pk"), css="meta",
               template='{{ row.starts_at|date:"Y-m-d H:i" }}'),
        Column("place", _("地点"), css="meta", accessor="place"),
    ]
    empty_text = _("管辖范围内还没有活动记录。")
    empty_filtered_text = _("没有符合条件的活动记录，可清除筛选后再看。")


class RuleTable(Table):
    columns = [
        Column("title", _("规则"), css="wrap", template_name="duties/cells/rule_title.html"),
        Column("frequency", _("频次"), css="meta", template_name="duties/cells/rule_frequency.html"),
        Column("applies", _("适用"), css="wrap", template_name="duties/cells/rule_applies.html"),
        Column("valid_from", _("现行版本生效"), css="meta", template='{{ row.current.valid_from|date:"Y-m-d" }}'),
    ]
    empty_text = _("还没有职责规则。")
