"""Session limits and the steps an account must take before anything else.

At login (signals.py) the session gets its start time, its idle limit (15 minutes for
administrators, 30 for others) and the pending steps (change an expired password, enrol
a second factor). Here, on every request: end the session when idle too long or older
than 8 hours, and send the holder to a pending step's page. Kept in the session so the
check costs no query."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

LOGIN_AT = "dangjian_login_at"
SEEN_AT = "dangjian_seen_at"
IDLE = "dangjian_idle"
STEPS = "dangjian_steps"
# Writing the session on every request would cost a query; a 30-second grain is enough.
SEEN_GRAIN = 30

STEP_URLS = {"password": "accounts:password_change", "enroll": "accounts:otp_setup"}


def _is_api(request):
    return request.path.startswith("/api/")


class SessionSecurityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.always_open = ("/static/", "/i18n/", "/jsi18n/", "/healthz")

    def __call__(self, request):
        session = request.session
        if "_auth_user_id" not in session:
            return self.get_response(request)
        now = time.time()
        login_at = session.get(LOGIN_AT)
        if login_at is None:
            session[LOGIN_AT] = session[SEEN_AT] = now
            login_at = now
        seen_at = session.get(SEEN_AT, now)
        idle = session.get(IDLE, settings.DANGJIAN_IDLE_TIMEOUT_MINUTES * 60)
        reason = None
        if now - login_at > settings.DANGJIAN_SESSION_MAX_HOURS * 3600:
            reason = "absolute"
        elif now - seen_at > idle:
            reason = "idle"
        if reason:
            request.dangjian_logout_reason = reason
            logout(request)
            if _is_api(request):
                return self.get_response(request)
            messages.info(request, _("会话已超时，请重新登录。"))
            return redirect_to_login(request.get_full_path())
        if now - seen_at > SEEN_GRAIN:
            session[SEEN_AT] = now
        steps = session.get(STEPS)
        if steps and not request.path.startswith(self.always_open):
            target = reverse(STEP_URLS[steps[0]])
            allowed = {reverse(name) for name in STEP_URLS.values()} | {reverse("accounts:logout")}
            # The API refuses such a session itself (accounts.authentication: 401).
            if request.path not in allowed and not _is_api(request):
                return redirect(target)
        return self.get_response(request)


def step_done(request, step):
    steps = [s for s in request.session.get(STEPS, []) if s != step]
    request.session[STEPS] = steps
