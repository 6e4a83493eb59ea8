from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from dangjian.core import crypto
from dangjian.core.concurrency import VersionedModel
from dangjian.core.fields import PathField
from dangjian.core.scope import ScopedQuerySet, scope_paths
from dangjian.core.tree import subtree_q


class AreaKind(models.TextChoices):
    CITY = "city", _("市")
    DISTRICT = "district", _("区县")
    STREET = "street", _("街道")
    TOWN = "town", _("乡镇")
    COMMUNITY = "community", _("社区")
    VILLAGE = "village", _("村")
    GRID = "grid", _("网格")
    BUILDING = "building", _("楼栋")
    UNIT = "unit", _("单元")


class OrgKind(models.TextChoices):
    LOCAL_COMMITTEE = "local_committee", _("地方党委")
    WORKING_COMMITTEE = "working_committee", _("党工委")
    COMMITTEE = "committee", _("党委")
    GENERAL_BRANCH = "general_branch", _("党总支")
    BRANCH = "branch", _("党支部")
    GROUP = "group", _("党小组")


GRASSROOTS_KINDS = (OrgKind.COMMITTEE, OrgKind.GENERAL_BRANCH, OrgKind.BRANCH)


class Sector(models.TextChoices):
    RURAL = "rural", _("农村")
    URBAN_COMMUNITY = "urban_community", _("城市社区")
    ORGAN = "organ", _("机关")
    INSTITUTION = "institution", _("事业单位")
    SOE = "soe", _("国有企业")
    PRIVATE_ENTERPRISE = "private_enterprise", _("非公企业")
    SOCIAL_ORG = "social_org", _("社会组织")
    SCHOOL = "school", _("学校")
    PARK = "park", _("园区统筹型")
    BUSINESS_DISTRICT = "business_district", _("商圈统筹型")
    VILLAGE_ENTERPRISE = "village_enterprise", _("村企统筹型")
    BUILDING = "building", _("楼宇")
    PROJECT = "project", _("项目党组织")


class HanyangLevel(models.TextChoices):
    """The six levels of Hanyang's community system; the last two are posts, not orgs."""

    STREET_WORKING_COMMITTEE = "street", _("街道大工委")
    COMMUNITY_COMMITTEE = "community", _("社区大党委")
    GRID_BRANCH = "grid", _("网格党支部")
    BUILDING_GROUP = "building", _("楼栋党小组")
    MEMBER_HOUSEHOLD = "member_household", _("党员中心户")
    BUILDING_HEAD = "building_head", _("楼栋长（单元长）")


class AreaQuerySet(MP_NodeQuerySet):
    def visible_to(self, user, action="view"):
        """Areas under the areas covered by the orgs where `user` holds a grant."""
        paths = scope_paths(user, action)
        if not paths:
            return self.none()
        area_paths = list(
            Org.objects.filter(path__in=paths, area__isnull=False).values_list("area__path", flat=True)
        )
        if not area_paths:
            return self.none()
        return self.filter(subtree_q("path", area_paths))

    def within(self, area):
        return self.filter(subtree_q("path", [area.path]))


class AreaManager(MP_NodeManager):
    def get_queryset(self):
        return AreaQuerySet(self.model, using=self._db).order_by("path")


class Area(VersionedModel, MP_Node):
    """Administrative and grid geography: city → district → street → community → grid → building → unit."""

    steplen = 4
    path = PathField(max_length=255, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=16, choices=AreaKind.choices, db_index=True)
    code = models.CharField(_("区划代码"), max_length=32, blank=True, db_index=True)
    search_text = models.CharField(max_length=200, blank=True, editable=False)

    objects = AreaManager.from_queryset(AreaQuerySet)()

    node_order_by = None

    class Meta:
        verbose_name = _("区域")
        verbose_name_plural = _("区域")
        indexes = [models.Index(fields=["kind", "path"], name="area_kind_path_idx")]

    def __str__(self):
        return self.name


class OrgQuerySet(MP_NodeQuerySet, ScopedQuerySet):
    scope_path_field = "path"

    def grassroots(self):
        """基层党组织 as official statistics count them: 基层党委, 党总支, 党支部."""
        return self.filter(kind__in=GRASSROOTS_KINDS)

    def open(self):
        return self.filter(closed_at__isnull=True)


class OrgManager(MP_NodeManager):
    def get_queryset(self):
        return OrgQuerySet(self.model, using=self._db).order_by("path")


