"""Authentication for the API. Every path (token, session) asks `account_refusal`, so a
locked or disabled account, or one that must change its password first, gets 401 on the
API whichever way it comes in."""

from django.utils.translation import gettext as _
from drf_spectacular import authentication as schemes
from rest_framework import authentication, exceptions

from . import tokens
from .middleware import STEPS
from .services import password_expired


def account_refusal(user):
    """Why this account may not use the API now, or None."""
    if not user.is_active:
        return _("账号已停用。")
    if user.is_locked():
        return _("账号已锁定。")
    if user.must_change_password:
        return _("请先在网页上修改密码。")
    if password_expired(user):
        return _("密码已过期，请先在网页上修改密码。")
    return None


class TokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Token <key>` (or `Bearer <key>`), checked against the keys' hashes."""

    keyword = "Token"  # named in the schema and in WWW-Authenticate
    keywords = (b"token", b"bearer")

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() not in self.keywords:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("令牌格式不正确。"))
        try:
            key = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("令牌格式不正确。")) from None
        token = tokens.token_lookup(key)
        if token is None:
            raise exceptions.AuthenticationFailed(_("令牌无效、已过期或已撤销。"))
        refusal = account_refusal(token.user)
        if refusal:
            raise exceptions.AuthenticationFailed(refusal)
        tokens.token_touch(token)
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword


class SessionAuthentication(authentication.SessionAuthentication):
    """DRF's session authentication (with its CSRF check), refusing the same account states,
    and a session whose login is not finished (password to change, second factor to enrol)."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        refusal = account_refusal(result[0])
        if refusal is None and request._request.session.get(STEPS):
            refusal = _("请先在网页上完成账号安全设置。")
        if refusal:
            raise exceptions.AuthenticationFailed(refusal)
        return result


class TokenScheme(schemes.TokenScheme):
    target_class = "dangjian.accounts.authentication.TokenAuthentication"


class SessionScheme(schemes.SessionScheme):
    target_class = "dangjian.accounts.authentication.SessionAuthentication"
