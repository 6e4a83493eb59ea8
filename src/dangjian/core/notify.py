"""Notifications through pluggable channels.

A module that wants to tell someone something calls `send(...)` with the recipients
(user accounts) and a `key` that names the event; every registered channel delivers it.
The lists app registers the in-app channel (a Notification row per recipient, written
once per key, so sweeps can run again without repeating themselves). Email, SMS or
WeCom/DingTalk adapters implement the same `Channel` interface and register the same way.
"""

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class Message:
    kind: str
    title: str
    body: str = ""
    url: str = ""
    key: str = ""
    extra: dict = field(default_factory=dict)


class Channel(Protocol):
    name: str

    def deliver(self, recipients, message: Message) -> int:
        """Deliver `message` to `recipients` (users); return how many were newly delivered.
        Must be idempotent on (recipient, message.key)."""


_channels: list = []


def register_channel(channel):
    if all(existing.name != channel.name for existing in _channels):
        _channels.append(channel)
    return channel


def unregister_channel(name):
    _channels[:] = [c for c in _channels if c.name != name]


def channels():
    return list(_channels)


def send(recipients, *, kind, title, body="", url="", key="", **extra):
    """Deliver one message to every recipient on every channel; returns {channel: count}."""
    recipients = [r for r in {getattr(r, "pk", None): r for r in recipients}.values() if r is not None and r.pk]
    message = Message(kind=kind, title=title, body=body, url=url, key=key or f"{kind}:{title}", extra=extra)
    return {channel.name: channel.deliver(recipients, message) for channel in _channels} if recipients else {}
