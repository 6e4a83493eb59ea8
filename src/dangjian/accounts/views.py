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
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.core.models import AuditEntry
from dangjian.core.scope import scope_paths

from . import bulk, services
from .forms import AuditFilterForm, CodeForm, GrantForm, LoginForm, PasswordChangeForm, UserCreateForm
from .middleware import step_done
from .models import ApprovalStatus, ExportApproval, RoleGrant, TOTPDevice, User
from .ratelimit import too_many
from .roles import user_has_global

PENDING = "dangjian_pending_2fa"
PENDING_SECONDS = 300
ACCOUNT_ACTIONS = ("manage_accounts", "grant_roles", "reset_passwords", "lock_accounts")


def _too_many_response(request, template, context):
    context = dict(context, rate_limited=True)
    return render(request, template, context, status=429)


def _errors(request, exc):
    for messages_ in exc.message_dict.values() if hasattr(exc, "error_dict") else [exc.messages]:
        for message in messages_:
            messages.error(request, message)


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
        except ValidationError as exc:
            _errors(request, exc)
        return redirect("accounts:security")
    context = {
        "has_two_factor": services.has_two_factor(user),
        "two_factor_required": services.two_factor_required(user),
        "remaining_codes": user.recovery_codes.filter(used_at__isnull=True).count(),
        "can_accounts": any(user_has_global(user, a) for a in ACCOUNT_ACTIONS),
        "can_audit": _can_read_audit(user),
        "can_approve": user_has_global(user, "approve_bulk"),
    }
    return render(request, "accounts/security.html", context)


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
    context = {
        "form": form,
        "secret": " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)),
        "uri": services.totp_uri(device),
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


@login_required
def user_list(request):
    _need(request.user, *ACCOUNT_ACTIONS)
    q = request.GET.get("q", "").strip()
    users = User.objects.order_by("username").prefetch_related(
        Prefetch("role_grants", queryset=RoleGrant.objects.select_related("org"))
    )
    if q:
        users = users.filter(Q(username__icontains=q) | Q(display_name__icontains=q))
    page = Paginator(users, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/user_list.html", {
        "page": page, "q": q, "now": timezone.now(),
        "can_create": user_has_global(request.user, "manage_accounts"),
    })


@login_required
def user_create(request):
    _need(request.user, "manage_accounts")
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("账号已创建。"))
            return redirect("accounts:user_detail", pk=user.pk)
    return render(request, "accounts/user_form.html", {"form": form})


@login_required
def user_detail(request, pk):
    _need(request.user, *ACCOUNT_ACTIONS)
    account = get_object_or_404(User, pk=pk)
    actor = request.user
    return render(request, "accounts/user_detail.html", {
        "account": account,
        "grants": account.role_grants.select_related("org").order_by("role"),
        "grant_form": GrantForm(),
        "locked": account.is_locked(),
        "has_two_factor": services.has_two_factor(account),
        "can_manage": user_has_global(actor, "manage_accounts"),
        "can_grant": user_has_global(actor, "grant_roles"),
        "can_reset": user_has_global(actor, "reset_passwords"),
        "can_lock": user_has_global(actor, "lock_accounts"),
    })


def _account_action(request, pk, action, run):
    _need(request.user, action)
    account = get_object_or_404(User, pk=pk)
    try:
        result = run(account)
    except ValidationError as exc:
        _errors(request, exc)
        result = None
    if hasattr(result, "status_code"):
        return result
    return redirect("accounts:user_detail", pk=account.pk)


@require_POST
@login_required
def user_set_active(request, pk):
    active = request.POST.get("active") == "1"

    def run(account):
        services.user_set_active(actor=request.user, user=account, active=active)
        messages.success(request, _("账号已启用。") if active else _("账号已停用，其会话已全部结束。"))

    return _account_action(request, pk, "manage_accounts", run)


@require_POST
@login_required
def role_grant(request, pk):
    def run(account):
        form = GrantForm(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                for message in errors:
                    messages.error(request, message)
            return
        services.role_grant(actor=request.user, user=account, role=form.cleaned_data["role"],
                            org=form.cleaned_data["org"])
        messages.success(request, _("已授权。"))

    return _account_action(request, pk, "grant_roles", run)


@require_POST
@login_required
def role_revoke(request, pk):
    _need(request.user, "grant_roles")
    grant = get_object_or_404(RoleGrant.objects.select_related("user", "org"), pk=pk)
    services.role_revoke(actor=request.user, grant=grant)
    messages.success(request, _("已撤销授权。"))
    return redirect("accounts:user_detail", pk=grant.user_id)


@require_POST
@login_required
def user_lock(request, pk):
    def run(account):
        services.account_lock(actor=request.user, user=account, reason=request.POST.get("reason", "")[:200])
        messages.success(request, _("账号已锁定。"))

    return _account_action(request, pk, "lock_accounts", run)


@require_POST
@login_required
def user_unlock(request, pk):
    def run(account):
        services.account_unlock(actor=request.user, user=account)
        messages.success(request, _("账号已解锁。"))

    return _account_action(request, pk, "lock_accounts", run)


@require_POST
@login_required
def user_password_reset(request, pk):
    def run(account):
        temporary = services.password_reset(actor=request.user, user=account)
        return render(request, "accounts/password_reset_done.html", {"account": account, "temporary": temporary})

    return _account_action(request, pk, "reset_passwords", run)


@require_POST
@login_required
def user_otp_reset(request, pk):
    def run(account):
        services.totp_disable(actor=request.user, user=account)
        messages.success(request, _("已清除该账号的动态口令，其下次登录时须重新绑定。"))

    return _account_action(request, pk, "reset_passwords", run)


# Audit log ---------------------------------------------------------------------------

def _can_read_audit(user):
    return user_has_global(user, "view_audit_all") or bool(scope_paths(user, "view_audit"))


@login_required
def audit_list(request):
    """Audit administrators read every entry; business auditors the entries in their subtrees."""
    if not _can_read_audit(request.user):
        raise PermissionDenied(_("您没有查看审计记录的权限。"))
    form = AuditFilterForm(request.GET or None)
    entries = AuditEntry.objects.visible_to(request.user).order_by("-id")
    if form.is_valid():
        data = form.cleaned_data
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
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "accounts/audit_list.html", {"form": form, "page": page, "query": query.urlencode()})


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
            _errors(request, exc)
        return redirect(reverse("accounts:approvals"))
    own = ExportApproval.objects.filter(requested_by=request.user).select_related("decided_by")[:50]
    pending = (ExportApproval.objects.filter(status=ApprovalStatus.PENDING).select_related("requested_by")
               if approver else ExportApproval.objects.none())
    return render(request, "accounts/approvals.html", {"own": own, "pending": pending, "approver": approver})
