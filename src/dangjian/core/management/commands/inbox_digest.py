import datetime

from django.core.management.base import BaseCommand

from dangjian.core import context
from dangjian.core.inbox import services


class Command(BaseCommand):
    help = ("Send each user's to-do digest for the period they chose (daily, or weekly on Mondays); "
            "run it daily from cron. Idempotent: one digest per user and period.")

    def add_arguments(self, parser):
        parser.add_argument("--today", type=datetime.date.fromisoformat, default=None)

    def handle(self, *args, today=None, **options):
        with context.job("digest"):
            services.digests_send(today=today, stdout=self.stdout)
