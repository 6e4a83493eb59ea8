"""`dangjian pii_dump_check`: dump the database and look for plaintext ID numbers and
phone numbers of the people it holds. Exit 1 when any is found.

The plaintexts come from decrypting the `id_number_encrypted` and `phone_encrypted`
fields of every model (with the key this process has); the dump is SQLite's iterdump or
PostgreSQL's pg_dump. Candidates are every 18-character ID-shaped and 11-digit
phone-shaped window of the dump (overlapping), so the scan is one pass whatever the
number of people."""

import os
import re
import shutil
import subprocess

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from dangjian.core import crypto

from .rotate_field_key import SUFFIX, encrypted_models

STEMS = ("id_number", "phone")
WINDOWS = re.compile(r"(?=(\d{17}[\dXx]|1\d{10}))")


def stored_plaintexts(stems=STEMS):
    """Decrypted values of `<stem>_encrypted` fields, over every model."""
    values = set()
    for model, fields, _hashes in encrypted_models():
        wanted = [f for f in fields if f[: -len(SUFFIX)] in stems]
        for row in model._base_manager.values_list(*wanted).iterator(chunk_size=5000) if wanted else ():
            values.update(crypto.decrypt(token) for token in row if token)
    return values


def dump_lines(using="default"):
    """The database as SQL text, line by line."""
    connection = connections[using]
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        yield from connection.connection.iterdump()
        return
    if connection.vendor != "postgresql":
        raise CommandError(f"no dump for {connection.vendor}")
    if shutil.which("pg_dump") is None:
        raise CommandError("pg_dump is not installed")
    s = connection.settings_dict
    env = dict(os.environ, PGPASSWORD=s.get("PASSWORD") or "")
    command = ["pg_dump", "--no-owner", "--data-only", "-d", s["NAME"], "-U", s.get("USER") or "postgres"]
    if s.get("HOST"):
        command += ["-h", s["HOST"]]
    if s.get("PORT"):
        command += ["-p", str(s["PORT"])]
    with subprocess.Popen(command, stdout=subprocess.PIPE, env=env, text=True, encoding="utf-8") as process:
        yield from process.stdout
    if process.returncode:
        raise CommandError(f"pg_dump failed with exit code {process.returncode}")


def find_plaintexts(lines, plaintexts):
    """The plaintexts (ID numbers, phones) that occur anywhere in `lines`."""
    wanted = {p.upper() for p in plaintexts if p}
    found = set()
    for line in lines:
        for match in WINDOWS.finditer(line):
            candidate = match.group(1).upper()
            if candidate in wanted:
                found.add(candidate)
    return found


class Command(BaseCommand):
    help = "Check that a dump of the database holds no plaintext ID numbers or phone numbers."

    def add_arguments(self, parser):
        parser.add_argument("--database", default="default")

    def handle(self, *args, database, **options):
        plaintexts = stored_plaintexts()
        found = find_plaintexts(dump_lines(database), plaintexts)
        if found:
            sample = ", ".join(crypto.mask_id_number(v) if len(v) == 18 else crypto.mask_phone(v)
                               for v in sorted(found)[:5])
            raise CommandError(f"{len(found)} plaintext values found in the dump, e.g. {sample}")
        self.stdout.write(f"no plaintext among {len(plaintexts)} ID numbers and phones")
