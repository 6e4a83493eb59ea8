"""The administrators' list pages (accounts, audit log, approvals), as core tables."""

from django.utils.translation import gettext_lazy as _

from dangjian.core import audit
from dangjian.core.tables import Column, Table


class UserTable(Table):
    columns = [
        Column("username", _("用户名"), order_by=("username",),
               template='<a href="{% url "accounts:user_detail" row.pk %}">{{ row.username }}</a>'),
        Column("display_name", _("姓名"), order_by=("display_name", "username"), css="meta"),
        Column("state", _("状态"), css="meta", template_name="accounts/cells/user_state.html"),
        Column("roles", _("角色"), css="wrap", template_name="accounts/cells/user_roles.html"),
    ]
    empty_text = _("还没有账号。")
    empty_filtered_text = _("没有符合条件的账号，可清除查询后再看。")


class AuditTable(Table):
    columns = [
        Column("time", _("时间"), css="meta", template='{{ row.time|date:"Y-m-d H:i:s" }}'),
        Column("actor", _("操作人"), accessor="actor_name", css="meta"),
        Column("client_ip", _("来源地址"), css="meta mono"),
        Column("action", _("动作"), accessor="get_action_display", css="meta"),
        Column("object_type", _("对象类型"), accessor="object_type_label", css="meta"),
        Column("object", _("对象"), css="wrap", template_name="accounts/cells/audit_object.html"),
        Column("row_count", _("行数"), css="num"),
        Column("request_id", _("请求编号"), css="mono", template="<code>{{ row.request_id }}</code>"),
    ]
    empty_text = _("您可查看的范围内还没有审计记录。")

    def prepare(self, rows):
        for row in rows:  # in words, as the action is: the model's verbose name, not "orgs.member"
            row.object_type_label = audit.object_type_label(row.object_type)
    empty_filtered_text = _("没有符合条件的记录，可清除筛选后再看。")


class PendingApprovalTable(Table):
    page_param = "pending_page"
    columns = [
        Column("requested_by", _("申请人")),
        Column("kind", _("类型"), accessor="get_kind_display", css="meta"),
        Column("row_count", _("行数"), css="num"),
        Column("reason", _("理由"), css="wrap"),
        Column("created_at", _("申请时间"), css="meta", template='{{ row.created_at|date:"Y-m-d H:i" }}'),
        Column("decide", _("审批"), template_name="accounts/cells/approval_decide.html"),
    ]
    empty_text = _("没有待审批的申请。导出或查看完整个人信息超过行数上限时，申请会出现在这里，由安全管理员批准或驳回。")


class OwnApprovalTable(Table):
    columns = [
        Column("kind", _("类型"), accessor="get_kind_display"),
        Column("row_count", _("行数"), css="num"),
        Column("reason", _("理由"), css="wrap"),
        Column("status", _("状态"), accessor="get_status_display", css="meta"),
        Column("decided_by", _("审批人"), css="meta"),
    ]
    empty_text = _("您没有提交过批量访问申请。导出或查看完整个人信息超过行数上限时，系统会请您先在这里申请。")
