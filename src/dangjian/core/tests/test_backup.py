"""Issue 4, point 8: backup and restore of the database and uploaded files, checked by
checksums; a restore into an empty database finds every table's rows and the audit
chain identical."""

import hashlib
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from dangjian.core.management.commands.backup import ExactEncoder, backup_models
from dangjian.core.models import AuditEntry
from dangjian.testing import make_user


def table_digests(audit_up_to=None):
    """{model: [row count, SHA-256 of its rows]} over every model a backup holds."""
    result = {}
    for model in backup_models():
        rows = model._base_manager.order_by("pk")
        if model is AuditEntry and audit_up_to is not None:
            rows = rows.filter(pk__lte=audit_up_to)
        values = list(rows.values())
        digest = hashlib.sha256(json.dumps(values, cls=ExactEncoder, sort_keys=True).encode()).hexdigest()
        result[model._meta.label_lower] = [len(values), digest]
    return result


def run(args, env, check=True):
    return subprocess.run([sys.executable, "-m", "dangjian.cli", *args], env=env, capture_output=True, text=True,
                          timeout=300, check=check)


@pytest.fixture
def populated(city, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "evidence").mkdir(parents=True)
    (settings.MEDIA_ROOT / "evidence" / "photo.jpg").write_bytes(os.urandom(2048))
    for n in range(3):
        city.member(city.branches["a"], name=f"党员{n}")
    make_user("sec_a", "secretary", city.districts["a"])
    return city


def test_backup_and_restore_into_an_empty_database(populated, tmp_path):
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", "-o", str(archive), stdout=open(os.devnull, "w"))
    # the backup's own audit entry is written after the dump and so is not in it
    last_in_backup = AuditEntry.objects.exclude(object_type="backup").order_by("-id").first().pk
    before = table_digests(audit_up_to=last_in_backup)
    assert before["orgs.member"][0] == 3 and before["core.auditentry"][0] > 10

    env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp_path / 'restored.sqlite3'}",
               DANGJIAN_VAR_DIR=str(tmp_path / "var"), DANGJIAN_MEDIA_ROOT=str(tmp_path / "restored-media"),
               DANGJIAN_SECRET_KEY=settings.SECRET_KEY, DANGJIAN_FIELD_KEY=settings.FIELD_KEY,
               DANGJIAN_AUDIT_KEY=settings.AUDIT_KEY, DJANGO_SETTINGS_MODULE="dangjian.settings")
    env.pop("DANGJIAN_TEST_DB_NAME", None)
    result = run(["restore", str(archive)], env)
    assert "restored" in result.stdout
    assert run(["audit", "verify"], env).returncode == 0

    script = ("import django, json; django.setup(); "
              f"from dangjian.core.tests.test_backup import table_digests; print(json.dumps(table_digests({last_in_backup})))")
    after = json.loads(subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True,
                                      check=True, timeout=120).stdout)
    assert after == before
    restored = tmp_path / "restored-media" / "evidence" / "photo.jpg"
    assert restored.read_bytes() == (Path(settings.MEDIA_ROOT) / "evidence" / "photo.jpg").read_bytes()

    # a second restore finds the database no longer empty
    result = run(["restore", str(archive)], env, check=False)
    assert result.returncode != 0 and "not empty" in result.stderr


def test_restore_checks_the_checksum_first(populated, tmp_path):
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", "-o", str(archive), stdout=open(os.devnull, "w"))
    data = bytearray(archive.read_bytes())
    data[len(data) // 2] ^= 0xFF
    archive.write_bytes(bytes(data))
    with pytest.raises(CommandError, match="SHA-256 does not match"):
        call_command("restore", str(archive))


def test_restore_checks_each_file_against_the_manifest(populated, tmp_path):
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", "-o", str(archive), stdout=open(os.devnull, "w"))
    work = tmp_path / "unpacked"
    with tarfile.open(archive) as tar:
        tar.extractall(work, filter="data")
    (work / "db.jsonl").write_text((work / "db.jsonl").read_text().replace("党员1", "党员X"))
    forged = tmp_path / "forged.tar.gz"
    with tarfile.open(forged, "w:gz") as tar:
        for name in ("manifest.json", "db.jsonl", "media"):
            tar.add(work / name, arcname=name)
    with pytest.raises(CommandError, match="db.jsonl: checksum"):
        call_command("restore", str(forged))


def test_restore_refuses_a_database_in_use(populated, tmp_path):
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", "-o", str(archive), stdout=open(os.devnull, "w"))
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(archive))
