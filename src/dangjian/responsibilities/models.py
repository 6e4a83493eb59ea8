"""一岗双责: who bears which responsibility for an organisation's Party building, the
documents they sign, the "八个一" personal duties of leading cadres and their contact
points (联系点) with the visits made to them (article 002).

A leader is a member of the registry or, for a leader outside it, an `orgs.Person`:
exactly one of the two on every row that names one. A leader's records hang on the
organisation they lead (`org`), so they are visible where that organisation is."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dangjian.core.concurrency import VersionedModel
from dangjian.core.scope import ScopedQuerySet
from dangjian.orgs.models import Member, Org, Person


def _one_leader(name):
    return models.CheckConstraint(
        condition=Q(member__isnull=False, person__isnull=True) | Q(member__isnull=True, person__isnull=False),
        name=name)


class LeaderMixin(models.Model):
    """The leader a row names: a member, or a non-member person record."""

    member = models.ForeignKey(Member, verbose_name=_("党员"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    person = models.ForeignKey(Person, verbose_name=_("非党员领导"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")

    class Meta:
        abstract = True

    @property
    def leader(self):
        return self.member if self.member_id else self.person

    @property
    def leader_name(self):
        leader = self.leader
        return leader.name if leader is not None else ""

    def leader_url(self):
        if self.member_id:
            return reverse("responsibilities:leader_member", args=[self.member_id])
        return reverse("responsibilities:leader_person", args=[self.person_id])


class Level(models.TextChoices):
    PRIMARY = "primary", _("第一责任人")
    DIRECT = "direct", _("直接责任人")
    SPECIFIC = "specific", _("具体责任人")


# Levels in the order the article gives them (the codes do not sort that way).
LEVEL_ORDER = models.Case(models.When(level=Level.PRIMARY, then=0), models.When(level=Level.DIRECT, then=1),
                          default=2, output_field=models.IntegerField())


class ResponsibilityQuerySet(ScopedQuerySet):
    scope_path_field = "org__path"

    def current(self, on):
        return self.filter(Q(start_on__lte=on), Q(end_on__isnull=True) | Q(end_on__gte=on))


class Responsibility(VersionedModel, LeaderMixin):
    """一岗双责 of one leader for one organisation: the secretary's 第一责任, the party-affairs
    cadre's 直接责任, the other leaders' 具体责任 (for their portfolio), from a date."""

    org = models.ForeignKey(Org, verbose_name=_("党组织"), on_delete=models.PROTECT, related_name="responsibilities")
    level = models.CharField(_("责任类别"), max_length=12, choices=Level.choices, db_index=True)
    portfolio = models.CharField(_("分管工作"), max_length=120, blank=True)
    start_on = models.DateField(_("开始日期"))
    end_on = models.DateField(_("结束日期"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ResponsibilityQuerySet.as_manager()

    class Meta:
        verbose_name = _("一岗双责")
        verbose_name_plural = _("一岗双责")
        ordering = ["org", "level", "start_on", "id"]
        indexes = [models.Index(fields=["org", "level"], name="resp_org_level_idx")]
        constraints = [
            _one_leader("resp_one_leader"),
            models.CheckConstraint(condition=Q(end_on__isnull=True) | Q(end_on__gte=models.F("start_on")),
                                   name="resp_end_after_start"),
            # The service refuses any overlap; the database holds the open-ended case.
            models.UniqueConstraint(fields=["org"], condition=Q(level="primary", end_on__isnull=True),
                                    name="resp_one_open_primary"),
        ]

    def __str__(self):
        return f"{self.org} {self.get_level_display()} {self.leader_name}"

    def get_absolute_url(self):
        return reverse("responsibilities:org", args=[self.org_id])


class DocumentKind(models.TextChoices):
    PLEDGE = "pledge", _("责任书")
    COMMITMENT = "commitment", _("公开承诺")


class DocumentQuerySet(ScopedQuerySet):
    scope_path_field = "org__path"


class ResponsibilityDocument(VersionedModel, LeaderMixin):
    """A signed 责任书 or a 公开承诺: who signed for the organisation, with whom, when, what."""

    kind = models.CharField(_("类别"), max_length=12, choices=DocumentKind.choices, db_index=True)
    org = models.ForeignKey(Org, verbose_name=_("党组织"), on_delete=models.PROTECT, related_name="responsibility_documents")
    title = models.CharField(_("标题"), max_length=200)
    counterparty = models.CharField(_("签订对象"), max_length=120, blank=True)
    signed_on = models.DateField(_("签订日期"))
    summary = models.TextField(_("主要内容"), blank=True)
    file = models.FileField(_("附件"), upload_to="responsibilities/%Y/", blank=True)
    file_name = models.CharField(_("附件名"), max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("责任书与承诺")
        verbose_name_plural = _("责任书与承诺")
        ordering = ["-signed_on", "id"]
        indexes = [models.Index(fields=["org", "signed_on"], name="respdoc_org_signed_idx")]
        constraints = [_one_leader("respdoc_one_leader")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("responsibilities:document", args=[self.pk])


class LeaderDutyItem(VersionedModel):
    """One of the "八个一" personal duties of leading cadres. Data, not code: article 002
    names five; the organisation department adds the rest."""

    name = models.CharField(_("名称"), max_length=80, unique=True)
    times_per_year = models.PositiveSmallIntegerField(_("每年次数"), default=1)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("“八个一”事项")
        verbose_name_plural = _("“八个一”事项")
        ordering = ["position", "id"]

    def __str__(self):
        return self.name


class DutyRecordQuerySet(ScopedQuerySet):
    scope_path_field = "org__path"


class LeaderDutyRecord(LeaderMixin):
    """One fulfilment of a "八个一" duty by a leader of `org`."""

    org = models.ForeignKey(Org, verbose_name=_("所在党组织"), on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(LeaderDutyItem, verbose_name=_("事项"), on_delete=models.PROTECT, related_name="records")
    year = models.PositiveSmallIntegerField(_("年度"), db_index=True)
    done_on = models.DateField(_("日期"))
    summary = models.TextField(_("开展情况"))
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DutyRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("“八个一”落实记录")
        verbose_name_plural = _("“八个一”落实记录")
        ordering = ["-done_on", "id"]
        indexes = [models.Index(fields=["member", "year"], name="dutyrec_member_year_idx")]
        constraints = [_one_leader("dutyrec_one_leader")]

    def __str__(self):
        return f"{self.leader_name} {self.item} {self.done_on}"


class ContactPointQuerySet(ScopedQuerySet):
    scope_path_field = "org__path"

    def current(self, on):
        return self.filter(Q(since__lte=on), Q(until__isnull=True) | Q(until__gte=on))


class ContactPoint(VersionedModel, LeaderMixin):
    """党建工作联系点: the organisation a leader of `org` keeps as their contact point."""

    org = models.ForeignKey(Org, verbose_name=_("领导所在党组织"), on_delete=models.PROTECT,
                            related_name="contact_points")
    point_org = models.ForeignKey(Org, verbose_name=_("联系点"), on_delete=models.PROTECT, related_name="+")
    since = models.DateField(_("开始日期"))
    until = models.DateField(_("结束日期"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    last_visit_on = models.DateField(_("最近走访"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ContactPointQuerySet.as_manager()

    class Meta:
        verbose_name = _("党建工作联系点")
        verbose_name_plural = _("党建工作联系点")
        ordering = ["org", "id"]
        indexes = [models.Index(fields=["member"], name="cpoint_member_idx")]
        constraints = [
            _one_leader("cpoint_one_leader"),
            models.CheckConstraint(condition=Q(until__isnull=True) | Q(until__gte=models.F("since")),
                                   name="cpoint_until_after_since"),
        ]

    def __str__(self):
        return f"{self.leader_name} · {self.point_org}"

    def get_absolute_url(self):
        return reverse("responsibilities:point", args=[self.pk])


class VisitQuerySet(ScopedQuerySet):
    scope_path_field = "point__org__path"


class ContactVisit(models.Model):
    """One visit a leader made to their contact point: what was found and what follows."""

    point = models.ForeignKey(ContactPoint, verbose_name=_("联系点"), on_delete=models.CASCADE, related_name="visits")
    visited_on = models.DateField(_("走访日期"))
    summary = models.TextField(_("走访情况"))
    problems = models.TextField(_("发现问题"), blank=True)
    follow_up = models.TextField(_("整改跟进"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = VisitQuerySet.as_manager()

    class Meta:
        verbose_name = _("联系点走访")
        verbose_name_plural = _("联系点走访")
        ordering = ["-visited_on", "-id"]
        indexes = [models.Index(fields=["point", "visited_on"], name="cvisit_point_date_idx")]

    def __str__(self):
        return f"{self.point} {self.visited_on}"

    @property
    def org(self):
        return self.point.org
