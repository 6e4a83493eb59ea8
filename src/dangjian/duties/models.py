"""Duties (三会一课, 主题党日 …) derived from rules, and the activity records that fulfil them.

A DutyRule is versioned: editing it adds a DutyRuleVersion valid from a date, and every
Occurrence keeps the version it was derived from, so a change never rewrites the past.
Occurrences are derived (services.roll_over), never typed; their status follows the
activity records (services.recompute), or for a duty with no activity kind (a free-form
duty such as 年度部署党建工作) its fulfilment record.

A rule whose version names `post_kinds` is a duty of post holders, not of organisations:
one occurrence per (organisation, post held there), fulfilled by an activity of the kind
the holder chaired.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dangjian.core import uploads
from dangjian.core.scope import ScopedQuerySet


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("每月")
    QUARTERLY = "quarterly", _("每季度")
    HALF_YEARLY = "half_yearly", _("每半年")
    YEARLY = "yearly", _("每年")


class OccurrenceStatus(models.TextChoices):
    DUE = "due", _("待开展")
    FULFILLED = "fulfilled", _("已开展")
    LATE = "late", _("逾期")
    EXCUSED = "excused", _("已免除")


class FileKind(models.TextChoices):
    PHOTO = uploads.PHOTO, _("照片")
    DOCUMENT = uploads.DOCUMENT, _("文件")


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("出席")
    ABSENT = "absent", _("缺席")
    LEAVE = "leave", _("请假")


# 三会一课: 支部党员大会, 支委会, 党小组会 and 党课.
THREE_MEETINGS = ("member_assembly", "committee_meeting", "group_meeting", "party_lecture")
THEME_DAY = "theme_day"


class ActivityKind(models.Model):
    """A kind of meeting or activity (seeded by the migration; data, not code)."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=60, unique=True)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("活动类型")
        verbose_name_plural = _("活动类型")
        ordering = ["position", "id"]

    def __str__(self):
        return self.name