class Org(VersionedModel, MP_Node):
    """A Party organisation. Its subtree is everything its path prefixes."""

    steplen = 4
    path = PathField(max_length=255, unique=True)
    name = models.CharField(_("名称"), max_length=120)
    short_name = models.CharField(_("简称"), max_length=60, blank=True)
    kind = models.CharField(_("组织类别"), max_length=24, choices=OrgKind.choices, db_index=True)
    sector = models.CharField(_("领域"), max_length=24, choices=Sector.choices, db_index=True)
    hanyang_level = models.CharField(_("六级体系层级"), max_length=24, choices=HanyangLevel.choices, blank=True)
    is_regional = models.BooleanField(_("区域化（大工委/大党委）"), default=False)
    area = models.ForeignKey(
        Area, verbose_name=_("覆盖区域"), null=True, blank=True, on_delete=models.PROTECT, related_name="orgs"
    )
    code = models.CharField(_("组织代码"), max_length=32, blank=True, db_index=True)
    unit_name = models.CharField(_("所在单位"), max_length=120, blank=True)
    founded_on = models.DateField(_("成立日期"), null=True, blank=True)
    phone = models.CharField(_("联系电话"), max_length=32, blank=True)
    closed_at = models.DateField(_("撤销日期"), null=True, blank=True)
    search_text = models.CharField(max_length=400, blank=True, editable=False)

    objects = OrgManager.from_queryset(OrgQuerySet)()

    node_order_by = None

    class Meta:
        verbose_name = _("党组织")
        verbose_name_plural = _("党组织")
        indexes = [
            models.Index(fields=["kind", "path"], name="org_kind_path_idx"),
            models.Index(fields=["area", "kind"], name="org_area_kind_idx"),
        ]

    def __str__(self):
        return self.name

    @property
    def is_grassroots(self):
        return self.kind in GRASSROOTS_KINDS


class MemberStatus(models.TextChoices):
    FULL = "full", _("正式党员")
    PROBATIONARY = "probationary", _("预备党员")


class MemberCategory(models.TextChoices):
    EMPLOYED = "employed", _("在职")
    RETIRED = "retired", _("离退休")
    MOBILE = "mobile", _("流动")
    STUDENT = "student", _("学生")
    FARMER = "farmer", _("农牧渔民")
    OTHER = "other", _("其他")


class Gender(models.TextChoices):
    MALE = "male", _("男")
    FEMALE = "female", _("女")


class Education(models.TextChoices):
    POSTGRADUATE = "postgraduate", _("研究生")
    UNIVERSITY = "university", _("大学本科")
    COLLEGE = "college", _("大学专科")
    SECONDARY = "secondary", _("中专/高中")
    JUNIOR = "junior", _("初中及以下")


class MemberQuerySet(ScopedQuerySet):
    scope_path_field = "org__path"

    def visible_to(self, user, action="view_members"):
        """Members in the subtrees where `user` may see members, plus the user's own record."""
        paths = scope_paths(user, action)
        own = getattr(user, "member_id", None) if action in ("view", "view_members") else None
        q = subtree_q(self.scope_path_field, paths) if paths else None
        if q is not None and own:
            return self.filter(q | Q(pk=own))
        if q is not None:
            return self.filter(q)
        if own:
            return self.filter(pk=own)
        return self.none()

    def active(self):
        return self.filter(left_on__isnull=True)


