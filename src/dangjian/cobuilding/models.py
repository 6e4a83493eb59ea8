"""Co-building (区域化党建): the units located in an area (驻区单位) and how a Party
organisation covers them, the 党建指导员 sent to them, co-building agreements (共建协议,
三所共建), alliances (党建联盟, 区域党建共同体) and units reporting to their community
(单位到社区报到).

Scope. A unit belongs to the community (or street) Party organisation of its area: `org`
is the open organisation whose `area` is the unit's area or the nearest area above it
(the shallowest such organisation: the community committee rather than a grid branch;
`services.owner_org_for_area`). So a community secretary sees the units in the
community, a street secretary those of every community of the street, and scope is the
usual `org__path` range. The covering Party organisation (`covering_org`) may lie
anywhere (a non-public enterprise's own branch sits under a park committee, say); it is
what the coverage figures count, not what scope follows.

Unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters, the last a
checksum (`uscc.py`). Required for enterprises (国有企业, 非公企业), which always hold one
since the 2015 reform; optional for the others (a 机关 or a small 社会组织 registered
long ago may not have one on file). When given it must be valid and unique.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dangjian.core.concurrency import VersionedModel
from dangjian.core.scope import ScopedQuerySet, scope_paths
from dangjian.core.tree import subtree_q


class UnitKind(models.TextChoices):
    ORGAN = "organ", _("机关")
    SOE = "soe", _("国有企业")
    SCHOOL = "school", _("学校")
    HOSPITAL = "hospital", _("医院")
    PRIVATE = "private", _("非公企业")
    SOCIAL_ORG = "social_org", _("社会组织")
    OTHER = "other", _("其他")


# Kinds that must carry a unified social credit code.
CODE_REQUIRED_KINDS = (UnitKind.SOE, UnitKind.PRIVATE)


class Coverage(models.TextChoices):
    OWN = "own", _("单独组建党组织")
    JOINT = "joint", _("联合组建党组织")
    INSTRUCTOR = "instructor", _("选派党建指导员覆盖")
    NONE = "none", _("未覆盖")


# Coverages that need the covering Party organisation named.
ORG_COVERAGES = (Coverage.OWN, Coverage.JOINT)
COVERED = (Coverage.OWN, Coverage.JOINT, Coverage.INSTRUCTOR)


class UnitQuerySet(ScopedQuerySet):
    scope_path_field = "org__path"

    def active(self):
        return self.filter(closed_on__isnull=True)


class Unit(VersionedModel):
    """A unit located in an area (驻区单位): an organ, SOE, school, hospital, enterprise,
    social organisation or other, and how a Party organisation covers it."""

    name = models.CharField(_("单位名称"), max_length=200)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    kind = models.CharField(_("单位类型"), max_length=16, choices=UnitKind.choices, db_index=True)
    staff_size = models.PositiveIntegerField(_("从业人员数"), null=True, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    area = models.ForeignKey("orgs.Area", verbose_name=_("所在区域"), on_delete=models.PROTECT, related_name="units")
    org = models.ForeignKey("orgs.Org", verbose_name=_("属地党组织"), on_delete=models.PROTECT,
                            related_name="local_units")
    coverage = models.CharField(_("党组织覆盖方式"), max_length=16, choices=Coverage.choices, default=Coverage.NONE,
                                db_index=True)
    covering_org = models.ForeignKey("orgs.Org", verbose_name=_("覆盖党组织"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="covered_units")
    contact_name = models.CharField(_("联系人"), max_length=60, blank=True)
    closed_on = models.DateField(_("迁出/注销日期"), null=True, blank=True)
    search_text = models.CharField(max_length=400, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("驻区单位")
        verbose_name_plural = _("驻区单位")
        ordering = ["org__path", "name", "id"]
        indexes = [
            models.Index(fields=["org", "kind", "coverage"], name="unit_org_kind_cov_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["credit_code"], condition=~Q(credit_code=""),
                                    name="unit_credit_code_unique"),
            models.CheckConstraint(
                condition=~Q(coverage__in=["own", "joint"]) | Q(covering_org__isnull=False),
                name="unit_org_coverage_names_org"),
            models.CheckConstraint(
                condition=~Q(coverage="none") | Q(covering_org__isnull=True),
                name="unit_uncovered_has_no_org"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("cobuilding:unit_detail", args=[self.pk])

    @property
    def is_covered(self):
        return self.coverage in COVERED


# 党建指导员 ------------------------------------------------------------------------------

class InstructorQuerySet(ScopedQuerySet):
    scope_path_field = "org__path"


class PartyInstructor(VersionedModel):
    """A 党建指导员 (often a retired cadre) sent by an organisation (`org`, the sending
    unit's Party organisation, whose scope holds the record) to "two new" units. The person
    is a member of the registry or a person record outside it: exactly one of the two."""

    member = models.ForeignKey("orgs.Member", verbose_name=_("党员"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="instructor_records")
    person = models.ForeignKey("orgs.Person", verbose_name=_("非登记人员"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="instructor_records")
    org = models.ForeignKey("orgs.Org", verbose_name=_("选派党组织"), on_delete=models.PROTECT,
                            related_name="party_instructors")
    former_post = models.CharField(_("原任职务"), max_length=120, blank=True)
    record = models.TextField(_("个人简历"), blank=True)
    appointed_on = models.DateField(_("选派日期"))
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = InstructorQuerySet.as_manager()

    class Meta:
        verbose_name = _("党建指导员")
        verbose_name_plural = _("党建指导员")
        ordering = ["org__path", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(member__isnull=False, person__isnull=True) | Q(member__isnull=True, person__isnull=False),
                name="instructor_one_holder"),
        ]

    def __str__(self):
        return str(self.holder)

    def get_absolute_url(self):
        return reverse("cobuilding:instructor_detail", args=[self.pk])

    @property
    def holder(self):
        return self.member if self.member_id else self.person

    @property
    def name(self):
        return self.holder.name


class AssignmentQuerySet(ScopedQuerySet):
    """Seen from the unit's side and from the sending organisation's side."""

    scope_path_field = "unit__org__path"

    def visible_to(self, user, action="view"):
        paths = scope_paths(user, action)
        if not paths:
            return self.none()
        return self.filter(subtree_q("unit__org__path", paths) | subtree_q("instructor__org__path", paths))

    def current(self, on=None):
        from django.utils import timezone

        on = on or timezone.localdate()
        return self.filter(Q(start_on__lte=on), Q(end_on__isnull=True) | Q(end_on__gte=on))


class InstructorAssignment(models.Model):
    """An instructor assigned to a unit from `start_on` to an optional `end_on`."""

    instructor = models.ForeignKey(PartyInstructor, verbose_name=_("党建指导员"), on_delete=models.CASCADE,
                                   related_name="assignments")
    unit = models.ForeignKey(Unit, verbose_name=_("驻区单位"), on_delete=models.PROTECT,
                             related_name="instructor_assignments")
    start_on = models.DateField(_("开始日期"))
    end_on = models.DateField(_("结束日期"), null=True, blank=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("指导员派驻")
        verbose_name_plural = _("指导员派驻")
        ordering = ["-start_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(end_on__isnull=True) | Q(end_on__gte=models.F("start_on")),
                                   name="assignment_end_after_start"),
        ]

    def __str__(self):
        return f"{self.instructor} → {self.unit}"


class Rating(models.TextChoices):
    EXCELLENT = "excellent", _("优秀")
    GOOD = "good", _("良好")
    FAIR = "fair", _("一般")
    POOR = "poor", _("较差")


class ReviewQuerySet(ScopedQuerySet):
    scope_path_field = "assignment__unit__org__path"

    def visible_to(self, user, action="view"):
        paths = scope_paths(user, action)
        if not paths:
            return self.none()
        return self.filter(subtree_q("assignment__unit__org__path", paths)
                           | subtree_q("assignment__instructor__org__path", paths))


class InstructorReview(models.Model):
    """A periodic review of an assignment: the unit's evaluation of its instructor and the
    sending organisation's review, one row per assignment and period."""

    assignment = models.ForeignKey(InstructorAssignment, verbose_name=_("指导员派驻"), on_delete=models.CASCADE,
                                   related_name="reviews")
    period = models.CharField(_("考评周期"), max_length=20, help_text=_("如 2026 或 2026上半年"))
    unit_rating = models.CharField(_("单位评价"), max_length=12, choices=Rating.choices, blank=True)
    unit_comment = models.TextField(_("单位评价意见"), blank=True)
    sender_rating = models.CharField(_("选派单位考评"), max_length=12, choices=Rating.choices, blank=True)
    sender_comment = models.TextField(_("选派单位考评意见"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        verbose_name = _("指导员考评")
        verbose_name_plural = _("指导员考评")
        ordering = ["-period", "id"]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "period"], name="review_one_per_period"),
        ]


