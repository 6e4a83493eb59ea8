import datetime

from django.core.management.base import BaseCommand, CommandError

from dangjian.resident_requests import services, tasks


class Command(BaseCommand):
    help = "超过办理时限的居民诉求逐级升级督办（网格→社区→街道→区），并关闭确认期已过的诉求（可重复运行）。"

    def add_arguments(self, parser):
        parser.add_argument("--now", help="按指定时间运行（ISO 8601，带时区），用于补跑")
        parser.add_argument("--enqueue", action="store_true", help="交给后台任务队列执行，而不是在本进程执行")

    def handle(self, *args, now=None, enqueue=False, **options):
        when = None
        if now:
            try:
                when = datetime.datetime.fromisoformat(now)
            except ValueError:
                raise CommandError("--now must be an ISO 8601 datetime") from None
            if when.tzinfo is None:
                raise CommandError("--now needs a time zone, e.g. 2026-12-01T09:00:00+08:00")
        if enqueue:
            result = tasks.escalate_requests.enqueue(now=now)
            self.stdout.write(f"enqueued {result.id}")
            return
        escalated, closed = services.request_escalate_due(now=when)
        self.stdout.write(f"escalated {escalated}, closed {closed}")
