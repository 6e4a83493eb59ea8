"""`dangjian restore FILE.tar.gz`: checksums first, then the database into an empty
database (migrated here if needed), then the uploaded files. Refuses a database that
already has accounts or audit entries. The audit chain must verify and encrypted fields
must decrypt with this server's keys, else nothing is restored."""

import json
import shutil
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from dangjian.core import audit, context, crypto
from dangjian.core.models import AuditEntry

from .audit import verify
from .backup import FORMAT, backup_models, sha256_file
from .rotate_field_key import encrypted_models


def _safe_members(archive):
    for member in archive.getmembers():
        name = Path(member.name)
        if name.is_absolute() or ".." in name.parts or not (member.isfile() or member.isdir()):
            raise CommandError(f"unsafe path in archive: {member.name}")
    return archive.getmembers()


def check_archive(path, workdir):
    """Verify the whole-file checksum (when FILE.sha256 is beside it), extract, verify each file."""
    sidecar = Path(f"{path}.sha256")
    if sidecar.exists():
        expected = sidecar.read_text().split()[0]
        if sha256_file(path) != expected:
            raise CommandError(f"{path}: SHA-256 does not match {sidecar.name}; the archive is damaged")
    try:
        with tarfile.open(path, "r:gz") as archive:
            archive.extractall(workdir, members=_safe_members(archive))
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise CommandError(f"{path}: not a readable backup ({exc})") from None
    try:
        manifest = json.loads((Path(workdir) / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise CommandError("the archive has no readable manifest.json") from None
    if manifest.get("format") != FORMAT:
        raise CommandError(f"unknown backup format {manifest.get('format')}")
    for name, digest in manifest["files"].items():
        member = Path(workdir) / name
        if not member.is_file() or sha256_file(member) != digest:
            raise CommandError(f"{name}: checksum does not match the manifest")
    return manifest


def _keys_fit():
    for model, fields, _hashes in encrypted_models():
        row = model._base_manager.exclude(**{fields[0]: ""}).values_list(fields[0], flat=True).first()
        if row:
            try:
                crypto.decrypt(row)
            except Exception as exc:  # a wrong key shows as any of several errors
                raise CommandError(f"{model._meta.label}: encrypted data does not open with DANGJIAN_FIELD_KEY "
                                   f"(or DANGJIAN_FIELD_KEYS_OLD): {exc.__class__.__name__}") from None


class Command(BaseCommand):
    help = "Restore a backup made by `dangjian backup` into an empty database."

    def add_arguments(self, parser):
        parser.add_argument("archive")

    def handle(self, *args, archive, **options):
        with context.job("restore"), tempfile.TemporaryDirectory() as workdir:
            manifest = check_archive(archive, workdir)
            call_command("migrate", interactive=False, verbosity=0)
            if get_user_model().objects.exists() or AuditEntry.objects.exists():
                raise CommandError("the database is not empty (it has accounts or audit entries); "
                                   "restore needs an empty database")
            with transaction.atomic():
                # Content types and permissions come from the backup with their ids.
                Permission.objects.all().delete()
                ContentType.objects.all().delete()
                ContentType.objects.clear_cache()
                call_command("loaddata", str(Path(workdir) / "db.jsonl"), verbosity=0)
                ContentType.objects.clear_cache()
                counts = {m._meta.label_lower: m._base_manager.count() for m in backup_models()}
                missing = {label: (n, counts.get(label)) for label, n in manifest["counts"].items()
                           if counts.get(label) != n}
                if missing:
                    raise CommandError(f"row counts differ after loading: {missing}")
                problems = verify()
                if problems:
                    raise CommandError(f"the restored audit chain does not verify with this DANGJIAN_AUDIT_KEY "
                                       f"(first break at entry {problems[0][0]}); nothing restored")
                _keys_fit()
                audit.record(actor=None, action="import", object_type="backup", object_repr=Path(archive).name,
                             row_count=sum(counts.values()), after={"created_at": manifest["created_at"]})
            media_source = Path(workdir) / "media"
            if media_source.is_dir():
                shutil.copytree(media_source, settings.MEDIA_ROOT, dirs_exist_ok=True)
        self.stdout.write(f"restored {sum(counts.values())} rows and {len(manifest['files']) - 1} files from {archive}")
