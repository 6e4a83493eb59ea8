"""`dangjian audit verify | prune --before DATE | export --since DATE --format jsonl`."""

import datetime
import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from dangjian.core import audit, context
from dangjian.core.models import AuditEntry

EXPORT_FIELDS = ("id", "time", "actor_id", "actor_name", "request_id", "client_ip", "action", "object_type",
                 "object_id", "object_repr", "org_path", "before", "after", "row_count", "prev_hash", "entry_hash")


def verify():
    """Every break in the chain, plus a check that the oldest rows left only by `prune`."""
    problems = audit.verify_chain()
    first = AuditEntry.objects.order_by("id").only("id", "prev_hash").first()
    if first is not None and first.prev_hash:
        prune = AuditEntry.objects.filter(action="prune").order_by("-id").first()
        anchor = (prune.after or {}) if prune else {}
        if anchor.get("first_kept_id") != first.id or anchor.get("first_kept_prev_hash") != first.prev_hash:
            problems.insert(0, (first.id, "entries before it were removed without `dangjian audit prune`"))
    return problems


def _date(text, name):
    try:
        day = datetime.date.fromisoformat(text)
    except (TypeError, ValueError):
        raise CommandError(f"{name} must be a date, YYYY-MM-DD") from None
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class Command(BaseCommand):
    help = "Verify, prune or export the audit log."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sub.add_parser("verify", help="check the keyed hash chain; exit 1 on any break")
        prune = sub.add_parser("prune", help="delete entries older than DATE (only past the retention)")
        prune.add_argument("--before", required=True, help="YYYY-MM-DD")
        prune.add_argument("--dry-run", action="store_true")
        export = sub.add_parser("export", help="write entries for a log server")
        export.add_argument("--since", help="YYYY-MM-DD (inclusive)")
        export.add_argument("--until", help="YYYY-MM-DD (exclusive)")
        export.add_argument("--after-id", type=int, default=0, help="only entries with a larger id (incremental)")
        export.add_argument("--format", choices=["jsonl"], default="jsonl")
        export.add_argument("-o", "--output", help="file (default: standard output)")

    def handle(self, *args, subcommand, **options):
        with context.job(f"audit-{subcommand}"):
            return getattr(self, f"_{subcommand}")(**options)

    def _verify(self, **options):
        problems = verify()
        total = AuditEntry.objects.count()
        if problems:
            for entry_id, problem in problems:
                self.stderr.write(f"entry {entry_id}: {problem}")
            raise CommandError(f"audit chain broken at {len(problems)} place(s): ids "
                               + ", ".join(str(entry_id) for entry_id, _ in problems))
        self.stdout.write(f"audit chain intact: {total} entries")

    def _prune(self, before, dry_run=False, **options):
        cutoff = _date(before, "--before")
        days = max(settings.DANGJIAN_AUDIT_RETENTION_DAYS, 180)
        limit = timezone.now() - datetime.timedelta(days=days)
        if cutoff > limit:
            raise CommandError(f"entries are kept {days} days: --before must be on or before "
                               f"{timezone.localdate(limit).isoformat()}")
        # Prune by an id boundary, not by time: everything before the first entry at or after
        # the cutoff goes, so the entries kept are one unbroken stretch of the chain.
        boundary = AuditEntry.objects.filter(time__gte=cutoff).order_by("id").values_list("id", flat=True).first()
        doomed = AuditEntry.objects.filter(id__lt=boundary) if boundary is not None else AuditEntry.objects.all()
        count = doomed.count()
        if dry_run:
            self.stdout.write(f"{count} entries would be pruned")
            return
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [audit._CHAIN_LOCK])
                    cursor.execute("SELECT set_config('dangjian.audit_prune_before', %s, true)", [cutoff.isoformat()])
            boundary = AuditEntry.objects.filter(time__gte=cutoff).order_by("id").values_list("id", flat=True).first()
            with connection.cursor() as cursor:
                if boundary is None:
                    cursor.execute(f"DELETE FROM {AuditEntry._meta.db_table}")
                else:
                    cursor.execute(f"DELETE FROM {AuditEntry._meta.db_table} WHERE id < %s", [boundary])
                deleted = cursor.rowcount
            first = AuditEntry.objects.order_by("id").only("id", "prev_hash").first()
            audit.record(actor=None, action="prune", object_type="core.auditentry", row_count=deleted, after={
                "before": cutoff.isoformat(),
                "first_kept_id": first.id if first else None,
                "first_kept_prev_hash": first.prev_hash if first else "",
            })
        self.stdout.write(f"pruned {deleted} entries older than {before}")

    def _export(self, since=None, until=None, after_id=0, output=None, **options):
        entries = AuditEntry.objects.filter(id__gt=after_id).order_by("id")
        if since:
            entries = entries.filter(time__gte=_date(since, "--since"))
        if until:
            entries = entries.filter(time__lt=_date(until, "--until"))
        stream = open(output, "w", encoding="utf-8") if output else None
        count, last_id = 0, after_id
        try:
            for row in entries.values(*EXPORT_FIELDS).iterator(chunk_size=2000):
                line = json.dumps(row, cls=DjangoJSONEncoder, ensure_ascii=False)
                if stream:
                    stream.write(line + "\n")
                else:
                    self.stdout.write(line)
                count, last_id = count + 1, row["id"]
        finally:
            if stream:
                stream.close()
        audit.record(actor=None, action="export", object_type="core.auditentry", row_count=count,
                     after={"since": since, "until": until, "after_id": after_id, "last_id": last_id})
        if output:
            self.stdout.write(f"exported {count} entries to {output} (last id {last_id})")
