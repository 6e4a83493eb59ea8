import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CLASSES = [re.compile(r"[a-z]"), re.compile(r"[A-Z]"), re.compile(r"[0-9]"), re.compile(r"[^a-zA-Z0-9]")]


class CharacterClassValidator:
    """At least three of: lower case, upper case, digits, other characters."""

    def validate(self, password, user=None):
        if sum(1 for pattern in CLASSES if pattern.search(password)) < 3:
            raise ValidationError(
                _("密码须包含小写字母、大写字母、数字、符号中的至少三类。"), code="password_too_simple"
            )

    def get_help_text(self):
        return _("密码须包含小写字母、大写字母、数字、符号中的至少三类。")


class PasswordHistoryValidator:
    """Not the current password nor one of the last `count` (kept as hashes in PasswordHistory)."""

    def __init__(self, count=5):
        self.count = count

    def validate(self, password, user=None):
        if user is None or user.pk is None:
            return
        from django.contrib.auth.hashers import check_password

        hashes = list(user.password_history.values_list("password", flat=True)[: self.count])
        if user.password and user.password not in hashes:
            hashes.append(user.password)
        if any(check_password(password, encoded) for encoded in hashes):
            raise ValidationError(
                _("新密码不能与最近 %(count)d 次使用过的密码相同。") % {"count": self.count}, code="password_reused"
            )

    def get_help_text(self):
        return _("新密码不能与最近 %(count)d 次使用过的密码相同。") % {"count": self.count}
