"""Serializer pieces every app's API shares."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


def VersionField(read_only=False):
    """A record's `version`: given in answers (and as the ETag); on a change, the version
    the caller read (optional; a stale one answers 409 and changes nothing)."""
    if read_only:
        return serializers.IntegerField(read_only=True, help_text=_("版本：每次保存加一"))
    return serializers.IntegerField(
        required=False, min_value=1, max_value=2**31 - 1,
        help_text=_("版本：每次保存加一。修改时可带上读取时的版本；记录已被他人修改时返回 409，什么也不改。"))
