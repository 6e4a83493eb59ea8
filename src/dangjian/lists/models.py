"""Lists (清单) and the "工程项目化、项目措施化、措施精准化" chain: a List holds
Programmes (工程), Projects (项目) and Measures (措施); a Measure is the unit that has a
responsible organisation and person, a deadline, a target, progress and acceptance.

A level may be skipped: a task list can hold measures directly, a project list can
hold projects without a programme. Roll-up always goes measure → project → programme →
list over what is there (see rollup.py).
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.core.concurrency import VersionedModel
from dangjian.core.scope import ScopedQuerySet


class ListKind(models.TextChoices):
    RESPONSIBILITY = "responsibility", _("责任清单")
    TASK = "task", _("任务清单")
    PROJECT = "project", _("项目清单")
    COMMITMENT = "commitment", _("承诺清单")


class Averaging(models.TextChoices):
    WEIGHTED = "weighted", _("加权平均")
    PLAIN = "plain", _("简单平均")


class MissingProgress(models.TextChoices):
    EXCLUDE = "exclude", _("不计入（未报进度的不参与平均）")
    ZERO = "zero", _("按0%计入")


class MeasureStatus(models.TextChoices):
    PLANNED = "planned", _("未开始")
    IN_PROGRESS = "in_progress", _("推进中")
    SUBMITTED = "submitted", _("待验收")
    RETURNED = "returned", _("退回整改")
    ACCEPTED = "accepted", _("已验收")


# Statuses in which a measure still has work to do: these can be overdue.
OPEN_STATUSES = (MeasureStatus.PLANNED, MeasureStatus.IN_PROGRESS, MeasureStatus.RETURNED)

MIN_WEIGHT = 0
MAX_WEIGHT = 100


# The seeded domains' names in the page's language (the rows keep the Simplified Chinese name).
DOMAIN_LABELS = {
    "central_city": _("中心城市建设"), "efficiency": _("效能建设"), "rural_prosperity": _("强村富民"),
    "grassroots_governance": _("基层治理"), "civilisation": _("文明实践"), "ecology": _("生态环保"),
}


class ProgrammeDomain(models.Model):
    """A "党建+" programme domain. The six Xuzhou domains (六位一体) are seeded by a
    migration; a programme may also stand without a domain."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=60, unique=True)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("工程领域")
        verbose_name_plural = _("工程领域")
        ordering = ["position", "id"]

    def __str__(self):
        return str(DOMAIN_LABELS.get(self.code, self.name))


class ListQuerySet(ScopedQuerySet):
    scope_path_field = "org__path"

    def published(self):
        return self.filter(is_public=True, published_at__isnull=False)


