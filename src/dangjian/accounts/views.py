"""Login with lockout, rate limit and second factor; self-service account security; and
the pages of the three separated administrators (三员): accounts, roles, audit log."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

import segno

from dangjian.core.generic_views import (
    ObjectActionView,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    error_messages,
)
from dangjian.core.models import AuditEntry
from dangjian.core.scope import scope_paths

from . import bulk, services, tokens
from .forms import AuditFilterForm, CodeForm, GrantForm, LoginForm, PasswordChangeForm, UserCreateForm
from .middleware import step_done
from .models import ApiToken, ApprovalStatus, ExportApproval, RoleGrant, TOTPDevice, User
from .ratelimit import too_many
from .roles import user_has_global
from .tables import AuditTable, OwnApprovalTable, PendingApprovalTable, UserTable

PENDING = "dangjian_pending_2fa"
PENDING_SECONDS = 300
ACCOUNT_ACTIONS = ("manage_accounts", "grant_roles", "reset_passwords", "lock_accounts")


def _too_many_response(request, template, context):
    context = dict(context, rate_limited=True)
    return render(request, template, context, status=429)


# Login -------------------------------------------------------------------------------

class LoginView(auth_views.LoginView):
    """Password first; an account with an authenticator then gives a code (otp_verify)."""

    form_class = LoginForm
    template_name = "registration/login.html"

    def post(self, request, *args, **kwargs):
        if too_many(request, "login"):
            return _too_many_response(request, self.template_name,
                                      self.get_context_data(form=self.get_form_class()(request)))
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        user = form.get_user()
        if services.has_two_factor(user):
            self.request.session[PENDING] = {
                "user": user.pk, "backend": user.backend, "at": time.time(), "next": self.get_success_url(),
            }
            return redirect("accounts:otp_verify")
        return super().form_valid(form)


def otp_verify(request):
    pending = request.session.get(PENDING)
    if not pending or time.time() - pending["at"] > PENDING_SECONDS:
        request.session.pop(PENDING, None)
        return redirect("accounts:login")
    user = User.objects.filter(pk=pending["user"], is_active=True).first()
    if user is None or user.is_locked():
        request.session.pop(PENDING, None)
        messages.error(request, _("账号已锁定或停用。"))
        return redirect("accounts:login")
    form = CodeForm(request.POST or None)
    if request.method == "POST":
        if too_many(request, "otp"):
            return _too_many_response(request, "accounts/otp_verify.html", {"form": form})
        if form.is_valid() and services.totp_verify(user=user, code=form.cleaned_data["code"]):
            del request.session[PENDING]
            auth_login(request, user, backend=pending["backend"])
            target = pending.get("next") or settings.LOGIN_REDIRECT_URL
            if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
                target = settings.LOGIN_REDIRECT_URL
            return redirect(target)
        user = services.login_failed(user=user, factor="totp")
        if user.is_locked():
            request.session.pop(PENDING, None)
            messages.error(request, _("验证失败次数过多，账号已锁定。"))
            return redirect("accounts:login")
        form.add_error("code", _("验证码不正确。"))
    return render(request, "accounts/otp_verify.html", {"form": form})


# Self-service -----------------------------------------------------------------------

@login_required
def security(request):
    """The holder's own page: password, second factor, recovery codes; and links to the
    administration pages the account may use."""
    user = request.user
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "regenerate":
                codes = services.recovery_codes_regenerate(user=user)
                return render(request, "accounts/recovery_codes.html", {"codes": codes})
            if action == "disable":
                services.totp_disable(actor=user, user=user)
                messages.success(request, _("已停用动态口令。"))
            if action == "create_token":
                days = request.POST.get("days", "")
                _token, key = tokens.token_create(actor=user, user=user, name=request.POST.get("name", ""),
                                                  days=int(days) if days.isdigit() else 0)
                return render(request, "accounts/security.html", dict(_security_context(user), new_key=key))
            if action == "revoke_token":
                pk = request.POST.get("token", "")
                token = get_object_or_404(ApiToken, pk=int(pk) if pk.isdigit() else 0, user=user)
                tokens.token_revoke(actor=user, token=token)
                messages.success(request, _("令牌已撤销，使用它的请求将被拒绝。"))
        except ValidationError as exc:
            error_messages(request, exc)
        return redirect("accounts:security")
    return render(request, "accounts/security.html", _security_context(user))


def _security_context(user):
    return {
        "has_two_factor": services.has_two_factor(user),
        "two_factor_required": services.two_factor_required(user),
        "remaining_codes": user.recovery_codes.filter(used_at__isnull=True).count(),
        "tokens": ApiToken.objects.usable().filter(user=user),
        "can_accounts": any(user_has_global(user, a) for a in ACCOUNT_ACTIONS),
        "can_audit": _can_read_audit(user),
        "can_approve": user_has_global(user, "approve_bulk"),
    }


def otp_qr_data_uri(uri):
    """The otpauth URI as a QR code, drawn here (no network, no script): an SVG data: URI
    for an <img>, which the content security policy allows."""
    return segno.make(uri, error="m").svg_data_uri(scale=4, border=4, dark="#000", light="#fff")


@login_required
def otp_setup(request):
    user = request.user
    if services.has_two_factor(user):
        step_done(request, "enroll")
        return redirect("accounts:security")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.totp_confirm(user=user, code=form.cleaned_data["code"])
        except ValidationError as exc:
            form.add_error("code", exc.message_dict["code"])
        else:
            step_done(request, "enroll")
            return render(request, "accounts/recovery_codes.html", {"codes": codes, "enrolled": True})
    device = TOTPDevice.objects.filter(user=user, confirmed_at__isnull=True).first() or services.totp_start(user=user)
    secret = services.totp_secret(device)
    uri = services.totp_uri(device)
    context = {
        "form": form,
        "secret": " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)),
        "uri": uri,
        "qr": otp_qr_data_uri(uri),
        "required": services.two_factor_required(user),
    }
    return render(request, "accounts/otp_setup.html", context)


@login_required
def password_change(request):
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.password_change(user=request.user, old_password=form.cleaned_data["old_password"],
                                            new_password=form.cleaned_data["new_password"])
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            update_session_auth_hash(request, user)
            step_done(request, "password")
            messages.success(request, _("密码已修改。"))
            return redirect("accounts:security")
    steps = request.session.get("dangjian_steps", [])
    return render(request, "accounts/password_change.html", {"form": form, "forced": "password" in steps})


# Separated administrators ------------------------------------------------------------

def _need(user, *actions):
    if not any(user_has_global(user, action) for action in actions):
        raise PermissionDenied(_("您没有此项账号管理权限。"))


class AdministratorScope:
    """Accounts are not held by an org: the three separated administrators' global actions
    decide. Without one of `global_actions` every page here is 403, before any lookup."""

    global_actions = ACCOUNT_ACTIONS

    def scope_queryset(self, queryset, action):
        _need(self.request.user, *self.global_actions)
        return queryset

    def has_scope(self):
        return True


class UserListView(AdministratorScope, ObjectListView):
    queryset = User.objects.order_by("username").prefetch_related(
        Prefetch("role_grants", queryset=RoleGrant.objects.select_related("org"))
    )
    table_class = UserTable
    template_name = "accounts/user_list.html"

    def get_queryset(self):
        users = super().get_queryset()
        q = self.request.GET.get("q", "").strip()
        return users.filter(Q(username__icontains=q) | Q(display_name__icontains=q)) if q else users

    def get_table_kwargs(self):
        return {"extra": {"now": timezone.now()}}

    def get_extra_context(self, table, filterset):
        return {"q": self.request.GET.get("q", "").strip(),
                "can_create": user_has_global(self.request.user, "manage_accounts")}


class UserCreateView(AdministratorScope, ObjectEditView):
    form_class = UserCreateForm
    service = services.user_create
    template_name = "accounts/user_form.html"
    object_required = False
    success_message = gettext_lazy("账号已创建。")

    def check_permission(self, obj):
        _need(self.request.user, "manage_accounts")

    def get_cancel_url(self):
        return reverse("accounts:user_list")

    def get_success_url(self, user):
        return reverse("accounts:user_detail", args=[user.pk])


class UserDetailView(AdministratorScope, ObjectDetailView):
    queryset = User.objects.all()
    template_name = "accounts/user_detail.html"
    context_object_name = "account"

    def get_extra_context(self):
        actor, account = self.request.user, self.object
        return {
            "grants": account.role_grants.select_related("org").order_by("role"),
            "grant_form": GrantForm(user=actor),
            "locked": account.is_locked(),
            "has_two_factor": services.has_two_factor(account),
            "can_manage": user_has_global(actor, "manage_accounts"),
            "can_grant": user_has_global(actor, "grant_roles"),
            "can_reset": user_has_global(actor, "reset_passwords"),
            "can_lock": user_has_global(actor, "lock_accounts"),
        }


class AccountActionView(AdministratorScope, ObjectActionView):
    """A button on an account's page, allowed by one global action."""

    queryset = User.objects.all()
    permission_action = None

    def service_kwargs(self, form):
        return {"user": self.object}

    def get_object_url(self):
        return reverse("accounts:user_detail", args=[self.object.pk])


