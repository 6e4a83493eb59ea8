"""Issue 4, point 1: password policy, lockout, rate limit, session limits, audit."""

import datetime

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from freezegun import freeze_time

from dangjian.accounts import services
from dangjian.accounts.models import User
from dangjian.core.models import AuditEntry
from dangjian.testing import PASSWORD, make_user

from .conftest import login

START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.timezone.utc)


def actions_on(user):
    return list(AuditEntry.objects.filter(object_type="accounts.user", object_id=str(user.pk))
                .order_by("id").values_list("action", flat=True))


@pytest.mark.real_hasher
def test_passwords_are_hashed_with_argon2(db):
    assert settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    user = make_user("argon")
    assert user.password.startswith("argon2$argon2id$")
    assert user.check_password(PASSWORD)


@pytest.mark.parametrize("password, ok", [
    ("Ab1!", False),            # too short
    ("abcdefgh12", False),      # two classes
    ("abcdefgh12!", True),      # lower, digit, symbol
    ("Abcdefgh12", True),       # lower, upper, digit
    ("ABCDEFGH!!", False),      # two classes
])
def test_password_policy_length_and_three_classes(db, password, ok):
    if ok:
        validate_password(password)
    else:
        with pytest.raises(ValidationError):
            validate_password(password)


def test_new_password_may_not_repeat_the_last_five(db):
    user = make_user("history")
    passwords = [PASSWORD] + [f"Rotate-{n}-pass" for n in range(1, 6)]
    for old, new in zip(passwords, passwords[1:]):
        services.password_change(user=user, old_password=old, new_password=new)
    user.refresh_from_db()
    # the current one and the four before it are refused ...
    for reused in passwords[2:]:
        with pytest.raises(ValidationError) as caught:
            services.password_change(user=user, old_password=passwords[-1], new_password=reused)
        assert "new_password" in caught.value.message_dict
    # ... the sixth back is allowed again
    services.password_change(user=user, old_password=passwords[-1], new_password=passwords[0])
    assert user.password_history.count() == 5
    assert actions_on(user).count("password") == 6


