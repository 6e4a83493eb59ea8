"""The member registry imported from one xlsx file through the import job, beside a raw
COPY of the same rows (PostgreSQL). Run last by worker.py: it empties the member table.

1. Export every member as city_admin, with full values (the file an organisation
   department would bring), to xlsx.
2. Copy the member table out (COPY TO) and empty it (links to members from accounts,
   posts and lists are dropped first).
3. Import a copy of the file with a bad date in a row near the end: the job must fail,
   name that row and column, and leave the table empty.
4. Import the file: every row back, one audit entry. Besides the wall time: the CPU time
   of this process (reading, checking, encrypting, formatting COPY data) and of the
   database server's process for the connection (inserting, maintaining indexes), which
   overlap, as one COPY streams while rows are checked; reading the sheet alone, and
   encryption (AES-GCM of ID number, phone and address plus the keyed hash) timed on a
   sample.
5. Empty it again and COPY the saved rows back in: the physical limit of the write.
"""

import io
import os
import re
import tempfile
import time
import zipfile
from pathlib import Path

BAD_DATE = "2010-13-45"


def _say(text):
    print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)


def _with_bad_date(source, target, row, column_letter):
    """Rewrite one cell of the first sheet of an xlsx, streaming, as an inline string."""
    pattern = re.compile(rb'<c r="%s%d"[^>]*?(?:/>|>.*?</c>)' % (column_letter.encode(), row))
    cell = b'<c r="%s%d" t="inlineStr"><is><t>%s</t></is></c>' % (column_letter.encode(), row, BAD_DATE.encode())
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                new.writestr(info, old.read(info.filename))
                continue
            done, carry = False, b""
            with old.open(info) as stream, new.open(info.filename, "w", force_zip64=True) as out:
                while True:
                    chunk = stream.read(4 * 1024 * 1024)
                    buffer = carry + chunk
                    if not done:
                        buffer, found = pattern.subn(cell, buffer, count=1)
                        done = bool(found)
                    if not chunk:
                        out.write(buffer)
                        break
                    cut = buffer.rfind(b"</row>") + 6 if b"</row>" in buffer else 0
                    out.write(buffer[:cut])
                    carry = buffer[cut:]
    return done


KEEP_ROWS = {"accounts_user", "lists_measure", "lists_project"}