class Member(VersionedModel):
    """A Party member. ID number, phone and address are encrypted at rest; lists show the
    stored masked forms; the full value needs `view_full_id` and is audited."""

    name = models.CharField(_("姓名"), max_length=60)
    gender = models.CharField(_("性别"), max_length=8, choices=Gender.choices)
    ethnicity = models.CharField(_("民族"), max_length=20, default="汉族")
    birth_date = models.DateField(_("出生日期"))
    education = models.CharField(_("学历"), max_length=16, choices=Education.choices, blank=True)
    id_number_encrypted = models.TextField(editable=False)
    id_number_hash = models.CharField(max_length=64, editable=False)
    id_number_masked = models.CharField(_("身份证号"), max_length=20, editable=False)
    phone_encrypted = models.TextField(blank=True, editable=False)
    phone_masked = models.CharField(_("手机号"), max_length=20, blank=True, editable=False)
    address_encrypted = models.TextField(blank=True, editable=False)
    address_masked = models.CharField(_("住址"), max_length=200, blank=True, editable=False)
    joined_on = models.DateField(_("入党日期"))
    full_on = models.DateField(_("转正日期"), null=True, blank=True)
    status = models.CharField(_("党员状态"), max_length=16, choices=MemberStatus.choices)
    category = models.CharField(_("人员类别"), max_length=16, choices=MemberCategory.choices)
    job = models.CharField(_("工作岗位"), max_length=60, blank=True)
    # No index of its own: the (org, status) and (org, category) indexes below start with it.
    org = models.ForeignKey(Org, verbose_name=_("所在党组织"), on_delete=models.PROTECT, related_name="members",
                            db_index=False)
    residence_area = models.ForeignKey(
        Area, verbose_name=_("居住社区"), null=True, blank=True, on_delete=models.SET_NULL, related_name="resident_members"
    )
    employer_org = models.ForeignKey(
        Org, verbose_name=_("工作单位党组织"), null=True, blank=True, on_delete=models.SET_NULL, related_name="employed_members"
    )
    employer_name = models.CharField(_("工作单位"), max_length=120, blank=True)
    left_on = models.DateField(_("出党/转出日期"), null=True, blank=True)
    search_text = models.CharField(max_length=200, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("党员")
        verbose_name_plural = _("党员")
        # Every index is paid for on each of a registry import's half a million rows: no
        # index on a few-valued column alone, none that another index starts with, and
        # the ID number's uniqueness without the LIKE index `unique=True` adds on PostgreSQL.
        indexes = [
            models.Index(fields=["org", "status"], name="member_org_status_idx"),
            models.Index(fields=["org", "category"], name="member_org_category_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["id_number_hash"], name="member_id_number_hash_unique"),
        ]

    def __str__(self):
        return self.name

    @property
    def id_number(self):
        return crypto.decrypt(self.id_number_encrypted)

    @property
    def phone(self):
        return crypto.decrypt(self.phone_encrypted)

    @property
    def address(self):
        return crypto.decrypt(self.address_encrypted)


class PostKind(models.TextChoices):
    SECRETARY = "secretary", _("书记")
    DEPUTY_SECRETARY = "deputy_secretary", _("副书记")
    COMMITTEE_MEMBER = "committee_member", _("委员")
    PARTY_AFFAIRS_WORKER = "party_affairs_worker", _("党务工作者")
    INSTRUCTOR = "instructor", _("党建指导员")
    MEMBER_HOUSEHOLD = "member_household", _("党员中心户")
    BUILDING_HEAD = "building_head", _("楼栋长")
    UNIT_HEAD = "unit_head", _("单元长")
    RESIDENT_UNIT_REP = "resident_unit_rep", _("驻区单位代表")
    GROUP_LEADER = "group_leader", _("党小组长")


class PersonQuerySet(ScopedQuerySet):
    scope_path_field = "org__path"

    def visible_to(self, user, action="view_members"):
        return super().visible_to(user, action)


class Person(models.Model):
    """A resident who holds a post without being in the member registry (a 楼栋长 need not be
    a Party member). Kept by the organisation where the post is; the phone is encrypted at
    rest like a member's, and lists show the masked form."""

    name = models.CharField(_("姓名"), max_length=60)
    phone_encrypted = models.TextField(blank=True, editable=False)
    phone_masked = models.CharField(_("手机号"), max_length=20, blank=True, editable=False)
    org = models.ForeignKey(Org, verbose_name=_("登记组织"), on_delete=models.PROTECT, related_name="persons")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("非党员人员")
        verbose_name_plural = _("非党员人员")

    def __str__(self):
        return self.name

    @property
    def phone(self):
        return crypto.decrypt(self.phone_encrypted)


class PostQuerySet(ScopedQuerySet):
    scope_path_field = "org__path"

    def current(self, on=None):
        from django.utils import timezone

        on = on or timezone.localdate()
        return self.filter(Q(start_on__lte=on), Q(end_on__isnull=True) | Q(end_on__gte=on))


class Post(VersionedModel):
    """A post a member holds at an org, from a start date to an optional end date."""

    # The holder is a member of the registry or, for posts residents hold (楼栋长), a person
    # record outside it: exactly one of the two.
    member = models.ForeignKey(Member, verbose_name=_("党员"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="posts")
    person = models.ForeignKey(Person, verbose_name=_("非党员任职人"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="posts")
    org = models.ForeignKey(Org, verbose_name=_("党组织"), on_delete=models.PROTECT, related_name="posts")
    kind = models.CharField(_("职务"), max_length=24, choices=PostKind.choices, db_index=True)
    area = models.ForeignKey(
        Area, verbose_name=_("负责区域"), null=True, blank=True, on_delete=models.SET_NULL, related_name="posts"
    )
    representing = models.CharField(_("代表单位"), max_length=120, blank=True)
    start_on = models.DateField(_("任职日期"))
    end_on = models.DateField(_("离任日期"), null=True, blank=True)

    objects = PostQuerySet.as_manager()

    class Meta:
        verbose_name = _("职务")
        verbose_name_plural = _("职务")
        ordering = ["org", "kind", "start_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(member__isnull=False, person__isnull=True) | Q(member__isnull=True, person__isnull=False),
                name="post_one_holder"),
        ]

    def __str__(self):
        return f"{self.org} {self.get_kind_display()} {self.holder}"

    @property
    def holder(self):
        """Who holds the post: the member, or the non-member person record."""
        return self.member if self.member_id else self.person