class UserSetActiveView(AccountActionView):
    global_actions = ("manage_accounts",)
    service = services.user_set_active

    def service_kwargs(self, form):
        return {"user": self.object, "active": self.request.POST.get("active") == "1"}

    def get_success_message(self, result):
        if self.request.POST.get("active") == "1":
            return _("账号已启用。")
        return _("账号已停用，其会话已全部结束。")


class RoleGrantView(AccountActionView):
    global_actions = ("grant_roles",)
    form_class = GrantForm
    service = services.role_grant
    success_message = gettext_lazy("已授权。")

    def get_form_kwargs(self):
        return {"user": self.request.user}

    def service_kwargs(self, form):
        return {"user": self.object, "role": form.cleaned_data["role"], "org": form.cleaned_data["org"]}


class RoleRevokeView(AccountActionView):
    global_actions = ("grant_roles",)
    queryset = RoleGrant.objects.select_related("user", "org")
    service = services.role_revoke
    success_message = gettext_lazy("已撤销授权。")

    def service_kwargs(self, form):
        return {"grant": self.object}

    def get_object_url(self):
        return reverse("accounts:user_detail", args=[self.object.user_id])


class UserLockView(AccountActionView):
    global_actions = ("lock_accounts",)
    service = services.account_lock
    success_message = gettext_lazy("账号已锁定。")

    def service_kwargs(self, form):
        return {"user": self.object, "reason": self.request.POST.get("reason", "")[:200]}