class List(VersionedModel):
    """A list owned by an organisation for a period (a year or a custom span)."""

    org = models.ForeignKey("orgs.Org", verbose_name=_("所属组织"), on_delete=models.PROTECT, related_name="lists")
    kind = models.CharField(_("清单类型"), max_length=20, choices=ListKind.choices, db_index=True)
    title = models.CharField(_("清单名称"), max_length=200)
    period_start = models.DateField(_("开始日期"))
    period_end = models.DateField(_("结束日期"))
    description = models.TextField(_("说明"), blank=True)
    averaging = models.CharField(_("汇总方式"), max_length=12, choices=Averaging.choices, default=Averaging.WEIGHTED)
    # Burden rule: silence is not punished. An unreported item is "not counted" unless the
    # list says otherwise.
    missing_progress = models.CharField(_("未报进度的事项"), max_length=12, choices=MissingProgress.choices,
                                        default=MissingProgress.EXCLUDE)
    is_public = models.BooleanField(_("公示"), default=False)
    published_at = models.DateTimeField(_("首次公示时间"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    search_text = models.CharField(max_length=400, blank=True, editable=False)

    objects = ListQuerySet.as_manager()

    class Meta:
        verbose_name = _("清单")
        verbose_name_plural = _("清单")
        ordering = ["-period_start", "org__path", "id"]
        indexes = [models.Index(fields=["org", "kind", "period_start"], name="list_org_kind_idx")]

    def __str__(self):
        return self.title

    @property
    def was_published(self):
        """Once published, every change is kept as a revision shown on the public page."""
        return self.published_at is not None


class ProgrammeQuerySet(ScopedQuerySet):
    scope_path_field = "org__path"


class Programme(VersionedModel):
    """工程: a "党建+" programme inside a list, optionally in one of the seeded domains."""

    list = models.ForeignKey(List, verbose_name=_("清单"), on_delete=models.CASCADE, related_name="programmes")
    org = models.ForeignKey("orgs.Org", verbose_name=_("牵头组织"), on_delete=models.PROTECT,
                            related_name="programmes")
    domain = models.ForeignKey(ProgrammeDomain, verbose_name=_("工程领域"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="programmes")
    title = models.CharField(_("工程名称"), max_length=200)
    description = models.TextField(_("说明"), blank=True)
    weight = models.DecimalField(_("权重"), max_digits=5, decimal_places=2, default=1)
    position = models.PositiveIntegerField(_("顺序"), default=0)

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        verbose_name = _("工程")
        verbose_name_plural = _("工程")
        ordering = ["list", "position", "id"]

    def __str__(self):
        return self.title


class ProjectQuerySet(ScopedQuerySet):
    scope_path_field = "org__path"


class Project(VersionedModel):
    """项目: inside a programme or directly in a list. A secretary project (书记项目) is led
    by the organisation's secretary."""

    list = models.ForeignKey(List, verbose_name=_("清单"), on_delete=models.CASCADE, related_name="projects")
    programme = models.ForeignKey(Programme, verbose_name=_("所属工程"), null=True, blank=True,
                                  on_delete=models.CASCADE, related_name="projects")
    org = models.ForeignKey("orgs.Org", verbose_name=_("牵头组织"), on_delete=models.PROTECT, related_name="projects")
    title = models.CharField(_("项目名称"), max_length=200)
    description = models.TextField(_("说明"), blank=True)
    is_secretary_project = models.BooleanField(_("书记项目"), default=False, db_index=True)
    leader = models.ForeignKey("orgs.Member", verbose_name=_("牵头人"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="led_projects")
    weight = models.DecimalField(_("权重"), max_digits=5, decimal_places=2, default=1)
    position = models.PositiveIntegerField(_("顺序"), default=0)
    is_public = models.BooleanField(_("公示"), default=True)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("项目")
        verbose_name_plural = _("项目")
        ordering = ["list", "position", "id"]

    def __str__(self):
        return self.title


class MeasureQuerySet(ScopedQuerySet):
    scope_path_field = "org__path"

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, today=None):
        today = today or timezone.localdate()
        return self.open().filter(deadline__lt=today)

    def due_soon(self, days=7, today=None):
        today = today or timezone.localdate()
        return self.open().filter(deadline__gte=today, deadline__lte=today + datetime.timedelta(days=days))

    def public(self):
        return self.filter(is_public=True, list__is_public=True, list__published_at__isnull=False).filter(
            Q(project__isnull=True) | Q(project__is_public=True))


class Measure(VersionedModel):
    """措施: what a responsible organisation and person will do by a deadline, the target
    that says when it is done, and its weight in the project. `progress`, `has_progress`
    and `status` are kept by the services from the progress reports and reviews."""

    list = models.ForeignKey(List, verbose_name=_("清单"), on_delete=models.CASCADE, related_name="measures")
    project = models.ForeignKey(Project, verbose_name=_("所属项目"), null=True, blank=True,
                                on_delete=models.CASCADE, related_name="measures")
    org = models.ForeignKey("orgs.Org", verbose_name=_("责任组织"), on_delete=models.PROTECT, related_name="measures")
    responsible = models.ForeignKey("orgs.Member", verbose_name=_("责任人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="responsible_measures")
    title = models.CharField(_("措施"), max_length=300)
    target = models.TextField(_("目标（完成标准）"))
    target_value = models.DecimalField(_("目标值"), max_digits=14, decimal_places=2, null=True, blank=True)
    target_unit = models.CharField(_("单位"), max_length=20, blank=True)
    start_on = models.DateField(_("开始日期"))
    deadline = models.DateField(_("截止日期"))
    weight = models.DecimalField(_("权重"), max_digits=5, decimal_places=2, default=1)
    status = models.CharField(_("状态"), max_length=16, choices=MeasureStatus.choices, default=MeasureStatus.PLANNED)
    progress = models.DecimalField(_("进度（%）"), max_digits=5, decimal_places=2, default=0)
    progress_value = models.DecimalField(_("已完成值"), max_digits=14, decimal_places=2, null=True, blank=True)
    has_progress = models.BooleanField(_("已报进度"), default=False)
    # Kept by the services (services.refresh_shares) whenever weights, the tree, the list's
    # rules or has_progress change: the product of the shares along this measure's path,
    # so that a subtree's completion is Σ(share × progress) / Σ(share) in one GROUP BY.
    share = models.FloatField(_("在清单中的占比"), default=0, editable=False)
    # A key of core.metrics: the progress is computed from the platform's records
    # (lists.services.refresh_bound_measures) and nobody reports it.
    metric = models.CharField(_("平台指标"), max_length=60, blank=True, db_index=True)
    last_reported_at = models.DateTimeField(_("最近报告时间"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("提交验收时间"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("验收时间"), null=True, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("验收人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    is_public = models.BooleanField(_("公示"), default=True)
    position = models.PositiveIntegerField(_("顺序"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    search_text = models.CharField(max_length=400, blank=True, editable=False)

    objects = MeasureQuerySet.as_manager()

    class Meta:
        verbose_name = _("措施")
        verbose_name_plural = _("措施")
        ordering = ["list", "position", "id"]
        indexes = [
            models.Index(fields=["status", "deadline"], name="measure_status_deadline_idx"),
            models.Index(fields=["org", "status"], name="measure_org_status_idx"),
            models.Index(fields=["list", "project"], name="measure_list_project_idx"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_open(self):
        return self.status in OPEN_STATUSES

    @property
    def is_overdue(self):
        return self.is_open and self.deadline < timezone.localdate()

    @property
    def days_left(self):
        return (self.deadline - timezone.localdate()).days

    @property
    def days_overdue(self):
        return max(-self.days_left, 0)


class ProgressReportQuerySet(ScopedQuerySet):
    scope_path_field = "measure__org__path"


class ProgressReport(models.Model):
    """进展: percent (or value reached, from which the percent is computed), what was done,
    who reported and when. Evidence files are optional."""

    measure = models.ForeignKey(Measure, verbose_name=_("措施"), on_delete=models.CASCADE, related_name="reports")
    percent = models.DecimalField(_("进度（%）"), max_digits=5, decimal_places=2)
    value = models.DecimalField(_("已完成值"), max_digits=14, decimal_places=2, null=True, blank=True)
    note = models.TextField(_("进展情况"), blank=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    reported_by_name = models.CharField(_("报告人"), max_length=60, blank=True)
    reported_at = models.DateTimeField(_("报告时间"), default=timezone.now)

    objects = ProgressReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("进展")
        verbose_name_plural = _("进展")
        ordering = ["-reported_at", "-id"]

    def __str__(self):
        return f"{self.measure} {self.percent}%"


class EvidenceKind(models.TextChoices):
    PHOTO = "photo", _("照片")
    DOCUMENT = "document", _("文件")


class EvidenceQuerySet(ScopedQuerySet):
    scope_path_field = "report__measure__org__path"


class Evidence(models.Model):
    """佐证材料: a photo or file attached to a progress report (never required)."""

    report = models.ForeignKey(ProgressReport, verbose_name=_("进展"), on_delete=models.CASCADE,
                               related_name="evidence")
    file = models.FileField(_("文件"), upload_to="evidence/%Y/%m/")
    name = models.CharField(_("文件名"), max_length=200)
    kind = models.CharField(_("类型"), max_length=12, choices=EvidenceKind.choices)
    content_type = models.CharField(max_length=80)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")
        ordering = ["id"]

    def __str__(self):
        return self.name


class ReviewDecision(models.TextChoices):
    ACCEPTED = "accepted", _("验收通过")
    RETURNED = "returned", _("退回")


class ReviewQuerySet(ScopedQuerySet):
    scope_path_field = "measure__org__path"


class Review(models.Model):
    """A decision of the level above on a measure: accepted (验收) or sent back with a reason."""

    measure = models.ForeignKey(Measure, verbose_name=_("措施"), on_delete=models.CASCADE, related_name="reviews")
    decision = models.CharField(_("结论"), max_length=12, choices=ReviewDecision.choices)
    reason = models.TextField(_("意见"), blank=True)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    reviewer_name = models.CharField(_("审核人"), max_length=60, blank=True)
    reviewer_org = models.ForeignKey("orgs.Org", verbose_name=_("审核组织"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField(_("审核时间"), default=timezone.now)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        verbose_name = _("验收记录")
        verbose_name_plural = _("验收记录")
        ordering = ["-reviewed_at", "-id"]


class Revision(models.Model):
    """A change made to a list or its items after the list was first published. Public
    pages show these, so a published item cannot be changed silently."""

    list = models.ForeignKey(List, verbose_name=_("清单"), on_delete=models.CASCADE, related_name="revisions")
    object_type = models.CharField(_("对象"), max_length=20)
    object_id = models.PositiveBigIntegerField()
    object_repr = models.CharField(_("事项"), max_length=300)
    changes = models.JSONField(_("变更内容"), default=dict)
    reason = models.TextField(_("变更原因"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    created_at = models.DateTimeField(_("变更时间"), default=timezone.now)

    class Meta:
        verbose_name = _("公示变更记录")
        verbose_name_plural = _("公示变更记录")
        ordering = ["-created_at", "-id"]


class NotificationQuerySet(models.QuerySet):
    def for_user(self, user):
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(recipient=user)

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """An in-app notification. `key` makes sweeps idempotent: the same reminder for the
    same recipient is written once however often the sweep runs."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("类型"), max_length=40)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(max_length=300, blank=True)
    key = models.CharField(max_length=200)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["recipient", "key"], name="notification_once_per_key")]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread_idx")]

    def __str__(self):
        return self.title
