import time

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from dangjian.core import audit

from . import middleware, services
from .roles import ADMIN_ROLES


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    services.login_succeeded(user=user)
    audit.record(actor=user, action="login", obj=user, object_repr=user.username)
    if request is None or not hasattr(request, "session"):
        return
    roles = set(user.role_grants.values_list("role", flat=True))
    admin = user.is_superuser or bool(roles & ADMIN_ROLES)
    minutes = settings.DANGJIAN_ADMIN_IDLE_TIMEOUT_MINUTES if admin else settings.DANGJIAN_IDLE_TIMEOUT_MINUTES
    steps = []
    if user.must_change_password or services.password_expired(user):
        steps.append("password")
    if services.two_factor_required(user) and not services.has_two_factor(user):
        steps.append("enroll")
    now = time.time()
    request.session[middleware.LOGIN_AT] = now
    request.session[middleware.SEEN_AT] = now
    request.session[middleware.IDLE] = minutes * 60
    request.session[middleware.STEPS] = steps


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        reason = getattr(request, "dangjian_logout_reason", None)
        audit.record(actor=user, action="logout", obj=user, object_repr=user.username,
                     after={"reason": reason} if reason else None)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    audit.record(actor=None, action="login_failed", object_type="accounts.user", object_repr=username)