class UserUnlockView(AccountActionView):
    global_actions = ("lock_accounts",)
    service = services.account_unlock
    success_message = gettext_lazy("账号已解锁。")


class UserPasswordResetView(AccountActionView):
    """The temporary password is shown once, on this response."""

    global_actions = ("reset_passwords",)

    def call_service(self, form):
        temporary = services.password_reset(actor=self.request.user, user=self.object)
        return render(self.request, "accounts/password_reset_done.html",
                      {"account": self.object, "temporary": temporary})


class UserOtpResetView(AccountActionView):
    global_actions = ("reset_passwords",)
    service = services.totp_disable
    success_message = gettext_lazy("已清除该账号的动态口令，其下次登录时须重新绑定。")


user_list = UserListView.as_view()
user_create = UserCreateView.as_view()
user_detail = UserDetailView.as_view()
user_set_active = UserSetActiveView.as_view()
role_grant = RoleGrantView.as_view()
role_revoke = RoleRevokeView.as_view()
user_lock = UserLockView.as_view()
user_unlock = UserUnlockView.as_view()
user_password_reset = UserPasswordResetView.as_view()
user_otp_reset = UserOtpResetView.as_view()


# Audit log ---------------------------------------------------------------------------

def _can_read_audit(user):
    return user_has_global(user, "view_audit_all") or bool(scope_paths(user, "view_audit"))


class AuditListView(ObjectListView):
    """Audit administrators read every entry; business auditors the entries in their subtrees."""

    queryset = AuditEntry.objects.order_by("-id")
    view_action = "view_audit"
    table_class = AuditTable
    template_name = "accounts/audit_list.html"

    def get(self, request, *args, **kwargs):
        if not _can_read_audit(request.user):
            raise PermissionDenied(_("您没有查看审计记录的权限。"))
        self.form = AuditFilterForm(request.GET or None)
        return super().get(request, *args, **kwargs)

    def has_scope(self):
        return True

    def get_queryset(self):
        entries = super().get_queryset()
        if not self.form.is_valid():
            return entries
        data = self.form.cleaned_data
        if data["actor"]:
            entries = entries.filter(actor_name__icontains=data["actor"])
        if data["action"]:
            entries = entries.filter(action=data["action"])
        if data["object_type"]:
            entries = entries.filter(object_type=data["object_type"])
        if data["q"]:
            entries = entries.filter(object_repr__icontains=data["q"])
        if data["request_id"]:
            entries = entries.filter(request_id=data["request_id"])
        if data["since"]:
            entries = entries.filter(time__date__gte=data["since"])
        if data["until"]:
            entries = entries.filter(time__date__lte=data["until"])
        return entries

    def get_extra_context(self, table, filterset):
        return {"form": self.form}


audit_list = AuditListView.as_view()


# Bulk-access approvals ---------------------------------------------------------------

@login_required
def approvals(request):
    """Security administrators decide pending requests; everyone sees their own."""
    approver = user_has_global(request.user, "approve_bulk")
    if request.method == "POST":
        _need(request.user, "approve_bulk")
        approval = get_object_or_404(ExportApproval, pk=request.POST.get("approval"))
        try:
            bulk.approval_decide(actor=request.user, approval=approval, approve=request.POST.get("decision") == "approve")
        except ValidationError as exc:
            error_messages(request, exc)
        return redirect(reverse("accounts:approvals"))
    own = ExportApproval.objects.filter(requested_by=request.user).select_related("decided_by")
    pending = (ExportApproval.objects.filter(status=ApprovalStatus.PENDING).select_related("requested_by")
               if approver else ExportApproval.objects.none())
    return render(request, "accounts/approvals.html", {
        "own": OwnApprovalTable(own, request=request),
        "pending": PendingApprovalTable(pending, request=request),
        "approver": approver,
    })
