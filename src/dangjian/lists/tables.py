"""The list pages of lists and measures, as core tables."""

from django.utils.translation import gettext_lazy as _

from dangjian.core.tables import Column, Table


class ListTable(Table):
    columns = [
        Column("title", _("清单名称"), order_by=("title", "pk"), css="wrap",
               template='<a href="{% url "lists:list_detail" row.pk %}">{{ row.title }}</a>'),
        Column("kind", _("类型"), accessor="get_kind_display", order_by=("kind", "pk"), css="meta"),
        Column("org", _("所属组织"), order_by=("org__path", "pk"), css="meta",
               template="{{ row.org.short_name|default:row.org.name }}"),
        Column("period", _("期限"), order_by=("period_start", "pk"), css="meta",
               template='{{ row.period_start|date:"Y-m-d" }} — {{ row.period_end|date:"Y-m-d" }}'),
        Column("public", _("公示"), css="meta", template_name="lists/cells/list_public.html"),
    ]
    empty_text = _("管辖范围内还没有清单。")
    empty_filtered_text = _("没有符合条件的清单，可清除筛选后再看。")


class MeasureTable(Table):
    columns = [
        Column("title", _("措施"), order_by=("title", "pk"), css="wrap",
               template='<a href="{% url "lists:measure_detail" row.pk %}">{{ row.title }}</a>'),
        Column("org", _("责任组织"), order_by=("org__path", "deadline", "pk"), css="meta",
               template="{{ row.org.short_name|default:row.org.name }}"),
        Column("responsible", _("责任人"), accessor="responsible.name", css="meta"),
        Column("deadline", _("截止日期"), order_by=("deadline", "pk"), css="meta",
               template_name="lists/cells/measure_deadline.html"),
        Column("status", _("状态"), order_by=("status", "deadline", "pk"), css="meta",
               template_name="lists/cells/measure_status.html"),
        Column("progress", _("进度"), order_by=("progress", "pk"), css="num",
               template_name="lists/cells/measure_progress.html"),
        Column("list", _("清单"), css="wrap",
               template='<a href="{% url "lists:list_detail" row.list_id %}">{{ row.list.title }}</a>'),
    ]
    empty_text = _("管辖范围内还没有措施。")
    empty_filtered_text = _("没有符合条件的措施，可清除筛选后再看。")


class NotificationTable(Table):
    columns = [
        Column("title", _("通知"), css="wrap", template_name="lists/cells/notification_title.html"),
        Column("created_at", _("时间"), order_by=("created_at", "pk"), css="meta",
               template='{{ row.created_at|date:"Y-m-d H:i" }}'),
        Column("body", _("内容"), css="wrap"),
    ]
    empty_text = _("没有通知。")

    def row_css(self, note):
        return "" if note.read_at else "unread"
