"""The base of every app's API viewsets.

Reads start from `base_queryset().visible_to(request.user, scope_action)`, so an object
outside the caller's subtree answers 404. Writes are made by the app's services; after a
write the object is read back through the scoped queryset inside the same transaction:
if the caller could not see the result, the write is rolled back.

Editable records carry a `version`: a detail answer sends it as the `ETag`, and a write
says which version it read either with `If-Match: "<version>"` (stale: 412) or with
`version` in the body (stale: 409). Without either, the last writer wins."""

import re

from django.core.exceptions import ObjectDoesNotExist
from django.utils.translation import gettext_lazy as _
from rest_framework import status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from ..exceptions import ConflictError

ETAG = re.compile(r'^\s*(?:W/)?"(\d{1,10})"\s*$')


class ScopedViewSet(viewsets.GenericViewSet):
    """Scoped queryset, read-back after writes, versions (ETag / If-Match / `version`)."""

    scope_action = "view"
    input_fields = frozenset()  # the writable fields of the body being handled (see validated)
    # Any id that is not a number answers 404 as JSON (DRF), not Django's HTML page.
    lookup_value_regex = "[^/]+"
    # JSON only: forms cannot say null, and one body format keeps the schema exact.
    parser_classes = [JSONParser]

    def base_queryset(self):
        raise NotImplementedError

    def get_queryset(self):
        return self.base_queryset().visible_to(self.request.user, self.scope_action)

    def read_back(self, obj):
        """The written object as the caller sees it; refuse (and roll back) if out of sight."""
        try:
            return self.get_queryset().get(pk=obj.pk)
        except ObjectDoesNotExist:
            raise PermissionDenied(_("操作后的对象不在您的管辖范围内，已撤回。")) from None

    def respond(self, obj, status_code=status.HTTP_200_OK):
        return Response(self.get_serializer(obj).data, status=status_code)

    def validated(self, serializer_class, instance=None, partial=False):
        """The request body checked by `serializer_class`, without `version` (see
        `expected_version`)."""
        serializer = serializer_class(instance, data=self.request.data, partial=partial,
                                      context=self.get_serializer_context())
        self.input_fields = {name for name, field in serializer.fields.items() if not field.read_only}
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        self.body_version = data.pop("version", None)
        return data

    def expected_version(self):
        """The version the caller read: from `If-Match` (a stale one answers 412) or
        from `version` in the body (409); None when the caller gave neither."""
        header = self.request.headers.get("If-Match")
        if header is not None and header.strip() != "*":
            self.request.version_from_if_match = True
            match = ETAG.match(header)
            if match is None:
                raise ConflictError()
            return int(match.group(1))
        return getattr(self, "body_version", None)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        data = getattr(response, "data", None)
        if (self.detail and status.is_success(response.status_code) and isinstance(data, dict)
                and isinstance(data.get("version"), int)):
            response["ETag"] = f'"{data["version"]}"'
        return response
