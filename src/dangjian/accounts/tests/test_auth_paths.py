"""Issue 7.6: every way into the API (token, session) honours the account's state: a locked
or disabled account, one that must change its password, or one whose password expired gets
401, on reads and writes."""

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from dangjian.accounts import services, tokens
from dangjian.accounts.models import User
from dangjian.testing import make_user


def lock(user, admins):
    services.account_lock(actor=admins["security"], user=user)


def disable(user, admins):
    services.user_set_active(actor=admins["system"], user=user, active=False)


def force_change(user, admins):
    services.password_reset(actor=admins["security"], user=user)


def expire(user, admins):
    User.objects.filter(pk=user.pk).update(password_changed_at=timezone.now() - datetime.timedelta(days=400))


STATES = {"locked": lock, "disabled": disable, "must change password": force_change, "password expired": expire}


def via_token(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {tokens.api_key(user)}")
    return client


def via_session(user):
    client = APIClient(enforce_csrf_checks=False)
    client.force_login(user)
    return client


PATHS = {"token": via_token, "session": via_session}


@pytest.fixture
def subject(city):
    return make_user("clerk", "secretary", city.districts["a"])


@pytest.mark.parametrize("path", PATHS)
def test_an_account_in_good_standing_reads_and_writes(path, subject, city, settings):
    settings.DANGJIAN_PASSWORD_MAX_AGE_DAYS = 90
    client = PATHS[path](subject)
    assert client.get("/api/v1/orgs/").status_code == 200
    response = client.patch(f"/api/v1/orgs/{city.branches['a'].pk}/", {"phone": "051000001"}, format="json")
    assert response.status_code == 200, response.content


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("path", PATHS)
def test_each_account_state_is_refused_on_each_path(path, state, subject, admins, city, settings):
    settings.DANGJIAN_PASSWORD_MAX_AGE_DAYS = 90
    client = PATHS[path](subject)  # credentials obtained while the account was in good standing
    STATES[state](subject, admins)
    branch = city.branches["a"]
    reads = client.get("/api/v1/orgs/")
    writes = client.patch(f"/api/v1/orgs/{branch.pk}/", {"phone": "051000002"}, format="json")
    creates = client.post("/api/v1/members/", {"name": "新人"}, format="json")
    for response in (reads, writes, creates):
        assert response.status_code == 401, (state, path, response.status_code, response.content)
        assert "detail" in response.json()
    branch.refresh_from_db()
    assert branch.phone != "051000002"


def test_a_session_with_a_pending_step_gets_401_on_the_api(client, subject):
    from dangjian.accounts.middleware import STEPS

    client.force_login(subject)
    session = client.session
    session[STEPS] = ["enroll"]
    session.save()
    response = client.get("/api/v1/orgs/")
    assert response.status_code == 401 and "账号安全设置" in response.json()["detail"]


def test_the_api_throttles_by_user_and_by_address(subject, monkeypatch):
    from rest_framework.settings import api_settings
    from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle

    assert {AnonRateThrottle, UserRateThrottle} <= set(api_settings.DEFAULT_THROTTLE_CLASSES)
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"user": "3/min", "anon": "2/min"})
    client = via_token(subject)
    assert [client.get("/api/v1/orgs/").status_code for _ in range(4)] == [200, 200, 200, 429]
    response = client.get("/api/v1/orgs/")
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    # Another account has its own allowance.
    other = via_token(make_user("other_clerk"))
    assert other.get("/api/v1/orgs/").status_code == 200