# Agreements and alliances ---------------------------------------------------------------

class AgreementKind(models.TextChoices):
    GENERAL = "general", _("共建协议")
    THREE_OFFICES = "three_offices", _("三所共建")


class PartyRole(models.TextChoices):
    PARTNER = "partner", _("共建单位")
    LAW_FIRM = "law_firm", _("律师事务所")
    POLICE_STATION = "police_station", _("派出所")
    JUDICIAL_OFFICE = "judicial_office", _("司法所")


THREE_OFFICE_ROLES = (PartyRole.LAW_FIRM, PartyRole.POLICE_STATION, PartyRole.JUDICIAL_OFFICE)


class AgreementQuerySet(ScopedQuerySet):
    scope_path_field = "org__path"


class Agreement(VersionedModel):
    """A co-building agreement (共建协议) between a community or street Party organisation
    (`org`) and one or more units, for a period, with commitments on both sides."""

    org = models.ForeignKey("orgs.Org", verbose_name=_("社区/街道党组织"), on_delete=models.PROTECT,
                            related_name="cobuilding_agreements")
    kind = models.CharField(_("协议类型"), max_length=16, choices=AgreementKind.choices, default=AgreementKind.GENERAL)
    title = models.CharField(_("协议名称"), max_length=200)
    start_on = models.DateField(_("开始日期"))
    end_on = models.DateField(_("结束日期"))
    signed_on = models.DateField(_("签订日期"), null=True, blank=True)
    signed_file = models.FileField(_("签字文本"), upload_to="cobuilding/agreements/%Y/", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AgreementQuerySet.as_manager()

    class Meta:
        verbose_name = _("共建协议")
        verbose_name_plural = _("共建协议")
        ordering = ["-start_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(end_on__gte=models.F("start_on")), name="agreement_end_after_start"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("cobuilding:agreement_detail", args=[self.pk])


class AgreementParty(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="parties")
    unit = models.ForeignKey(Unit, verbose_name=_("驻区单位"), on_delete=models.PROTECT, related_name="agreement_parties")
    role = models.CharField(_("角色"), max_length=20, choices=PartyRole.choices, default=PartyRole.PARTNER)

    class Meta:
        verbose_name = _("协议单位")
        verbose_name_plural = _("协议单位")
        constraints = [models.UniqueConstraint(fields=["agreement", "unit"], name="agreement_party_once")]


class Commitment(models.Model):
    """One commitment of an agreement: by the Party organisation (`unit` empty) or by a unit."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="commitments")
    unit = models.ForeignKey(Unit, verbose_name=_("承诺单位"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="commitments")
    text = models.CharField(_("承诺事项"), max_length=300)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("共建承诺")
        verbose_name_plural = _("共建承诺")
        ordering = ["position", "id"]


class AllianceKind(models.TextChoices):
    ALLIANCE = "alliance", _("党建联盟")
    COMMUNITY = "community", _("区域党建共同体")


class AllianceQuerySet(ScopedQuerySet):
    scope_path_field = "lead_org__path"


class Alliance(VersionedModel):
    """A 党建联盟 or 区域党建共同体 led by a street organisation, of member organisations and units."""

    lead_org = models.ForeignKey("orgs.Org", verbose_name=_("牵头党组织"), on_delete=models.PROTECT,
                                 related_name="led_alliances")
    kind = models.CharField(_("类型"), max_length=16, choices=AllianceKind.choices, default=AllianceKind.ALLIANCE)
    name = models.CharField(_("名称"), max_length=200)
    founded_on = models.DateField(_("成立日期"))
    description = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AllianceQuerySet.as_manager()

    class Meta:
        verbose_name = _("党建联盟")
        verbose_name_plural = _("党建联盟")
        ordering = ["-founded_on", "id"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("cobuilding:alliance_detail", args=[self.pk])


class AllianceMember(models.Model):
    """A member of an alliance: a Party organisation or a unit, exactly one."""

    alliance = models.ForeignKey(Alliance, on_delete=models.CASCADE, related_name="members")
    org = models.ForeignKey("orgs.Org", verbose_name=_("成员党组织"), null=True, blank=True, on_delete=models.PROTECT,
                            related_name="alliance_memberships")
    unit = models.ForeignKey(Unit, verbose_name=_("成员单位"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="alliance_memberships")
    joined_on = models.DateField(_("加入日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("联盟成员")
        verbose_name_plural = _("联盟成员")
        constraints = [
            models.CheckConstraint(
                condition=Q(org__isnull=False, unit__isnull=True) | Q(org__isnull=True, unit__isnull=False),
                name="alliance_member_one_kind"),
            models.UniqueConstraint(fields=["alliance", "org"], name="alliance_org_once"),
            models.UniqueConstraint(fields=["alliance", "unit"], name="alliance_unit_once"),
        ]


# 单位到社区报到 --------------------------------------------------------------------------

class ReportStatus(models.TextChoices):
    PENDING = "pending", _("待接收")
    ACCEPTED = "accepted", _("已报到")
    DECLINED = "declined", _("未接收")
    ENDED = "ended", _("已结束")


OPEN_REPORT_STATUSES = (ReportStatus.PENDING, ReportStatus.ACCEPTED)


class UnitReportQuerySet(ScopedQuerySet):
    scope_path_field = "community__path"

    def visible_to(self, user, action="view"):
        """Reports to a community in scope, and reports of units in scope (the unit's own
        local organisation or its covering Party organisation registered them)."""
        paths = scope_paths(user, action)
        if not paths:
            return self.none()
        return self.filter(subtree_q("community__path", paths) | subtree_q("unit__org__path", paths)
                           | subtree_q("unit__covering_org__path", paths))


class UnitReport(models.Model):
    """A unit reports to a community (单位到社区报到): registered by the unit's Party
    organisation or by the community, accepted by the community. A unit reports to one
    community at a time (one pending or accepted report)."""

    unit = models.ForeignKey(Unit, verbose_name=_("驻区单位"), on_delete=models.PROTECT, related_name="reports")
    community = models.ForeignKey("orgs.Org", verbose_name=_("报到社区党组织"), on_delete=models.PROTECT,
                                  related_name="unit_reports")
    status = models.CharField(_("状态"), max_length=12, choices=ReportStatus.choices, default=ReportStatus.PENDING,
                              db_index=True)
    offer = models.TextField(_("可提供的资源与服务"), blank=True)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+")
    registered_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    decided_at = models.DateTimeField(_("接收时间"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)

    objects = UnitReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("单位报到")
        verbose_name_plural = _("单位报到")
        ordering = ["-registered_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["unit"], condition=Q(status__in=["pending", "accepted"]),
                                    name="unit_reports_to_one_community"),
        ]

    def __str__(self):
        return f"{self.unit} → {self.community}"

    def get_absolute_url(self):
        return reverse("cobuilding:unit_detail", args=[self.unit_id])
