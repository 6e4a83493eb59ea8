"""在职党员双报到 and the 党建超市 (DOMAIN.md §5; articles 001, 003).

- MemberReport: an in-service member reports to the community where they live; the
  community accepts. One active report per member (a partial unique constraint).
- ServiceItem / Booking: the community or the street publishes an item with slots
  (平台约到); reported members book it; attendance is recorded by the organiser or
  confirmed by the member (网格签到); what they did is their 实绩.
- Resource / Demand / Claim: two-way claiming (双向认领); a claim becomes a project with a
  measure in the community's project list (lists).

Cross-subtree rule: a report, a booking or a claim is seen from several subtrees (the
community that receives the service, the member's own branch and employer organisation),
so their querysets' `visible_to` is a union of path ranges. What each side may see of the
member is the pages' business: the community sees the name, the masked phone, the offer
and the service, never the member's record.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dangjian.cobuilding import models as cobuilding_models
from dangjian.core.scope import ScopedQuerySet, scope_paths
from dangjian.core.tree import subtree_q


def _union(user, action, fields, own_member_field=None):
    """Q for rows where any of `fields` (org path lookups) lies in the user's subtrees for
    `action`, or (for `view`) where the row is the user's own member's."""
    paths = scope_paths(user, action)
    q = None
    if paths:
        for field in fields:
            part = subtree_q(field, paths)
            q = part if q is None else q | part
    own = getattr(user, "member_id", None) if own_member_field and action == "view" else None
    if own:
        q = Q(**{own_member_field: own}) if q is None else q | Q(**{own_member_field: own})
    return q


class UnionScopedQuerySet(ScopedQuerySet):
    """Seen from several subtrees: `scope_path_fields` (the first is where the row is held)."""

    scope_path_fields = ("org__path",)
    own_member_field = None

    def visible_to(self, user, action="view"):
        q = _union(user, action, self.scope_path_fields, self.own_member_field)
        return self.none() if q is None else self.filter(q)


# A member's report to a community goes through the same states as a unit's (双报到).
ReportStatus = cobuilding_models.ReportStatus
ACTIVE_REPORT = cobuilding_models.OPEN_REPORT_STATUSES


class MemberReportQuerySet(UnionScopedQuerySet):
    # The community that receives the member, the member's own branch and employer organisation.
    scope_path_fields = ("community__path", "member__org__path", "member__employer_org__path")
    own_member_field = "member_id"

    def visible_to(self, user, action="view"):
        """As the union of path ranges, but below a whole tree as three id subqueries: on
        nantong's PostgreSQL a district's reports count in ~60 ms instead of ~740 ms (the
        OR across three joins scans every report). A grant at a root keeps the joins,
        which one pass over the reports answers faster there."""
        from dangjian.orgs.models import Member, Org

        paths = scope_paths(user, action)
        if not paths or all(len(path) == Org.steplen for path in paths):
            return super().visible_to(user, action)
        q = (Q(community_id__in=Org.objects.filter(subtree_q("path", paths)).values("id"))
             | Q(member_id__in=Member.objects.filter(subtree_q("org__path", paths)).values("id"))
             | Q(member_id__in=Member.objects.filter(subtree_q("employer_org__path", paths)).values("id")))
        own = getattr(user, "member_id", None) if action == "view" else None
        if own:
            q |= Q(member_id=own)
        return self.filter(q)

    def received_by(self, user, action="view"):
        """Reports the user sees as the receiving community (not through the member's branch)."""
        paths = scope_paths(user, action)
        return self.filter(subtree_q("community__path", paths)) if paths else self.none()

    def active(self):
        return self.filter(status__in=ACTIVE_REPORT)


class MemberReport(models.Model):
    """在职党员到社区报到: the member offers service to the community where they live."""

    member = models.ForeignKey("orgs.Member", verbose_name=_("党员"), on_delete=models.PROTECT,
                               related_name="community_reports")
    community = models.ForeignKey("orgs.Org", verbose_name=_("报到社区"), on_delete=models.PROTECT,
                                  related_name="member_reports")
    offer = models.TextField(_("可提供的服务"), blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=ReportStatus.choices, default=ReportStatus.PENDING,
                              db_index=True)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+")
    registered_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    decided_at = models.DateTimeField(_("接收时间"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    note = models.CharField(_("说明"), max_length=200, blank=True)

    objects = MemberReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("在职党员报到")
        verbose_name_plural = _("在职党员报到")
        ordering = ["-registered_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["member"], condition=Q(status__in=["pending", "accepted"]),
                                    name="cs_one_active_report"),
        ]
        indexes = [models.Index(fields=["community", "status"], name="cs_report_comm_status_idx")]

    def __str__(self):
        return f"{self.member.name} → {self.community.name}"

    @property
    def org(self):
        return self.community

    def get_absolute_url(self):
        return reverse("community_service:report_detail", args=[self.pk])


class ItemKind(models.TextChoices):
    NEED = "need", _("服务需求")
    ACTIVITY = "activity", _("志愿活动")
    POST = "post", _("服务岗位")


class ServiceItemQuerySet(ScopedQuerySet):
    scope_path_field = "org__path"


class ServiceItem(models.Model):
    """党建超市: an item the community or the street publishes, with slots (平台约到)."""

    org = models.ForeignKey("orgs.Org", verbose_name=_("发布组织"), on_delete=models.PROTECT,
                            related_name="service_items")
    kind = models.CharField(_("类型"), max_length=12, choices=ItemKind.choices, default=ItemKind.ACTIVITY)
    title = models.CharField(_("名称"), max_length=120)
    description = models.TextField(_("说明"), blank=True)
    place = models.CharField(_("地点"), max_length=120)
    starts_on = models.DateField(_("日期"))
    time_text = models.CharField(_("时间"), max_length=40, blank=True)
    capacity = models.PositiveIntegerField(_("名额"))
    cancelled = models.BooleanField(_("已取消"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ServiceItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("服务项目")
        verbose_name_plural = _("服务项目")
        ordering = ["-starts_on", "-id"]
        indexes = [models.Index(fields=["org", "starts_on"], name="cs_item_org_date_idx")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("community_service:item_detail", args=[self.pk])


class Attendance(models.TextChoices):
    UNKNOWN = "", _("未记录")
    PRESENT = "present", _("已到")
    ABSENT = "absent", _("未到")


class BookingQuerySet(UnionScopedQuerySet):
    # The organiser, the member's branch and employer org, the unit's Party organisations.
    scope_path_fields = ("item__org__path", "member__org__path", "member__employer_org__path",
                         "unit__covering_org__path")
    own_member_field = "member_id"

    def live(self):
        return self.filter(cancelled=False)

    def attended(self):
        return self.filter(cancelled=False, attendance=Attendance.PRESENT)


class Booking(models.Model):
    """A reported member's (or a unit's) booking of a service item, and what came of it."""

    item = models.ForeignKey(ServiceItem, verbose_name=_("服务项目"), on_delete=models.CASCADE,
                             related_name="bookings")
    member = models.ForeignKey("orgs.Member", verbose_name=_("党员"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="service_bookings")
    unit = models.ForeignKey("cobuilding.Unit", verbose_name=_("驻区单位"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="service_bookings")
    cancelled = models.BooleanField(_("已取消"), default=False)
    attendance = models.CharField(_("签到"), max_length=8, choices=Attendance.choices, blank=True, default="")
    attendance_by_self = models.BooleanField(_("本人确认"), default=False)
    attendance_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    service = models.TextField(_("服务实绩"), blank=True)
    booked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    booked_at = models.DateTimeField(_("预约时间"), auto_now_add=True)

    objects = BookingQuerySet.as_manager()

    class Meta:
        verbose_name = _("服务预约")
        verbose_name_plural = _("服务预约")
        ordering = ["item", "booked_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["item", "member"], condition=Q(cancelled=False),
                                    name="cs_booking_member_once"),
            models.UniqueConstraint(fields=["item", "unit"], condition=Q(cancelled=False),
                                    name="cs_booking_unit_once"),
            models.CheckConstraint(condition=Q(member__isnull=False, unit__isnull=True)
                                   | Q(member__isnull=True, unit__isnull=False), name="cs_booking_one_party"),
        ]

    def __str__(self):
        return f"{self.who} · {self.item.title}"

    @property
    def who(self):
        return self.member.name if self.member_id else self.unit.name

    @property
    def org(self):
        return self.item.org


class EntryStatus(models.TextChoices):
    OPEN = "open", _("待认领")
    CLAIMED = "claimed", _("已认领")
    CLOSED = "closed", _("已关闭")


class CommunityEntryQuerySet(ScopedQuerySet):
    scope_path_field = "community__path"


class CommunityEntry(models.Model):
    """What a community's resource and demand share: the community that lists them, a text,
    the claiming state and when they were listed. A subclass adds its `title` (each with its
    own label) and where the entry comes from; both are claimed the same way (`Claim`)."""

    community = models.ForeignKey("orgs.Org", verbose_name=_("社区"), on_delete=models.PROTECT,
                                  related_name="cs_%(class)ss")
    description = models.TextField(_("说明"), blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=EntryStatus.choices, default=EntryStatus.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CommunityEntryQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.title

    @property
    def org(self):
        return self.community


class Resource(CommunityEntry):
    """资源清单: what a unit or a reported member offers a community."""

    title = models.CharField(_("资源"), max_length=120)
    member = models.ForeignKey("orgs.Member", verbose_name=_("提供党员"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="cs_resources")
    unit = models.ForeignKey("cobuilding.Unit", verbose_name=_("提供单位"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="cs_resources")
    provider_name = models.CharField(_("提供方"), max_length=120, blank=True)

    class Meta(CommunityEntry.Meta):
        verbose_name = _("资源")
        verbose_name_plural = _("资源清单")


class Demand(CommunityEntry):
    """需求清单: what the community needs (from residents' requests or its own survey)."""

    title = models.CharField(_("需求"), max_length=120)
    source = models.CharField(_("来源"), max_length=60, blank=True)
    # A demand may come from a resident's request (微邻里): the link, never the resident's data.
    request = models.ForeignKey("resident_requests.Request", verbose_name=_("来自居民诉求"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="cs_demands")

    class Meta(CommunityEntry.Meta):
        verbose_name = _("需求")
        verbose_name_plural = _("需求清单")


class ClaimQuerySet(ScopedQuerySet):
    scope_path_field = "community__path"

    def done(self):
        return self.filter(done_at__isnull=False)


class Claim(models.Model):
    """双向认领: a unit claims a demand, or the community claims a resource. Each claim is a
    project with a measure in the community's project list."""

    community = models.ForeignKey("orgs.Org", verbose_name=_("社区"), on_delete=models.PROTECT,
                                  related_name="cs_claims")
    demand = models.ForeignKey(Demand, verbose_name=_("需求"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="claims")
    resource = models.ForeignKey(Resource, verbose_name=_("资源"), null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="claims")
    claimant_name = models.CharField(_("认领方"), max_length=120)
    unit = models.ForeignKey("cobuilding.Unit", verbose_name=_("认领单位"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="cs_claims")
    project = models.ForeignKey("lists.Project", verbose_name=_("项目"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    measure = models.ForeignKey("lists.Measure", verbose_name=_("措施"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    deadline = models.DateField(_("完成期限"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("认领时间"), auto_now_add=True)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    result = models.TextField(_("完成情况"), blank=True)

    objects = ClaimQuerySet.as_manager()

    class Meta:
        verbose_name = _("认领")
        verbose_name_plural = _("认领")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["demand"], condition=Q(demand__isnull=False),
                                    name="cs_demand_claimed_once"),
            models.UniqueConstraint(fields=["resource"], condition=Q(resource__isnull=False),
                                    name="cs_resource_claimed_once"),
            models.CheckConstraint(condition=Q(demand__isnull=False) | Q(resource__isnull=False),
                                   name="cs_claim_of_something"),
        ]

    def __str__(self):
        return str(self.demand or self.resource)

    @property
    def org(self):
        return self.community

    def get_absolute_url(self):
        return reverse("community_service:claim_detail", args=[self.pk])


# 吹哨报到 ----------------------------------------------------------------------------------

class WhistleQuerySet(ScopedQuerySet):
    scope_path_field = "street__path"


class Whistle(models.Model):
    """The street blows the whistle on a problem: what, where, by when, which units."""

    street = models.ForeignKey("orgs.Org", verbose_name=_("吹哨街道"), on_delete=models.PROTECT,
                               related_name="cs_whistles")
    title = models.CharField(_("事项"), max_length=120)
    description = models.TextField(_("说明"), blank=True)
    place = models.CharField(_("地点"), max_length=120)
    due_at = models.DateTimeField(_("报到时限"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("吹哨时间"), auto_now_add=True)

    objects = WhistleQuerySet.as_manager()

    class Meta:
        verbose_name = _("吹哨")
        verbose_name_plural = _("吹哨报到")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.title

    @property
    def org(self):
        return self.street

    def get_absolute_url(self):
        return reverse("community_service:whistle_detail", args=[self.pk])


class WhistleCallQuerySet(UnionScopedQuerySet):
    scope_path_fields = ("whistle__street__path", "unit__org__path", "unit__covering_org__path")


class WhistleCall(models.Model):
    """A unit called by a whistle: its answer, its arrival and the result."""

    whistle = models.ForeignKey(Whistle, verbose_name=_("吹哨"), on_delete=models.CASCADE, related_name="calls")
    unit = models.ForeignKey("cobuilding.Unit", verbose_name=_("驻区单位"), on_delete=models.PROTECT,
                             related_name="cs_whistle_calls")
    answered_at = models.DateTimeField(_("响应时间"), null=True, blank=True)
    arrived_at = models.DateTimeField(_("到场时间"), null=True, blank=True)
    result = models.TextField(_("处置结果"), blank=True)
    result_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)

    objects = WhistleCallQuerySet.as_manager()

    class Meta:
        verbose_name = _("报到单位")
        verbose_name_plural = _("报到单位")
        ordering = ["whistle", "id"]
        constraints = [models.UniqueConstraint(fields=["whistle", "unit"], name="cs_whistle_unit_once")]

    def __str__(self):
        return f"{self.unit} · {self.whistle}"

    @property
    def org(self):
        return self.whistle.street

    @property
    def on_time(self):
        return self.arrived_at is not None and self.arrived_at <= self.whistle.due_at
