"""Field-level encryption (AES-256-GCM) and keyed hashes for personal data.

The key comes from settings.FIELD_KEY (DANGJIAN_FIELD_KEY in production), never from the
database. A ciphertext names the key that made it, so old keys listed in
DANGJIAN_FIELD_KEYS_OLD keep reading during a rotation (`dangjian rotate_field_key`).
Look-ups and de-duplication use a keyed hash (HMAC-SHA256 under a key derived from the
field key), so the database alone cannot be brute-forced over the small space of ID
numbers.
"""

import base64
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFIX = "g1:"


def _decode_key(text):
    try:
        raw = base64.urlsafe_b64decode(text.encode() + b"=" * (-len(text) % 4))
    except ValueError as exc:
        raise ImproperlyConfigured("DANGJIAN_FIELD_KEY is not URL-safe base64") from exc
    if len(raw) != 32:
        raise ImproperlyConfigured("DANGJIAN_FIELD_KEY must be 32 random bytes in URL-safe base64")
    return raw


def key_id(raw):
    return hashlib.sha256(b"dangjian-key-id" + raw).hexdigest()[:8]


@lru_cache(maxsize=8)
def _keyring(current, old):
    keys = {}
    for text in (current, *old):
        raw = _decode_key(text)
        keys[key_id(raw)] = raw
    # One AESGCM object per key, kept: building it costs about as much as sealing a value,
    # which adds up over a registry import of half a million members (bench/member_import.py).
    ciphers = {kid: AESGCM(raw) for kid, raw in keys.items()}
    return key_id(_decode_key(current)), keys, ciphers


def _current():
    kid, keys, _ciphers = _keyring(settings.FIELD_KEY, tuple(settings.FIELD_KEYS_OLD))
    return kid, keys[kid], keys


def _ciphers():
    kid, _keys, ciphers = _keyring(settings.FIELD_KEY, tuple(settings.FIELD_KEYS_OLD))
    return kid, ciphers


def encrypt(plaintext):
    if plaintext in (None, ""):
        return ""
    kid, ciphers = _ciphers()
    nonce = os.urandom(12)
    sealed = ciphers[kid].encrypt(nonce, plaintext.encode(), kid.encode())
    return f"{PREFIX}{kid}:" + base64.urlsafe_b64encode(nonce + sealed).decode()


def decrypt(token):
    if not token:
        return ""
    if not token.startswith(PREFIX):
        raise ValueError("not an encrypted value")
    kid, _, body = token[len(PREFIX):].partition(":")
    cipher = _ciphers()[1].get(kid)
    if cipher is None:
        raise ImproperlyConfigured(f"no field key with id {kid}; list it in DANGJIAN_FIELD_KEYS_OLD")
    blob = base64.urlsafe_b64decode(body)
    return cipher.decrypt(blob[:12], blob[12:], kid.encode()).decode()


def needs_rotation(token):
    return bool(token) and not token.startswith(f"{PREFIX}{_current()[0]}:")


def blind_index(value, purpose="id_number"):
    """Keyed hash used to look up and de-duplicate a value without decrypting."""
    if not value:
        return ""
    return hmac.new(_derived_key(_current()[1], purpose), value.strip().upper().encode(),
                    hashlib.sha256).hexdigest()


@lru_cache(maxsize=16)
def _derived_key(key, purpose):
    return hmac.new(key, f"blind-index:{purpose}".encode(), hashlib.sha256).digest()


def mask_id_number(value):
    if not value:
        return ""
    if len(value) <= 10:
        return value[:2] + "*" * (len(value) - 2)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value):
    if not value:
        return ""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_address(value):
    if not value:
        return ""
    keep = max(1, len(value) // 3)
    return value[:keep] + "*" * (len(value) - keep)
