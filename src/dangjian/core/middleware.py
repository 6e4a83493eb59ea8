import logging

from . import context


class RequestIdMiddleware:
    """Gives each request a correlation id (or keeps a sane one from the proxy)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if incoming.isalnum() and len(incoming) <= 64 else context.new_request_id()
        tokens = context.bind(request_id, request.META.get("REMOTE_ADDR", ""))
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
