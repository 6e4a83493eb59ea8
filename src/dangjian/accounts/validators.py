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