class DutyRule(models.Model):
    """What must happen, for which organisations, how often. Its terms live in versions."""

    title = models.CharField(_("规则名称"), max_length=120)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("职责规则")
        verbose_name_plural = _("职责规则")
        ordering = ["id"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("duties:rule_list")


class DutyRuleVersion(models.Model):
    rule = models.ForeignKey(DutyRule, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("版本"), default=1)
    kind = models.ForeignKey(ActivityKind, verbose_name=_("活动类型"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("职责名称"), max_length=120, blank=True)
    org_kinds = models.JSONField(_("适用组织类别"), default=list, blank=True)
    sectors = models.JSONField(_("适用领域"), default=list, blank=True)
    levels = models.JSONField(_("适用层级"), default=list, blank=True)
    # orgs.PostKind values: the duty is each holder's of such a post (empty: the organisation's).
    post_kinds = models.JSONField(_("适用职务"), default=list, blank=True)
    root = models.ForeignKey("orgs.Org", verbose_name=_("适用范围（组织及下级）"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    frequency = models.CharField(_("频次"), max_length=16, choices=Frequency.choices)
    times = models.PositiveSmallIntegerField(_("每期次数"), default=1)
    valid_from = models.DateField(_("生效日期"))
    valid_to = models.DateField(_("失效日期"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("职责规则版本")
        verbose_name_plural = _("职责规则版本")
        ordering = ["rule", "valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "number"], name="duty_rule_version_number"),
            models.CheckConstraint(condition=Q(times__gte=1), name="duty_rule_version_times"),
        ]

    def __str__(self):
        return self.label

    @property
    def label(self):
        return self.title or (self.kind.name if self.kind_id else self.rule.title)

    @property
    def applies_text(self):
        from dangjian.orgs.models import HanyangLevel, OrgKind, Sector

        parts = []
        for values, choices in ((self.org_kinds, OrgKind), (self.sectors, Sector), (self.levels, HanyangLevel)):
            labels = dict(choices.choices)
            if values:
                parts.append("、".join(str(labels.get(v, v)) for v in values))
        if self.root_id:
            parts.append(_("%(org)s及下级") % {"org": self.root.name})
        text = "；".join(str(p) for p in parts) or str(_("全部组织"))
        if self.post_kinds:
            text = _("%(orgs)s的%(posts)s（个人职责）") % {"orgs": text, "posts": self.posts_text}
        return str(text)

    @property
    def posts_text(self):
        from dangjian.orgs.models import PostKind

        labels = dict(PostKind.choices)
        return "、".join(str(labels.get(v, v)) for v in self.post_kinds)

    def applies_to(self, org):
        if self.org_kinds and org.kind not in self.org_kinds:
            return False
        if self.sectors and org.sector not in self.sectors:
            return False
        if self.levels and org.hanyang_level not in self.levels:
            return False
        if self.root_id and not org.path.startswith(self.root.path):
            return False
        return True


class OccurrenceQuerySet(ScopedQuerySet):
    scope_path_field = "org__path"


class Occurrence(models.Model):
    """One duty an organisation owes in one period (the n-th of the period's N)."""

    org = models.ForeignKey("orgs.Org", verbose_name=_("党组织"), on_delete=models.CASCADE,
                            related_name="duty_occurrences")
    rule = models.ForeignKey(DutyRule, verbose_name=_("规则"), on_delete=models.CASCADE, related_name="occurrences")
    # The post whose holder owes it (a rule for post holders); null: the organisation owes it.
    post = models.ForeignKey("orgs.Post", verbose_name=_("职务"), null=True, blank=True, on_delete=models.CASCADE,
                             related_name="duty_occurrences")
    version = models.ForeignKey(DutyRuleVersion, on_delete=models.PROTECT, related_name="occurrences")
    kind = models.ForeignKey(ActivityKind, verbose_name=_("活动类型"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    period_start = models.DateField(_("期间开始"))
    period_end = models.DateField(_("期间结束"))
    n = models.PositiveSmallIntegerField(_("序号"), default=1)
    due_date = models.DateField(_("应完成日期"))
    status = models.CharField(_("状态"), max_length=12, choices=OccurrenceStatus.choices,
                              default=OccurrenceStatus.DUE)
    fulfilled_on = models.DateField(_("开展日期"), null=True, blank=True)
    excused_reason = models.CharField(_("免除理由"), max_length=200, blank=True)
    excused_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    excused_at = models.DateTimeField(null=True, blank=True)
    activities = models.ManyToManyField("Activity", through="OccurrenceLink", related_name="occurrences")

    objects = OccurrenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("应履职事项")
        verbose_name_plural = _("应履职事项")
        ordering = ["period_start", "org__path", "rule_id", "n"]
        constraints = [
            # Two partial indexes rather than NULLS NOT DISTINCT, which SQLite lacks.
            models.UniqueConstraint(fields=["org", "rule", "period_start", "n"], condition=Q(post__isnull=True),
                                    name="duty_occurrence_unique"),
            models.UniqueConstraint(fields=["org", "rule", "period_start", "n", "post"],
                                    condition=Q(post__isnull=False), name="duty_occurrence_post_unique"),
        ]
        indexes = [
            models.Index(fields=["period_start", "org"], name="duty_occ_period_org_idx"),
            models.Index(fields=["org", "period_start"], name="duty_occ_org_period_idx"),
        ]

    def __str__(self):
        return f"{self.version.label} {self.period_start:%Y-%m}"

    @property
    def label(self):
        return self.version.label

    def get_absolute_url(self):
        return reverse("duties:org_duties", args=[self.org_id]) + f"?month={self.period_start:%Y-%m}"


class ActivityQuerySet(ScopedQuerySet):
    scope_path_field = "org__path"


class Activity(models.Model):
    """A meeting or activity held: the record that fulfils duties."""

    org = models.ForeignKey("orgs.Org", verbose_name=_("党组织"), on_delete=models.PROTECT,
                            related_name="activities")
    kinds = models.ManyToManyField(ActivityKind, verbose_name=_("活动类型"), related_name="activities")
    starts_at = models.DateTimeField(_("开展时间"))
    held_on = models.DateField(_("开展日期"), editable=False, db_index=True)
    place = models.CharField(_("地点"), max_length=120, blank=True)
    topic = models.CharField(_("主题"), max_length=200)
    chair = models.ForeignKey("orgs.Member", verbose_name=_("主持人"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    recorder = models.ForeignKey("orgs.Member", verbose_name=_("记录人"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    minutes = models.TextField(_("会议记录"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        verbose_name = _("组织生活记录")
        verbose_name_plural = _("组织生活记录")
        ordering = ["-starts_at", "id"]
        indexes = [models.Index(fields=["org", "held_on"], name="duty_activity_org_day_idx")]

    def __str__(self):
        return self.topic

    def get_absolute_url(self):
        return reverse("duties:activity_detail", args=[self.pk])


class StoredFile(models.Model):
    """A photo or file kept with a record (never required; checked by core.uploads)."""

    name = models.CharField(_("文件名"), max_length=200)
    kind = models.CharField(_("类型"), max_length=12, choices=FileKind.choices)
    content_type = models.CharField(max_length=80)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["id"]

    def __str__(self):
        return self.name

    @property
    def is_photo(self):
        return self.kind == FileKind.PHOTO


class ActivityFileQuerySet(ScopedQuerySet):
    scope_path_field = "activity__org__path"


class ActivityFile(StoredFile):
    activity = models.ForeignKey("Activity", verbose_name=_("活动记录"), on_delete=models.CASCADE,
                                 related_name="files")
    file = models.FileField(_("文件"), upload_to="activity_files/%Y/%m/")

    objects = ActivityFileQuerySet.as_manager()

    class Meta(StoredFile.Meta):
        verbose_name = _("活动照片和文件")
        verbose_name_plural = _("活动照片和文件")

    def get_absolute_url(self):
        return reverse("duties:activity_file", args=[self.pk])


class FulfilmentQuerySet(ScopedQuerySet):
    scope_path_field = "occurrence__org__path"


class Fulfilment(models.Model):
    """履职记录: what fulfils a duty no activity kind can (a free-form duty such as
    年度部署党建工作): when it was done, a note, optional files, who recorded it."""

    occurrence = models.OneToOneField(Occurrence, verbose_name=_("应履职事项"), on_delete=models.CASCADE,
                                      related_name="fulfilment")
    done_on = models.DateField(_("履职日期"))
    note = models.TextField(_("履职情况"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    recorded_by_name = models.CharField(_("登记人"), max_length=150, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = FulfilmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("履职记录")
        verbose_name_plural = _("履职记录")

    def __str__(self):
        return f"{self.occurrence} {self.done_on}"

    def get_absolute_url(self):
        return self.occurrence.get_absolute_url()


class FulfilmentFileQuerySet(ScopedQuerySet):
    scope_path_field = "fulfilment__occurrence__org__path"


class FulfilmentFile(StoredFile):
    fulfilment = models.ForeignKey(Fulfilment, verbose_name=_("履职记录"), on_delete=models.CASCADE,
                                   related_name="files")
    file = models.FileField(_("文件"), upload_to="fulfilment_files/%Y/%m/")

    objects = FulfilmentFileQuerySet.as_manager()

    class Meta(StoredFile.Meta):
        verbose_name = _("履职记录附件")
        verbose_name_plural = _("履职记录附件")

    def get_absolute_url(self):
        return reverse("duties:fulfilment_file", args=[self.pk])


class OccurrenceLink(models.Model):
    """An activity counted for an occurrence (one activity may fulfil several duties)."""

    occurrence = models.ForeignKey(Occurrence, on_delete=models.CASCADE, related_name="links")
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="links")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["occurrence", "activity"], name="duty_link_unique"),
            models.UniqueConstraint(fields=["occurrence"], name="duty_link_one_per_occurrence"),
        ]


class AttendanceQuerySet(ScopedQuerySet):
    scope_path_field = "activity__org__path"


class Attendance(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey("orgs.Member", verbose_name=_("党员"), on_delete=models.PROTECT,
                               related_name="duty_attendance")
    status = models.CharField(_("出席情况"), max_length=12, choices=AttendanceStatus.choices,
                              default=AttendanceStatus.PRESENT)
    reason = models.CharField(_("缺席/请假原因"), max_length=200, blank=True)
    is_guest = models.BooleanField(_("列席（外支部）"), default=False)

    objects = AttendanceQuerySet.as_manager()

    class Meta:
        verbose_name = _("出席记录")
        verbose_name_plural = _("出席记录")
        constraints = [models.UniqueConstraint(fields=["activity", "member"], name="duty_attendance_unique")]
        indexes = [models.Index(fields=["member", "activity"], name="duty_attendance_member_idx")]


class ThemeDayPlanQuerySet(ScopedQuerySet):
    scope_path_field = "org__path"


class ThemeDayPlan(models.Model):
    """A branch's published plan for one month's 主题党日: the schedule the records fill."""

    org = models.ForeignKey("orgs.Org", verbose_name=_("党组织"), on_delete=models.CASCADE,
                            related_name="theme_day_plans")
    month = models.DateField(_("月份"))  # the first day of the month
    planned_on = models.DateField(_("计划日期"))
    topic = models.CharField(_("计划主题"), max_length=200)

    objects = ThemeDayPlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("主题党日计划")
        verbose_name_plural = _("主题党日计划")
        ordering = ["org", "month"]
        constraints = [models.UniqueConstraint(fields=["org", "month"], name="duty_theme_plan_unique")]


class ComplianceThreshold(models.Model):
    """Green at or above `green`%, yellow at or above `yellow`%, else red. The row with no org
    is the city-wide default; an org's row applies to its subtree."""

    org = models.OneToOneField("orgs.Org", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    green = models.DecimalField(_("绿色下限（%）"), max_digits=5, decimal_places=2, default=90)
    yellow = models.DecimalField(_("黄色下限（%）"), max_digits=5, decimal_places=2, default=70)

    class Meta:
        verbose_name = _("达标阈值")
        verbose_name_plural = _("达标阈值")
        constraints = [
            models.CheckConstraint(condition=Q(yellow__lte=models.F("green")), name="duty_threshold_order"),
        ]


class CalendarToken(models.Model):
    """A secret calendar-feed URL for an org or a member; only the token's hash is kept."""

    org = models.ForeignKey("orgs.Org", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey("orgs.Member", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(org__isnull=False, member__isnull=True)
                                   | Q(org__isnull=True, member__isnull=False), name="duty_calendar_one_owner"),
        ]
