"""Tables of the 双报到 and 党建超市 pages. The community's view of a reported member is
the name, the masked phone, the offer and the service: no ID number, and the name links
to the member's record only for those who keep the full view (the branch, the employer)."""

from django.utils.translation import gettext_lazy as _

from dangjian.core.tables import Column, Table


class ReportTable(Table):
    columns = [
        Column("member", _("党员"), order_by=("member__name", "pk"),
               template_name="community_service/cells/report_member.html"),
        Column("phone", _("联系电话"), accessor="member.phone_masked", css="meta"),
        Column("community", _("报到社区"), order_by=("community__path", "pk"), css="meta",
               template="{{ row.community.short_name|default:row.community.name }}"),
        Column("offer", _("可提供的服务"), css="wrap"),
        Column("status", _("状态"), accessor="get_status_display", order_by=("status", "pk"), css="meta"),
        Column("registered_at", _("登记时间"), order_by=("registered_at", "pk"), css="meta",
               template='{{ row.registered_at|date:"Y-m-d" }}'),
    ]
    empty_text = _("还没有在职党员报到。")


class ItemTable(Table):
    columns = [
        Column("title", _("名称"), order_by=("title", "pk"), css="wrap",
               template='<a href="{% url "community_service:item_detail" row.pk %}">{{ row.title }}</a>'),
        Column("kind", _("类型"), accessor="get_kind_display", css="meta"),
        Column("org", _("发布组织"), css="meta", template="{{ row.org.short_name|default:row.org.name }}"),
        Column("starts_on", _("日期"), order_by=("starts_on", "pk"), css="meta",
               template='{{ row.starts_on|date:"Y-m-d" }} {{ row.time_text }}'),
        Column("place", _("地点"), css="wrap"),
        Column("capacity", _("名额"), css="num", template="{{ row.booked|default:0 }} / {{ row.capacity }}"),
    ]
    empty_text = _("还没有服务项目。")


class RecordTable(Table):
    """实绩: what members and units did, as descriptions (no points, no ranking)."""

    columns = [
        Column("who", _("党员/单位"), css="wrap", template_name="community_service/cells/record_who.html"),
        Column("item", _("服务项目"), css="wrap", accessor="item.title"),
        Column("org", _("服务社区/街道"), css="meta", template="{{ row.item.org.short_name|default:row.item.org.name }}"),
        Column("date", _("日期"), order_by=("item__starts_on", "pk"), css="meta",
               template='{{ row.item.starts_on|date:"Y-m-d" }}'),
        Column("attendance", _("签到"), accessor="get_attendance_display", css="meta"),
        Column("service", _("服务实绩"), css="wrap"),
    ]
    default_order = ("-item__starts_on", "-pk")
    empty_text = _("还没有服务实绩。")


class WhistleTable(Table):
    columns = [
        Column("title", _("事项"), order_by=("title", "pk"), css="wrap",
               template='<a href="{% url "community_service:whistle_detail" row.pk %}">{{ row.title }}</a>'),
        Column("street", _("吹哨街道"), css="meta", template="{{ row.street.short_name|default:row.street.name }}"),
        Column("due_at", _("报到时限"), order_by=("due_at", "pk"), css="meta",
               template='{{ row.due_at|date:"Y-m-d H:i" }}'),
        Column("calls", _("报到情况"), css="meta", template_name="community_service/cells/whistle_calls.html"),
    ]
    empty_text = _("还没有吹哨。")


class ClaimTable(Table):
    columns = [
        Column("title", _("认领事项"), css="wrap",
               template='<a href="{% url "community_service:claim_detail" row.pk %}">{{ row }}</a>'),
        Column("direction", _("方向"), css="meta", template_name="community_service/cells/claim_direction.html"),
        Column("claimant", _("认领方"), accessor="claimant_name", css="meta"),
        Column("community", _("社区"), css="meta", template="{{ row.community.short_name|default:row.community.name }}"),
        Column("deadline", _("完成期限"), order_by=("deadline", "pk"), css="meta",
               template='{{ row.deadline|date:"Y-m-d" }}'),
        Column("done", _("办结"), css="meta", template_name="community_service/cells/claim_done.html"),
    ]
    empty_text = _("还没有认领。")
