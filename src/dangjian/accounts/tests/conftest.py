import pyotp
import pytest

from dangjian.testing import PASSWORD, make_user


@pytest.fixture
def admins(city):
    """The three separated administrators, granted at the city's root organisation."""
    return {
        "system": make_user("sysadmin", "system_admin", city.city),
        "security": make_user("secadmin", "security_admin", city.city),
        "audit": make_user("auditadmin", "audit_admin", city.city),
    }


def login(client, username, password=PASSWORD, **extra):
    return client.post("/accounts/login/", {"username": username, "password": password}, **extra)


def current_code(user, at=None):
    from dangjian.accounts import services

    device = user.totp_device
    totp = pyotp.TOTP(services.totp_secret(device))
    return totp.at(at) if at is not None else totp.now()
