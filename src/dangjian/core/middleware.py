import logging

from django.conf import settings

from . import context


def client_ip(request):
    """The client's address; behind our own proxies (DANGJIAN_TRUSTED_PROXIES), the last
    address in X-Forwarded-For that is not one of them."""
    remote = request.META.get("REMOTE_ADDR", "")
    trusted = settings.DANGJIAN_TRUSTED_PROXIES
    if remote in trusted:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        for address in reversed(forwarded):
            if address and address not in trusted:
                return address
    return remote


class RequestIdMiddleware:
    """Gives each request a correlation id (or keeps a sane one from the proxy)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if incoming.isalnum() and len(incoming) <= 64 else context.new_request_id()
        tokens = context.bind(request_id, client_ip(request))
        request.request_id = request_id
        try:
            response = self.get_response(request)
        finally:
            context.unbind(tokens)
        response["X-Request-ID"] = request_id
        return response


class RequestIdLogFilter(logging.Filter):
    def filter(self, record):
        record.request_id = context.get_request_id() or "-"
        return True
