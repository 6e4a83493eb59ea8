import datetime

from django.core.management.base import BaseCommand, CommandError

from dangjian.lists import services, tasks


class Command(BaseCommand):
    help = "提醒临近截止的措施，并向上级通报逾期措施（可重复运行，同一提醒只发一次）。"

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=7, help="截止前多少天提醒（默认7天）")
        parser.add_argument("--today", help="按指定日期运行（YYYY-MM-DD），用于补跑")
        parser.add_argument("--enqueue", action="store_true", help="交给后台任务队列执行，而不是在本进程执行")

    def handle(self, *args, days, today, enqueue, **options):
        if days < 0:
            raise CommandError("--days must not be negative")
        try:
            day = datetime.date.fromisoformat(today) if today else None
        except ValueError:
            raise CommandError("--today must be YYYY-MM-DD")
        if enqueue:
            result = tasks.sweep_deadlines.enqueue(today=today, days=days)
            self.stdout.write(f"enqueued {result.id}")
            return
        services.sweep_deadlines(today=day, days=days, stdout=self.stdout)
