"""`dangjian duties_rollover [--start YYYY-MM-DD] [--end YYYY-MM-DD]`: derive the duties the
rules imply for the periods overlapping [start, end] (default: the periods holding today)
and bring statuses up to date. Idempotent: run it as often as you like (daily from cron or
the task queue: `dangjian.duties.tasks.rollover`)."""

import datetime

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "派生本期应履职事项（幂等）"

    def add_arguments(self, parser):
        parser.add_argument("--start", help="YYYY-MM-DD")
        parser.add_argument("--end", help="YYYY-MM-DD")

    def handle(self, *, start, end, **options):
        from django.core.exceptions import ValidationError

        from dangjian.duties import services

        try:
            start_day = datetime.date.fromisoformat(start) if start else None
            end_day = datetime.date.fromisoformat(end) if end else None
            created = services.roll_over(period_start=start_day, period_end=end_day)
        except (ValueError, ValidationError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"新增应履职事项 {created} 项")
