from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from . import services


class LockoutBackend(ModelBackend):
    """Django's model backend that refuses locked accounts and counts wrong passwords.

    The count is reset only when a login completes (second factor included), so the
    second factor cannot be guessed between correct passwords."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        User = get_user_model()
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if username is None or password is None:
            return None
        try:
            user = User._default_manager.get_by_natural_key(username)
        except User.DoesNotExist:
            User().set_password(password)  # same work as for a real account
            return None
        if user.is_locked():
            if request is not None:
                request.dangjian_locked = user.locked_until
            return None
        if not user.check_password(password):
            user = services.login_failed(user=user)
            if user.is_locked() and request is not None:
                request.dangjian_locked = user.locked_until
            return None
        return user if self.user_can_authenticate(user) else None

    def get_user(self, user_id):
        user = super().get_user(user_id)
        # A lock (manual or after failed logins) also ends sessions already open.
        if user is not None and user.is_locked():
            return None
        return user