def test_password_change_page_checks_old_password_and_audits(client, db):
    user = make_user("changer")
    client.force_login(user)
    response = client.post("/accounts/password/", {"old_password": "wrong", "new_password": "Brand-new-2026",
                                                   "new_password2": "Brand-new-2026"})
    assert response.status_code == 200
    assert "原密码不正确" in response.content.decode()
    response = client.post("/accounts/password/", {"old_password": PASSWORD, "new_password": "Brand-new-2026",
                                                   "new_password2": "Brand-new-2026"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Brand-new-2026")
    assert "password" in actions_on(user)
    # the session survives its own password change
    assert client.get("/accounts/security/").status_code == 200


def test_expired_password_must_be_changed_before_anything_else(client, city):
    with freeze_time(START) as clock:
        make_user("ageing", "secretary", city.districts["a"])
        clock.move_to(START + datetime.timedelta(days=settings.DANGJIAN_PASSWORD_MAX_AGE_DAYS - 1))
        assert login(client, "ageing").status_code == 302
        assert client.get("/").status_code == 200
        client.logout()

        clock.move_to(START + datetime.timedelta(days=settings.DANGJIAN_PASSWORD_MAX_AGE_DAYS + 1))
        login(client, "ageing")
        response = client.get("/")
        assert response.status_code == 302 and response.url == "/accounts/password/"
        assert client.get("/api/v1/").status_code == 401
        response = client.post("/accounts/password/", {"old_password": PASSWORD, "new_password": "Fresh-pass-2026",
                                                       "new_password2": "Fresh-pass-2026"})
        assert response.status_code == 302
        assert client.get("/").status_code == 200


def test_reset_password_forces_change_at_next_login(client, city, admins):
    user = make_user("forgetful", "secretary", city.districts["a"])
    temporary = services.password_reset(actor=admins["security"], user=user)
    login(client, "forgetful", temporary)
    assert client.get("/").url == "/accounts/password/"


def test_five_failed_logins_lock_for_thirty_minutes(client, db):
    user = make_user("target")
    with freeze_time(START) as clock:
        for _ in range(settings.DANGJIAN_LOCKOUT_ATTEMPTS - 1):
            response = login(client, "target", "wrong-password")
            assert "用户名或密码不正确" in response.content.decode()
        response = login(client, "target", "wrong-password")
        assert "已锁定" in response.content.decode()
        user.refresh_from_db()
        assert user.locked_until == START + datetime.timedelta(minutes=30)

        # the right password does not open a locked account
        clock.tick(datetime.timedelta(minutes=29))
        response = login(client, "target")
        assert response.status_code == 200 and "已锁定" in response.content.decode()
        assert "_auth_user_id" not in client.session

        clock.tick(datetime.timedelta(minutes=2))
        response = login(client, "target")
        assert response.status_code == 302
    user.refresh_from_db()
    assert user.locked_until is None and user.failed_logins == 0
    actions = actions_on(user)
    assert actions.count("lock") == 1 and actions.count("unlock") == 1
    assert actions.index("lock") < actions.index("unlock") < actions.index("login")


def test_a_success_resets_the_failure_count(client, db):
    make_user("careless")
    for _ in range(4):
        login(client, "careless", "wrong-password")
    login(client, "careless")
    client.logout()
    for _ in range(4):
        login(client, "careless", "wrong-password")
    assert not User.objects.get(username="careless").is_locked()


def test_ten_attempts_a_minute_from_one_address_then_429(client, db):
    make_user("someone")
    with freeze_time(START) as clock:
        for _ in range(settings.DANGJIAN_LOGIN_RATE_PER_MINUTE):
            assert login(client, "nobody-here", "x", REMOTE_ADDR="203.0.113.7").status_code == 200
        response = login(client, "someone", REMOTE_ADDR="203.0.113.7")
        assert response.status_code == 429
        assert "_auth_user_id" not in client.session
        # another address is not affected
        assert login(client, "someone", REMOTE_ADDR="203.0.113.8").status_code == 302
        client.logout()
        clock.tick(datetime.timedelta(seconds=61))
        assert login(client, "someone", REMOTE_ADDR="203.0.113.7").status_code == 302


def test_rate_limit_uses_forwarded_address_only_from_trusted_proxy(client, db):
    for n in range(settings.DANGJIAN_LOGIN_RATE_PER_MINUTE):
        login(client, "x", "y", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
    # ten different clients behind the proxy: none is limited
    assert login(client, "x", "y", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 200
    # a client that is not our proxy cannot choose its address
    for n in range(settings.DANGJIAN_LOGIN_RATE_PER_MINUTE):
        login(client, "x", "y", REMOTE_ADDR="192.0.2.9", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")
    assert login(client, "x", "y", REMOTE_ADDR="192.0.2.9", HTTP_X_FORWARDED_FOR="10.0.0.99").status_code == 429


def test_new_session_id_at_login(client, db):
    make_user("fixated")
    client.get("/accounts/login/")
    session = client.session
    session["planted"] = "by an attacker"
    session.save()
    before = session.session_key
    assert login(client, "fixated").status_code == 302
    after = client.session.session_key
    assert after and after != before
    assert not Session.objects.filter(session_key=before).exists()


@pytest.mark.parametrize("role, idle_minutes", [("secretary", 30), ("org_admin", 15), ("system_admin", 15),
                                                 ("security_admin", 15), ("audit_admin", 15)])
def test_idle_session_ends(client, city, role, idle_minutes):
    make_user("idler", role, city.city)
    with freeze_time(START) as clock:
        assert login(client, "idler").status_code == 302
        clock.tick(datetime.timedelta(minutes=idle_minutes - 1))
        assert client.get("/accounts/security/").status_code == 200
        clock.tick(datetime.timedelta(minutes=idle_minutes - 1))
        assert client.get("/accounts/security/").status_code == 200  # activity keeps it alive
        clock.tick(datetime.timedelta(minutes=idle_minutes + 1))
        response = client.get("/accounts/security/")
        assert response.status_code == 302 and response.url.startswith("/accounts/login/")
        assert "_auth_user_id" not in client.session
    user = User.objects.get(username="idler")
    assert AuditEntry.objects.filter(action="logout", actor=user, after__reason="idle").exists()


def test_any_session_ends_after_eight_hours(client, db):
    make_user("worker")
    with freeze_time(START) as clock:
        login(client, "worker")
        for _ in range(8 * 60 // 20 - 1):
            clock.tick(datetime.timedelta(minutes=20))
            assert client.get("/accounts/security/").status_code == 200
        clock.tick(datetime.timedelta(minutes=21))
        response = client.get("/accounts/security/")
        assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_disabling_an_account_ends_its_sessions(client, city, admins):
    user = make_user("leaver", "secretary", city.districts["a"])
    login(client, "leaver")
    assert client.get("/accounts/security/").status_code == 200
    services.user_set_active(actor=admins["system"], user=user, active=False)
    response = client.get("/accounts/security/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    assert not [s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(user.pk)]


def test_locking_an_account_ends_its_sessions_and_unlock_is_audited(client, city, admins):
    user = make_user("suspect", "secretary", city.districts["a"])
    login(client, "suspect")
    services.account_lock(actor=admins["security"], user=user, reason="调查")
    assert client.get("/accounts/security/").status_code == 302
    assert "已锁定" in login(client, "suspect").content.decode()
    services.account_unlock(actor=admins["security"], user=user)
    assert login(client, "suspect").status_code == 302
    actions = actions_on(user)
    assert "lock" in actions and "unlock" in actions


def test_role_changes_are_audited(city, admins):
    user = make_user("promoted")
    grant = services.role_grant(actor=admins["security"], user=user, role="secretary", org=city.districts["a"])
    services.role_revoke(actor=admins["security"], grant=grant)
    entries = AuditEntry.objects.filter(object_id=str(user.pk), action__in=["grant", "revoke"]).order_by("id")
    assert [(e.action, e.actor_name) for e in entries] == [("grant", "secadmin"), ("revoke", "secadmin")]
    assert entries[0].after == {"role": "secretary", "org": city.districts["a"].pk}
