"""Residents' requests (微邻里): 一口受理、分口办结、一站督导.

A resident submits a Request (category, place, description, photos). It lands in the
intake queue of the community or grid organisation whose area holds the place (`org`);
whoever accepts it becomes its first handler (首办责任制) and stays responsible until it
closes. The handler dispatches it to a DispatchUnit (community office, street department,
property company, owners' committee, co-building unit); past its deadline it escalates one
level at a time (grid → community → street → district). Every step is a RequestEvent.

Scope: a request belongs to `org` (its path is the scope path); a dispatch unit to its org.
"""

import base64
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dangjian.core import crypto
from dangjian.core.scope import ScopedQuerySet
from dangjian.core.tree import subtree_q

from . import access


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("待受理")
    ACCEPTED = "accepted", _("已受理")
    DISPATCHED = "dispatched", _("已派单")
    IN_PROGRESS = "in_progress", _("办理中")
    NEED_INFO = "need_info", _("待补充信息")
    HANDED_BACK = "handed_back", _("被退回")
    RESOLVED = "resolved", _("已办结待确认")
    CLOSED = "closed", _("已关闭")


# A request in one of these still waits for work: it can be overdue and it escalates.
OPEN_STATUSES = (Status.SUBMITTED, Status.ACCEPTED, Status.DISPATCHED, Status.IN_PROGRESS, Status.NEED_INFO,
                 Status.HANDED_BACK)
DONE_STATUSES = (Status.RESOLVED, Status.CLOSED)


class Channel(models.TextChoices):
    WEB = "web", _("居民网页")
    STAFF = "staff", _("全程代办")
    PHONE = "phone", _("电话")
    IN_PERSON = "in_person", _("现场")
    MEASURE = "measure", _("清单公示提意见")
    OPEN311 = "open311", _("Open311接口")


class UnitKind(models.TextChoices):
    COMMUNITY_OFFICE = "community_office", _("社区办公室")
    STREET_DEPARTMENT = "street_department", _("街道部门")
    PROPERTY_COMPANY = "property_company", _("物业公司")
    OWNERS_COMMITTEE = "owners_committee", _("业主委员会")
    COBUILDING_UNIT = "cobuilding_unit", _("共建单位")


class DispatchUnitQuerySet(ScopedQuerySet):
    scope_path_field = "org__path"


class DispatchUnit(models.Model):
    """A unit that handles dispatched requests; it belongs to an organisation's subtree."""

    name = models.CharField(_("名称"), max_length=120)
    kind = models.CharField(_("类型"), max_length=24, choices=UnitKind.choices, db_index=True)
    org = models.ForeignKey("orgs.Org", verbose_name=_("所属组织"), on_delete=models.PROTECT,
                            related_name="dispatch_units")
    contact = models.CharField(_("联系人"), max_length=60, blank=True)
    active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DispatchUnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("承办单位")
        verbose_name_plural = _("承办单位")
        ordering = ["org__path", "kind", "name"]

    def __str__(self):
        return self.name


