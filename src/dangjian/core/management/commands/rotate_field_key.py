"""`dangjian rotate_field_key`: re-encrypt every encrypted field with the current key.

Rotation: put the new key in DANGJIAN_FIELD_KEY and the old one in
DANGJIAN_FIELD_KEYS_OLD, restart, run this command, then drop the old key. Every field
named `<x>_encrypted` on any model is covered; a sibling `<x>_hash` (a blind index,
purpose `<x>`) is recomputed under the new key in the same batch. One audit entry per
batch with its row count."""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Q

from dangjian.core import audit, context, crypto

SUFFIX = "_encrypted"


def encrypted_models():
    """(model, [encrypted field names], {encrypted field: hash field}) for every model that has any."""
    found = []
    for model in apps.get_models():
        names = {f.name for f in model._meta.concrete_fields}
        encrypted = sorted(n for n in names if n.endswith(SUFFIX))
        if encrypted:
            hashes = {n: n[: -len(SUFFIX)] + "_hash" for n in encrypted if n[: -len(SUFFIX)] + "_hash" in names}
            found.append((model, encrypted, hashes))
    return found


def stale_q(fields, kid):
    current = f"{crypto.PREFIX}{kid}:"
    q = Q()
    for name in fields:
        q |= ~Q(**{f"{name}__startswith": current}) & ~Q(**{name: ""})
    return q


def rotate_model(model, fields, hashes, batch=1000):
    """Re-encrypt rows of `model` not yet under the current key; returns the row count."""
    kid = crypto._current()[0]
    total = 0
    while True:
        with transaction.atomic():
            rows = list(model._base_manager.select_for_update().filter(stale_q(fields, kid)).order_by("pk")[:batch])
            if not rows:
                return total
            changed = set()
            for row in rows:
                for name in fields:
                    token = getattr(row, name)
                    if not crypto.needs_rotation(token):
                        continue
                    plain = crypto.decrypt(token)
                    setattr(row, name, crypto.encrypt(plain))
                    changed.add(name)
                    if name in hashes:
                        setattr(row, hashes[name], crypto.blind_index(plain, purpose=name[: -len(SUFFIX)]))
                        changed.add(hashes[name])
            model._base_manager.bulk_update(rows, sorted(changed))
            audit.record(actor=None, action="update", object_type=model._meta.label_lower, row_count=len(rows),
                         after={"rotated_to_key": kid, "fields": sorted(changed)})
            total += len(rows)


class Command(BaseCommand):
    help = "Re-encrypt personal data with the current DANGJIAN_FIELD_KEY (old keys in DANGJIAN_FIELD_KEYS_OLD)."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=1000)

    def handle(self, *args, batch, **options):
        with context.job("rotate-key"):
            kid = crypto._current()[0]
            for model, fields, hashes in encrypted_models():
                count = rotate_model(model, fields, hashes, batch=batch)
                self.stdout.write(f"{model._meta.label}: {count} rows re-encrypted under key {kid}")
