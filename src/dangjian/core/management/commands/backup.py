"""`dangjian backup -o FILE.tar.gz`: the database (every model, as JSON lines) and the
uploaded files, with a manifest of SHA-256 checksums inside and FILE.tar.gz.sha256 beside.

Encrypted fields stay encrypted; the keys are not in the backup (keep them apart, see
docs/deploy.md). Restore with `dangjian restore FILE.tar.gz` into an empty database."""

import datetime
import hashlib
import json
import os
import tarfile
import tempfile
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management.base import BaseCommand
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from dangjian.core import audit, context

FORMAT = 1
# Sessions are not worth restoring: every login ends with the old server.
SKIP = {"sessions.session"}


class ExactEncoder(DjangoJSONEncoder):
    """Keeps microseconds (DjangoJSONEncoder drops them), so audit hashes verify after a restore."""

    def default(self, o):
        if isinstance(o, (datetime.datetime, datetime.time)):
            return o.isoformat()
        return super().default(o)


def backup_models():
    return [m for m in apps.get_models() if m._meta.managed and not m._meta.proxy and m._meta.label_lower not in SKIP]


def sha256_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def dump_database(path):
    """Every model's rows in one consistent snapshot; returns {model label: row count}."""
    counts = {}
    outermost = not connection.in_atomic_block
    with transaction.atomic(), open(path, "w", encoding="utf-8") as stream:
        if connection.vendor == "postgresql" and outermost:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        for model in backup_models():
            queryset = model._base_manager.order_by("pk")
            counts[model._meta.label_lower] = queryset.count()
            serializers.serialize("jsonl", queryset.iterator(chunk_size=2000), stream=stream, cls=ExactEncoder)
    return counts


class Command(BaseCommand):
    help = "Back up the database and uploaded files into one archive with checksums."

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", required=True, help="archive to write (.tar.gz)")

    def handle(self, *args, output, **options):
        with context.job("backup"), tempfile.TemporaryDirectory() as workdir:
            work = Path(workdir)
            counts = dump_database(work / "db.jsonl")
            files = {"db.jsonl": sha256_file(work / "db.jsonl")}
            media = Path(settings.MEDIA_ROOT)
            media_files = sorted(p for p in media.rglob("*") if p.is_file()) if media.is_dir() else []
            for path in media_files:
                files["media/" + path.relative_to(media).as_posix()] = sha256_file(path)
            manifest = {
                "format": FORMAT,
                "created_at": timezone.now().isoformat(),
                "vendor": connection.vendor,
                "counts": counts,
                "files": files,
            }
            (work / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
            tmp_output = f"{output}.partial"
            with tarfile.open(tmp_output, "w:gz") as archive:
                archive.add(work / "manifest.json", arcname="manifest.json")
                archive.add(work / "db.jsonl", arcname="db.jsonl")
                for path in media_files:
                    archive.add(path, arcname="media/" + path.relative_to(media).as_posix())
            os.chmod(tmp_output, 0o600)
            os.replace(tmp_output, output)
            digest = sha256_file(output)
            Path(f"{output}.sha256").write_text(f"{digest}  {Path(output).name}\n")
            rows = sum(counts.values())
            audit.record(actor=None, action="export", object_type="backup", object_repr=Path(output).name,
                         row_count=rows, after={"sha256": digest, "files": len(media_files)})
        self.stdout.write(f"backup written: {output} ({rows} rows, {len(media_files)} files, sha256 {digest})")
