from django.utils.translation import gettext_lazy as _

from dangjian.core.tables import Column, Table


class RequestTable(Table):
    columns = [
        Column("number", _("编号"), order_by=("number",),
               template='<a href="{% url "resident_requests:request_detail" row.pk %}">{{ row.number }}</a>'),
        Column("category", _("类别"), accessor="category.name", order_by=("category__position", "id"), css="meta"),
        Column("description", _("诉求内容"), css="wrap", template="{{ row.description|truncatechars:60 }}"),
        Column("place", _("地点"), css="meta", template="{{ row.grid.name|default:row.community.name }}"),
        Column("status", _("状态"), order_by=("status", "deadline_at", "id"), css="meta",
               template_name="resident_requests/cells/status.html"),
        Column("deadline_at", _("办理时限"), order_by=("deadline_at", "id"), css="meta",
               template_name="resident_requests/cells/deadline.html"),
        Column("submitted_at", _("提交时间"), order_by=("submitted_at", "id"), css="meta",
               template='{{ row.submitted_at|date:"Y-m-d H:i" }}'),
    ]
    empty_text = _("管辖范围内还没有居民诉求。")
    empty_filtered_text = _("没有符合条件的诉求，可清除筛选后再看。")


class UnitTable(Table):
    columns = [
        Column("name", _("名称"), order_by=("name", "id"), css="wrap"),
        Column("kind", _("类型"), accessor="get_kind_display", order_by=("kind", "name"), css="meta"),
        Column("org", _("所属组织"), accessor="org.name", order_by=("org__path", "name"), css="meta"),
        Column("contact", _("联系人"), css="meta"),
    ]
    empty_text = _("还没有承办单位。")
    empty_filtered_text = _("没有符合条件的承办单位。")