class Category(models.Model):
    """A kind of request, with its default unit kind and deadline (hours, or working days
    counted with the holiday calendar)."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    description = models.CharField(_("说明"), max_length=300, blank=True)
    active = models.BooleanField(_("启用"), default=True)
    default_unit_kind = models.CharField(_("默认承办单位类型"), max_length=24, choices=UnitKind.choices, blank=True)
    default_unit = models.ForeignKey(DispatchUnit, verbose_name=_("默认承办单位"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    deadline_hours = models.PositiveIntegerField(_("办理时限（小时）"), null=True, blank=True)
    deadline_working_days = models.PositiveSmallIntegerField(_("办理时限（工作日）"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("诉求类别")
        verbose_name_plural = _("诉求类别")
        ordering = ["position", "id"]

    def __str__(self):
        return self.name


class HolidayKind(models.TextChoices):
    HOLIDAY = "holiday", _("法定节假日")
    WORKDAY = "workday", _("调休上班")


class Holiday(models.Model):
    """The calendar as data: a public holiday (no work) or an adjusted working day (a
    weekend day worked). Other days: Monday to Friday work, Saturday and Sunday not."""

    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=10, choices=HolidayKind.choices)
    name = models.CharField(_("名称"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("节假日")
        verbose_name_plural = _("节假日")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {self.name}"


class RequestQuerySet(ScopedQuerySet):
    scope_path_field = "org__path"

    def visible_to(self, user, action="view"):
        """Requests in the subtrees where `user` handles requests (grid workers, secretaries,
        party affairs workers, organisation administrators); other actions as the grants say."""
        paths = access.paths(user, action)
        if not paths:
            return self.none()
        return self.filter(subtree_q(self.scope_path_field, paths))

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)


TRACKING_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
TRACKING_LENGTH = 16
# base32 of 10 random bytes is 16 symbols of 5 bits each; map them onto the alphabet above.
_FROM_BASE32 = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", TRACKING_ALPHABET)


def new_tracking_code():
    """16 characters from an alphabet without look-alikes (no 0/O, 1/I): 80 random bits."""
    return base64.b32encode(secrets.token_bytes(10)).decode().translate(_FROM_BASE32)


class Request(models.Model):
    """A resident's request (诉求)."""

    number = models.CharField(_("编号"), max_length=20, unique=True)
    tracking_code = models.CharField(max_length=32, unique=True, default=new_tracking_code, editable=False)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    channel = models.CharField(_("渠道"), max_length=12, choices=Channel.choices, default=Channel.WEB)
    category = models.ForeignKey(Category, verbose_name=_("类别"), on_delete=models.PROTECT, related_name="requests")
    # The place: the area the resident chose (a community, grid, building or unit) and,
    # for figures, the community and grid that hold it.
    area = models.ForeignKey("orgs.Area", verbose_name=_("地点"), on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey("orgs.Area", verbose_name=_("社区"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    grid = models.ForeignKey("orgs.Area", verbose_name=_("网格"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    address = models.CharField(_("详细地址"), max_length=200, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    description = models.TextField(_("诉求内容"))
    # The resident: name and phone encrypted at rest; staff pages show the masked forms.
    name_encrypted = models.TextField(blank=True, editable=False)
    name_masked = models.CharField(_("联系人"), max_length=60, blank=True, editable=False)
    phone_encrypted = models.TextField(blank=True, editable=False)
    phone_masked = models.CharField(_("联系电话"), max_length=20, blank=True, editable=False)
    share_location = models.BooleanField(_("共享照片位置"), default=False)
    linked_measure = models.ForeignKey("lists.Measure", verbose_name=_("关联清单措施"), null=True, blank=True,
                                       on_delete=models.SET_NULL, related_name="resident_requests")
    # 一口受理: the community or grid organisation whose area holds the place.
    org = models.ForeignKey("orgs.Org", verbose_name=_("受理组织"), on_delete=models.PROTECT,
                            related_name="resident_requests")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("代办人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField(_("提交时间"), db_index=True)
    # 首办责任制: whoever accepts stays responsible until it closes.
    first_handler = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("首办责任人"), null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="+")
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    unit = models.ForeignKey(DispatchUnit, verbose_name=_("承办单位"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="requests")
    dispatched_at = models.DateTimeField(_("派单时间"), null=True, blank=True)
    deadline_at = models.DateTimeField(_("办理时限"), null=True, blank=True)
    # 一站督导: how many levels above `org` it has climbed, and the org whose inbox holds it.
    escalation_level = models.PositiveSmallIntegerField(_("督办层级"), default=0)
    escalated_to = models.ForeignKey("orgs.Org", verbose_name=_("督办组织"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    escalated_at = models.DateTimeField(_("升级时间"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    resolution = models.TextField(_("办理结果"), blank=True)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("居民确认时间"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("重新办理次数"), default=0)
    rating = models.PositiveSmallIntegerField(_("满意度评分"), null=True, blank=True)
    rated_at = models.DateTimeField(_("评价时间"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("居民诉求")
        verbose_name_plural = _("居民诉求")
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["org", "submitted_at"], name="request_org_submitted_idx"),
            models.Index(fields=["status", "deadline_at"], name="request_status_deadline_idx"),
            models.Index(fields=["escalated_to", "status"], name="request_escalated_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                                   name="request_rating_1_5"),
        ]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("resident_requests:request_detail", args=[self.pk])

    @property
    def phone(self):
        return crypto.decrypt(self.phone_encrypted)

    @property
    def contact_name(self):
        return crypto.decrypt(self.name_encrypted)

    @property
    def is_open(self):
        return self.status in OPEN_STATUSES

    @property
    def tracking_code_display(self):
        code = self.tracking_code
        return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


class RequestCounter(models.Model):
    """The last public number given out per year (R2026-000123)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)


class PhotoQuerySet(ScopedQuerySet):
    scope_path_field = "request__org__path"


class RequestPhoto(models.Model):
    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("照片"), upload_to="requests/%Y/%m/")
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = PhotoQuerySet.as_manager()

    class Meta:
        verbose_name = _("诉求照片")
        verbose_name_plural = _("诉求照片")
        ordering = ["id"]


class EventKind(models.TextChoices):
    SUBMITTED = "submitted", _("提交")
    ACCEPTED = "accepted", _("受理")
    DISPATCHED = "dispatched", _("派单")
    UNIT_ACCEPTED = "unit_accepted", _("承办单位接单")
    NEED_INFO = "need_info", _("要求补充信息")
    INFO_ADDED = "info_added", _("补充信息")
    HANDED_BACK = "handed_back", _("承办单位退回")
    ESCALATED = "escalated", _("超时升级督办")
    COMMENT = "comment", _("督办意见")
    REASSIGNED = "reassigned", _("改派")
    EXTENDED = "extended", _("延期")
    RESOLVED = "resolved", _("办结")
    CONFIRMED = "confirmed", _("居民确认")
    REOPENED = "reopened", _("居民要求重新办理")
    RATED = "rated", _("居民评价")
    VISITED = "visited", _("回访")
    CLOSED = "closed", _("关闭")


# Steps the resident sees on the tracking page (never names or notes of staff).
PUBLIC_EVENTS = {EventKind.SUBMITTED, EventKind.ACCEPTED, EventKind.DISPATCHED, EventKind.UNIT_ACCEPTED,
                 EventKind.NEED_INFO, EventKind.INFO_ADDED, EventKind.ESCALATED, EventKind.EXTENDED,
                 EventKind.RESOLVED, EventKind.CONFIRMED, EventKind.REOPENED, EventKind.RATED, EventKind.CLOSED}


class EventQuerySet(ScopedQuerySet):
    scope_path_field = "request__org__path"


class RequestEvent(models.Model):
    """One step in a request's timeline."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("事项"), max_length=16, choices=EventKind.choices)
    at = models.DateTimeField(_("时间"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("经办人"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    unit = models.ForeignKey(DispatchUnit, verbose_name=_("承办单位"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    org = models.ForeignKey("orgs.Org", verbose_name=_("组织"), null=True, blank=True,
                            on_delete=models.SET_NULL, related_name="+")
    note = models.TextField(_("说明"), blank=True)
    # Plain words the resident may read on the tracking page (no staff names, no notes
    # that could name other residents); empty for internal steps.
    public_note = models.CharField(_("公开说明"), max_length=300, blank=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("诉求办理记录")
        verbose_name_plural = _("诉求办理记录")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.request_id} {self.kind}"
