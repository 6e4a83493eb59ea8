"""Issue 4, point 7: production mode is configured only from the environment, refuses to
start without what it needs, and passes `dangjian check --deploy --fail-level WARNING`."""

import base64
import os
import re
import runpy
import secrets
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

import dangjian
from dangjian.core import checks
from dangjian.testing import make_user


SETTINGS_FILE = os.path.join(os.path.dirname(dangjian.__file__), "settings.py")


def production_env(tmp_path, **overrides):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DANGJIAN_") and k != "DATABASE_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="dangjian.settings",
        DANGJIAN_PRODUCTION="1",
        DANGJIAN_SECRET_KEY=secrets.token_urlsafe(50),
        DANGJIAN_FIELD_KEY=base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        DANGJIAN_AUDIT_KEY=secrets.token_urlsafe(32),
        DANGJIAN_ALLOWED_HOSTS="dangjian.example.gov.cn",
        DATABASE_URL=f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        REDIS_URL="redis://127.0.0.1:6379/15",
        DANGJIAN_VAR_DIR=str(tmp_path / "var"),
    )
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def dangjian(env, *args):
    return subprocess.run([sys.executable, "-m", "dangjian.cli", *args], env=env, capture_output=True, text=True,
                          timeout=300)


@pytest.mark.parametrize("change, complaint", [
    ({"DANGJIAN_SECRET_KEY": None}, "DANGJIAN_SECRET_KEY must be set"),
    ({"DANGJIAN_FIELD_KEY": None}, "DANGJIAN_FIELD_KEY must be set"),
    ({"DANGJIAN_AUDIT_KEY": None}, "DANGJIAN_AUDIT_KEY must be set"),
    ({"DANGJIAN_ALLOWED_HOSTS": None}, "DANGJIAN_ALLOWED_HOSTS must be set"),
    ({"DATABASE_URL": None}, "DATABASE_URL must be set"),
    ({"REDIS_URL": None}, "REDIS_URL must be set"),
    ({"DANGJIAN_SECRET_KEY": "short"}, "at least 50 random characters"),
    ({"DANGJIAN_FIELD_KEY": base64.urlsafe_b64encode(b"x" * 16).decode()}, "32 random bytes"),
    ({"DANGJIAN_FIELD_KEY": "not base64 at all!"}, "32 random bytes"),
    ({"DANGJIAN_AUDIT_KEY": "tiny"}, "at least 32 random characters"),
    ({"DANGJIAN_ALLOWED_HOSTS": "*"}, "no '*'"),
])
def test_production_refuses_to_start_without_what_it_needs(tmp_path, monkeypatch, change, complaint):
    # The settings module run afresh under the given environment, as a server start would.
    for name in list(os.environ):
        monkeypatch.delenv(name)
    for name, value in production_env(tmp_path, **change).items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ImproperlyConfigured, match=re.escape(complaint)):
        runpy.run_path(SETTINGS_FILE)


def test_a_complete_production_environment_starts(tmp_path, monkeypatch):
    for name, value in production_env(tmp_path).items():
        monkeypatch.setenv(name, value)
    loaded = runpy.run_path(SETTINGS_FILE)
    assert loaded["PRODUCTION"] and not loaded["DEBUG"] and loaded["SESSION_COOKIE_SECURE"]
    assert loaded["DANGJIAN_REQUIRE_2FA"] and loaded["SECURE_HSTS_SECONDS"] >= 31536000


def test_check_deploy_passes_in_a_correct_production_environment(tmp_path):
    env = production_env(tmp_path)
    migrate = dangjian(env, "migrate", "--noinput", "-v", "0")
    assert migrate.returncode == 0, migrate.stderr[-2000:]
    result = dangjian(env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr[-3000:]

    # an everyday superuser fails it
    create = dangjian(dict(env, DJANGO_SUPERUSER_PASSWORD="Super-pass-2026"),
                      "createsuperuser", "--noinput", "--username", "root", "--email", "root@example.gov.cn")
    assert create.returncode == 0, create.stderr[-2000:]
    result = dangjian(env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0 and "dangjian.E020" in result.stderr


def test_development_settings_fail_the_deploy_check(tmp_path):
    env = production_env(tmp_path, DANGJIAN_PRODUCTION=None, DANGJIAN_REQUIRE_2FA="0")
    result = dangjian(env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016", "dangjian.W001",
                    "dangjian.W010"):
        assert warning in result.stderr


def ids(problems):
    return {p.id for p in problems}


def test_key_checks(settings):
    settings.FIELD_KEY = "bad"
    settings.FIELD_KEYS_OLD = ["also bad"]
    settings.AUDIT_KEY = "short"
    settings.ALLOWED_HOSTS = ["*"]
    assert {"dangjian.E002", "dangjian.E003", "dangjian.W004", "dangjian.E006"} <= ids(checks.check_keys_and_hosts())


def test_login_protection_checks(settings):
    settings.DANGJIAN_REQUIRE_2FA = False
    settings.AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if "SessionSecurity" not in m and "csp" not in m]
    assert {"dangjian.W010", "dangjian.E011", "dangjian.E012", "dangjian.E016"} <= ids(checks.check_login_protections())


def test_superuser_check(db):
    assert checks.check_no_superusers() == []
    user = make_user("root")
    user.is_superuser = True
    user.save()
    assert ids(checks.check_no_superusers()) == {"dangjian.E020"}