def _empty_members(connection):
    """Empty the member table. Every module that points at members (accounts, lists, duties'
    attendance, responsibilities, reports to a community ...) is found in the catalog: accounts
    and list items keep their rows with the link cleared, any other row about a member is
    deleted (a booking may not lose its member: it must name a member or a unit). Foreign-key
    triggers are off meanwhile (session_replication_role), so the order does not matter;
    this is the benchmark's own database, emptied for the import that follows."""
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT c.conrelid::regclass::text, a.attname, a.attnotnull FROM pg_constraint c
            JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY(c.conkey)
            WHERE c.contype = 'f' AND c.confrelid IN ('orgs_member'::regclass, 'orgs_post'::regclass)
              AND c.conrelid NOT IN ('orgs_member'::regclass, 'orgs_post'::regclass)""")
        references = cursor.fetchall()
        cursor.execute("SET session_replication_role = replica")
        try:
            for table, column, _not_null in references:
                if table in KEEP_ROWS:  # accounts and list items outlive their member: clear the link
                    cursor.execute(f'UPDATE {table} SET "{column}" = NULL WHERE "{column}" IS NOT NULL')
                else:  # a module's row about a member (attendance, a booking ...) goes with it
                    cursor.execute(f'DELETE FROM {table}')
            cursor.execute("DELETE FROM orgs_post")
            cursor.execute("DELETE FROM orgs_member")
        finally:
            cursor.execute("SET session_replication_role = DEFAULT")


def _process_cpu(pid):
    """CPU seconds (user + system) of a process on this machine, or None (server elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _run_job(path, owner):
    from dangjian.core.models import ImportJob
    from dangjian.core.spreadsheets.jobs import run_job

    job = ImportJob.objects.create(kind="members", owner=owner, filename=path.name, upload=path.read_bytes())
    began = time.perf_counter()
    run_job(job.pk)
    seconds = time.perf_counter() - began
    job.refresh_from_db()
    return job, seconds


def measure(args):
    from django.conf import settings
    from django.db import connection

    from dangjian.accounts.models import User
    from dangjian.core import crypto
    from dangjian.core.models import AuditEntry
    from dangjian.core.spreadsheets.reader import open_bytes
    from dangjian.orgs import spreadsheets as member_sheets
    from dangjian.orgs.models import Member

    if connection.vendor != "postgresql":
        return {"available": False, "reason": "PostgreSQL only (the limit is COPY)"}
    # A trusted file brought by the operator: above the web upload limits, read by calamine.
    settings.DANGJIAN_IMPORT_MAX_BYTES = 1024 ** 3
    settings.DANGJIAN_IMPORT_MAX_ROWS = 1_000_000
    settings.DANGJIAN_IMPORT_MAX_UNZIPPED_BYTES = 4 * 1024 ** 3
    settings.DANGJIAN_IMPORT_FAST_READ_BYTES = 4 * 1024 ** 3
    settings.DANGJIAN_BULK_APPROVAL = False
    admin = User.objects.get(username="city_admin")
    folder = Path(tempfile.mkdtemp(prefix="dangjian-bench-import-"))
    good = folder / "members.xlsx"
    rows = Member.objects.count()

    _say(f"member import: export {rows} members to xlsx")
    began = time.perf_counter()
    export = member_sheets.export_members(actor=admin, fmt="xlsx", full_id=True, reason="基准测试：导入导出往返")
    with good.open("wb") as handle:
        export.write(handle)
    export_seconds = time.perf_counter() - began
    bad = folder / "members-bad.xlsx"
    bad_row = rows + 1 - 5  # the fifth row from the end (row 1 is the header)
    date_letter = "I"  # 入党日期, the ninth column
    assert [c.label for c in member_sheets.MEMBER_COLUMNS][8] == "入党日期"
    assert _with_bad_date(good, bad, bad_row, date_letter)

    _say("member import: copy the table out and empty it")
    saved = io.BytesIO()
    with connection.cursor() as cursor:
        with cursor.copy("COPY orgs_member TO STDOUT") as copy:
            for block in copy:
                saved.write(block)
    _empty_members(connection)

    _say("member import: a bad row near the end")
    audits = AuditEntry.objects.filter(action="import").count()
    job, bad_seconds = _run_job(bad, admin)
    bad_problems = job.problems
    bad_ok = (job.status == "failed" and Member.objects.count() == 0 and len(bad_problems) == 1
              and bad_problems[0]["row"] == bad_row and bad_problems[0]["column"] == "入党日期"
              and AuditEntry.objects.filter(action="import").count() == audits)

    _say("member import: reading alone")
    data = good.read_bytes()
    began = time.perf_counter()
    read_rows = sum(1 for _ in open_bytes(data, name="m.xlsx").rows())
    read_seconds = time.perf_counter() - began

    _say("member import: the whole file")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    server_began = _process_cpu(backend)
    cpu_began = time.process_time()
    job, import_seconds = _run_job(good, admin)
    cpu_seconds = time.process_time() - cpu_began
    server_seconds = _process_cpu(backend) - server_began if server_began is not None else None
    imported = Member.objects.count()
    entry = AuditEntry.objects.filter(action="import", object_type="orgs.member").order_by("-id").first()

    sample = [f"3206021980051700{i % 100:02d}" for i in range(20_000)]
    began = time.perf_counter()
    for value in sample:
        crypto.encrypt(value), crypto.encrypt("13812345678"), crypto.encrypt("幸福路1号"), crypto.blind_index(value)
    encrypt_seconds = (time.perf_counter() - began) * rows / len(sample)

    _say("member import: COPY of the same rows")
    _empty_members(connection)
    with connection.cursor() as cursor:
        began = time.perf_counter()
        with cursor.copy("COPY orgs_member FROM STDIN") as copy:
            copy.write(saved.getvalue())
        copy_seconds = time.perf_counter() - began
    for path in (good, bad):
        path.unlink()
    folder.rmdir()
    return {
        "available": True, "rows": rows, "load_average": round(os.getloadavg()[0], 1),
        "cpu_seconds": round(cpu_seconds, 1), "file_mb": round(len(data) / 1024 / 1024, 1),
        "export_seconds": round(export_seconds, 1),
        "bad_row": bad_row, "bad_seconds": round(bad_seconds, 1), "bad_ok": bad_ok,
        "bad_problems": bad_problems[:3],
        "status": job.status, "imported": imported, "created": job.created_count,
        "audit_row_count": entry.row_count if entry else None,
        "seconds": round(import_seconds, 1), "read_seconds": round(read_seconds, 1), "read_rows": read_rows,
        "encrypt_seconds": round(encrypt_seconds, 1),
        "server_cpu_seconds": None if server_seconds is None else round(server_seconds, 1),
        "copy_seconds": round(copy_seconds, 1),
        "ok": bad_ok and job.status == "done" and imported == rows and bool(entry) and entry.row_count == rows,
    }
