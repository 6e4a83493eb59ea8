"""Correlation ids for requests and jobs, kept in a contextvar so audit entries and log
lines written anywhere below a request carry the same id."""

import contextvars
import uuid

_request_id = contextvars.ContextVar("request_id", default="")
_client_ip = contextvars.ContextVar("client_ip", default="")


def new_request_id():
    return uuid.uuid4().hex[:16]


def get_request_id():
    return _request_id.get()


def get_client_ip():
    return _client_ip.get()


def bind(request_id, client_ip=""):
    """Bind ids for the current context; returns tokens for `unbind`."""
    return _request_id.set(request_id), _client_ip.set(client_ip)


def unbind(tokens):
    _request_id.reset(tokens[0])
    _client_ip.reset(tokens[1])


class job:
    """`with job("seed"):` gives a management command or task its own correlation id."""

    def __init__(self, prefix="job"):
        self.prefix = prefix

    def __enter__(self):
        self.tokens = bind(f"{self.prefix}-{new_request_id()}")
        return get_request_id()

    def __exit__(self, *exc):
        unbind(self.tokens)
