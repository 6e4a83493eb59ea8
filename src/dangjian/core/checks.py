"""Deployment checks (`dangjian check --deploy`), beside Django's own: keys, hosts, the
second factor, audit retention, login protections, and no superuser accounts."""

import base64

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.db import DatabaseError

LOCKOUT_BACKEND = "dangjian.accounts.backends.LockoutBackend"
SESSION_MIDDLEWARE = "dangjian.accounts.middleware.SessionSecurityMiddleware"


def _key_ok(text):
    try:
        return len(base64.urlsafe_b64decode(text.encode() + b"=" * (-len(text) % 4))) == 32
    except (ValueError, AttributeError):
        return False


@register(Tags.security, deploy=True)
def check_keys_and_hosts(app_configs=None, **kwargs):
    problems = []
    if not settings.PRODUCTION:
        problems.append(Warning("DANGJIAN_PRODUCTION is not 1: development defaults are in force.",
                                hint="Set DANGJIAN_PRODUCTION=1 on a server (docs/deploy.md).", id="dangjian.W001"))
    if not _key_ok(settings.FIELD_KEY):
        problems.append(Error("DANGJIAN_FIELD_KEY is not 32 random bytes in URL-safe base64.", id="dangjian.E002"))
    if any(not _key_ok(key) for key in settings.FIELD_KEYS_OLD):
        problems.append(Error("An entry of DANGJIAN_FIELD_KEYS_OLD is not a valid field key.", id="dangjian.E003"))
    if len(settings.AUDIT_KEY) < 32:
        problems.append(Warning("DANGJIAN_AUDIT_KEY is shorter than 32 characters.", id="dangjian.W004"))
    if settings.AUDIT_KEY in (settings.SECRET_KEY, settings.FIELD_KEY):
        problems.append(Error("DANGJIAN_AUDIT_KEY must differ from the other keys.", id="dangjian.E005"))
    if "*" in settings.ALLOWED_HOSTS:
        problems.append(Error("DANGJIAN_ALLOWED_HOSTS must not contain '*'.", id="dangjian.E006"))
    return problems


@register(Tags.security, deploy=True)
def check_login_protections(app_configs=None, **kwargs):
    problems = []
    if not settings.DANGJIAN_REQUIRE_2FA:
        problems.append(Warning("DANGJIAN_REQUIRE_2FA is off: administrators can log in with a password alone.",
                                id="dangjian.W010"))
    if LOCKOUT_BACKEND not in settings.AUTHENTICATION_BACKENDS:
        problems.append(Error("The lockout authentication backend is not in AUTHENTICATION_BACKENDS.",
                              id="dangjian.E011"))
    if SESSION_MIDDLEWARE not in settings.MIDDLEWARE:
        problems.append(Error("Session time limits are off (SessionSecurityMiddleware missing).", id="dangjian.E012"))
    if settings.PASSWORD_HASHERS[0] != "django.contrib.auth.hashers.Argon2PasswordHasher":
        problems.append(Warning("Passwords are not hashed with Argon2.", id="dangjian.W013"))
    if settings.CACHES["default"]["BACKEND"].endswith("LocMemCache"):
        problems.append(Warning("The cache is per process: login rate limits do not add up across workers.",
                                hint="Set REDIS_URL.", id="dangjian.W014"))
    if settings.DANGJIAN_AUDIT_RETENTION_DAYS < 180:
        problems.append(Warning("DANGJIAN_AUDIT_RETENTION_DAYS is below 180; 180 days are kept anyway.",
                                id="dangjian.W015"))
    directives = getattr(settings, "CONTENT_SECURITY_POLICY", {}).get("DIRECTIVES", {})
    if "csp.middleware.CSPMiddleware" not in settings.MIDDLEWARE or not directives:
        problems.append(Error("No Content-Security-Policy (django-csp) in force.", id="dangjian.E016"))
    elif any("'unsafe-inline'" in directives.get(d, []) or "'unsafe-eval'" in directives.get(d, [])
             for d in ("script-src", "default-src")):
        problems.append(Warning("The Content-Security-Policy allows inline or eval'd scripts.", id="dangjian.W017"))
    return problems


@register(Tags.security, deploy=True)
def check_no_superusers(app_configs=None, **kwargs):
    """Everyday accounts act through role grants; a Django superuser bypasses 三员分立."""
    from django.contrib.auth import get_user_model

    try:
        names = list(get_user_model().objects.filter(is_superuser=True).values_list("username", flat=True)[:5])
    except DatabaseError:  # not migrated yet: nothing to check
        return []
    if names:
        return [Error(f"Superuser accounts exist: {', '.join(names)}.",
                      hint="Remove is_superuser; grant system_admin, security_admin or audit_admin instead.",
                      id="dangjian.E020")]
    return []
