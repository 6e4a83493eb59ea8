"""core's own inbox sections: finished imports (the user's ImportJobs of the last days)
and, for system administrators, open complaints and suggestions."""

import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from dangjian.core.scope import has_global
from dangjian.core.spreadsheets.models import ImportJob

from . import ENTRY_LIMIT, Entry, Section
from .models import Feedback

IMPORT_DAYS = 7


def finished_imports(user, *, entries):
    since = timezone.now() - datetime.timedelta(days=IMPORT_DAYS)
    jobs = ImportJob.objects.filter(owner=user, finished_at__gte=since,
                                    status__in=[ImportJob.Status.DONE, ImportJob.Status.FAILED])
    section = Section(key="imports", title=_("导入已完成"), count=jobs.count(), routine=True,
                      hint=_("最近%(days)d天完成的导入，查看结果或问题清单。") % {"days": IMPORT_DAYS})
    if entries and section.count:
        rows = jobs.only("id", "kind", "filename", "status", "created_count", "problem_count")[:ENTRY_LIMIT]
        section.entries = [
            Entry(title=job.filename or job.kind, url=reverse("import_job", args=[job.pk]),
                  note=(ngettext("新建%(n)d条", "新建%(n)d条", job.created_count) % {"n": job.created_count}) if job.status == ImportJob.Status.DONE
                  else (ngettext("%(n)d个问题，未导入", "%(n)d个问题，未导入", job.problem_count) % {"n": job.problem_count}),
                  late=job.status == ImportJob.Status.FAILED)
            for job in rows]
    return [section]


def open_feedback(user, *, entries):
    if not has_global(user, "manage_accounts"):
        return []
    rows = Feedback.objects.filter(handled_at__isnull=True)
    section = Section(key="feedback", title=_("待处理的投诉建议"), count=rows.count(), url=reverse("feedback_list"),
                      hint=_("用户从页面底部提交的投诉和建议。"))
    if entries and section.count:
        section.entries = [Entry(title=f"{item.get_kind_display()}：{item.text[:60]}", url=reverse("feedback_list"),
                                 note=item.created_at.strftime("%Y-%m-%d %H:%M"))
                           for item in rows.only("id", "kind", "text", "created_at")[:ENTRY_LIMIT]]
    return [section]
