"""Pages of the duties module: compliance of a subtree, the rows behind each figure, the
red list, an organisation's duties and calendar, recording an activity from a phone,
excuses, theme-day plans, rules, a member's attendance and calendar feeds.

Built on core.generic_views: reads start from `visible_to(user)` (404 outside), writes
go through duties.services."""

import calendar as pycalendar
import datetime
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from dangjian.core.forms import ScopedForm
from dangjian.core.generic_views import (
    ObjectActionView,
    ObjectDeleteView,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    StoredFileView,
)
from dangjian.core.page_filters import PageFilterMixin
from dangjian.core.scope import get_visible_or_404, scope_paths, user_can
from dangjian.core.spreadsheets.importer import may_import
from dangjian.core.widgets import PickField
from dangjian.orgs.models import Member, Org

from . import calendar as feeds
from . import periods as P
from . import selectors, services
from .filters import ActivityFilter, OccurrenceFilter
from .forms import (
    ActivityForm,
    ExcuseForm,
    FulfilForm,
    PlanForm,
    RuleForm,
    ThresholdForm,
    activity_initial,
    chosen_files,
)
from .models import (
    Activity,
    ActivityFile,
    ComplianceThreshold,
    DutyRule,
    Fulfilment,
    FulfilmentFile,
    Occurrence,
    OccurrenceStatus,
    ThemeDayPlan,
)
from .tables import ActivityTable, OccurrenceTable, RuleTable


def _root_and_period(request):
    """The subtree (`?root=`, default the user's first) and period (`?period=`) of a page."""
    user = request.user
    root = None
    value = request.GET.get("root") or request.GET.get("within")
    if value:
        root = get_visible_or_404(Org.objects, user, "view", pk=value) if value.isdigit() else None
        if root is None:
            raise Http404
    root = root or selectors.default_root(user)
    start, end = selectors.parse_period(request.GET.get("period"))
    return root, start, end


class RootForm(ScopedForm):
    root = PickField("org", label=gettext_lazy("党组织（含下级）"), required=False)
    period = forms.ChoiceField(label=gettext_lazy("期间"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = selectors.period_choices()


@login_required
def compliance(request):
    """The compliance of a subtree for a period: figures, each linking to its rows; the
    children table; the red/yellow/green counts linking to the red list."""
    root, start, end = _root_and_period(request)
    code = selectors.period_code(start, end)
    form = RootForm(initial={"root": root, "period": code}, user=request.user)
    context = {"form": form, "root": root, "start": start, "end": end, "period": code}
    if root is not None:
        figures = selectors.subtree_compliance(root, start, end)
        children = selectors.children_compliance(root, start, end)
        counts = selectors.colour_counts(root, start, end)
        context.update(
            figures=figures, counts=counts,
            children=[(row, _child_url(row, code)) for row in children],
            links={name: selectors.rows_url(root, start, end, name)
                   for name in ("", "fulfilled", "late", "late_held", "missed", "excused", "pending")},
            red_url=selectors.red_url(root, start, end),
            yellow_url=selectors.red_url(root, start, end) + "&colour=yellow",
            export_xlsx=reverse("duties:compliance_export", args=["xlsx"]) + "?" + urlencode(
                {"root": root.pk, "period": code}),
            export_csv=reverse("duties:compliance_export", args=["csv"]) + "?" + urlencode(
                {"root": root.pk, "period": code}),
            can_export=user_can(request.user, "export", root),
            threshold_text=selectors.threshold_source(root),
            threshold_url=_threshold_url(request.user, root),
        )
    return render(request, "duties/compliance.html", context)


def _threshold_url(user, root):
    """Where the user may set the thresholds of `root`'s subtree, if anywhere."""
    if root.depth == 1:
        return reverse("duties:threshold") if _may_edit_rules(user) else None
    if root.kind in services.THRESHOLD_ORG_KINDS and user_can(user, "change", root):
        return reverse("duties:org_threshold", args=[root.pk])
    return None


def _child_url(row, code):
    if row.own:
        return reverse("duties:org_duties", args=[row.org.pk])
    return reverse("duties:compliance") + "?" + urlencode({"root": row.org.pk, "period": code})


@login_required
def red_list(request):
    root, start, end = _root_and_period(request)
    if root is None:
        raise Http404
    colour = request.GET.get("colour") if request.GET.get("colour") in (selectors.YELLOW, selectors.RED) \
        else selectors.RED
    code = selectors.period_code(start, end)
    rows = selectors.red_list(root, start, end, colour=colour)
    for row in rows:
        row.url = reverse("duties:occurrence_list") + "?" + urlencode({"org": row.org_id, "period": code})
    return render(request, "duties/red_list.html", {
        "root": root, "rows": rows, "colour": colour, "start": start, "end": end, "period": code,
        "back_url": reverse("duties:compliance") + "?" + urlencode({"root": root.pk, "period": code})})


class OccurrencePageFilter(PageFilterMixin, OccurrenceFilter):
    hidden_fields = ("org", "figure", "period")


class OccurrenceListView(ObjectListView):
    queryset = Occurrence.objects.select_related("org", "version__kind", "rule").order_by(
        "period_start", "org__path", "rule_id", "n")
    filterset_class = OccurrencePageFilter
    filter_fields = ("within", "status", "kind")
    table_class = OccurrenceTable
    template_name = "duties/occurrence_list.html"

    def get_table_kwargs(self):
        return {"extra": {"today": timezone.localdate()}}

    def get_extra_context(self, table, filterset):
        data = filterset.form.cleaned_data if filterset is not None and filterset.is_valid() else {}
        figure = dict(OccurrenceFilter.base_filters["figure"].extra["choices"]).get(data.get("figure"))
        start, end = selectors.parse_period(self.request.GET.get("period")) if self.request.GET.get("period") \
            else (None, None)
        return {"figure_label": figure, "start": start, "end": end}


class ActivityPageFilter(PageFilterMixin, ActivityFilter):
    hidden_fields = ("org",)


class ActivityListView(ObjectListView):
    queryset = Activity.objects.select_related("org").prefetch_related("kinds").order_by("-starts_at", "id")
    filterset_class = ActivityPageFilter
    filter_fields = ("within", "kind", "start", "end")
    table_class = ActivityTable
    template_name = "duties/activity_list.html"

    def get_extra_context(self, table, filterset):
        query = self.request.GET.urlencode()
        return {"export_csv": reverse("duties:activity_export", args=["csv"]) + (f"?{query}" if query else ""),
                "export_xlsx": reverse("duties:activity_export", args=["xlsx"]) + (f"?{query}" if query else ""),
                "can_export": bool(scope_paths(self.request.user, "export")),
                "can_import": may_import(self.request.user)}


class ActivityDetailView(ObjectDetailView):
    queryset = Activity.objects.select_related("org", "chair", "recorder", "created_by").prefetch_related("kinds")
    template_name = "duties/activity_detail.html"

    def get_extra_context(self):
        activity = self.object
        attendance = list(activity.attendance.select_related("member").order_by("is_guest", "status",
                                                                                "member__search_text"))
        counts = {}
        for row in attendance:
            key = "guest" if row.is_guest else row.status
            counts[key] = counts.get(key, 0) + 1
        files = list(activity.files.all())
        return {
            "attendance": attendance, "counts": counts,
            "photos": [f for f in files if f.is_photo], "documents": [f for f in files if not f.is_photo],
            "occurrences": activity.occurrences.select_related("version__kind", "rule", "post__member",
                                                               "post__person").order_by("period_start"),
            "can_change": user_can(self.request.user, "change", activity.org),
            "show_members": user_can(self.request.user, "view_members", activity.org),
        }


class ActivityDeleteView(ObjectDeleteView):
    queryset = Activity.objects.select_related("org")
    service = services.activity_delete

    def service_kwargs(self, form):
        return {"activity": self.object}

    def get_success_url(self, result):
        return reverse("duties:org_duties", args=[self.object.org_id])


class ActivityFileView(StoredFileView):
    queryset = ActivityFile.objects.all()


class FulfilmentFileView(StoredFileView):
    queryset = FulfilmentFile.objects.all()


class _RemoveView(ObjectActionView):
    """Removing something kept under a record (`owner`, which has the org): back to the record."""

    owner = ""
    argument = ""

    def permission_org(self, obj):
        return getattr(obj, self.owner).org

    def service_kwargs(self, form):
        return {self.argument: self.object}

    def get_object_url(self):
        return getattr(self.object, self.owner).get_absolute_url()


class ActivityFileDeleteView(_RemoveView):
    queryset = ActivityFile.objects.select_related("activity__org")
    service = services.activity_file_delete
    success_message = gettext_lazy("已删除该文件。")
    owner, argument = "activity", "item"


class ActivityCreateView(ObjectEditView):
    """The grid branch secretary records a meeting from a phone: every member is listed
    present; mark who was absent (and why), pick guests, take a photo if they like, save."""

    queryset = Org.objects.all()
    form_class = ActivityForm
    template_name = "duties/activity_form.html"
    service = services.activity_create
    multipart = True
    submit = gettext_lazy("保存记录")
    success_message = gettext_lazy("已登记，相应职责已更新。")
    error_aliases = {"starts_at": "day"}

    def members(self):
        if not hasattr(self, "_members"):
            self._members = list(Member.objects.filter(org=self.object, left_on__isnull=True)
                                 .order_by("search_text", "id"))
        return self._members

    def permission_org(self, obj):
        return obj

    def get_form_kwargs(self):
        return {"user": self.request.user, "org": self.object, "members": self.members()}

    def get_initial(self):
        return activity_initial(self.object)

    def service_kwargs(self, form):
        data = form.cleaned_data
        return {"org": self.object, "kinds": list(data["kinds"]), "starts_at": data.get("starts_at"),
                "topic": data["topic"], "place": data.get("place", ""), "chair": data.get("chair"),
                "recorder": data.get("recorder"), "minutes": data.get("minutes", ""),
                "attendance": form.attendance(), "files": chosen_files(data),
                "keep_location": data.get("keep_location", False)}

    def get_title(self):
        return _("登记组织生活：%(org)s") % {"org": self.object.name}

    def get_cancel_url(self):
        return reverse("duties:org_duties", args=[self.object.pk])

    def get_success_url(self, result):
        return reverse("duties:org_duties", args=[self.object.pk])

    def call_service(self, form):
        from django.core.exceptions import ValidationError

        try:
            return super().call_service(form)
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "attendance" in exc.error_dict:
                for error in exc.error_dict.pop("attendance"):
                    form.add_error(None, error)
                if not exc.error_dict:
                    raise ValidationError([]) from exc
            raise


class ActivityEditView(ActivityCreateView):
    """Correct a record: the same form, filled in; the duties it fulfils are matched again."""

    queryset = Activity.objects.select_related("org")
    service = services.activity_update
    submit = gettext_lazy("保存")
    success_message = gettext_lazy("已保存，相应职责已更新。")

    def permission_org(self, obj):
        return obj.org

    def members(self):
        if not hasattr(self, "_members"):
            self._members = list(Member.objects.filter(org=self.object.org, left_on__isnull=True)
                                 .order_by("search_text", "id"))
        return self._members

    def get_form_kwargs(self):
        return {"user": self.request.user, "org": self.object.org, "members": self.members()}

    def get_initial(self):
        activity = self.object
        local = timezone.localtime(activity.starts_at)
        initial = {"kinds": list(activity.kinds.all()), "day": local.date(), "time": local.time().replace(second=0),
                   "topic": activity.topic, "place": activity.place, "chair": activity.chair,
                   "recorder": activity.recorder, "minutes": activity.minutes}
        guests = 0
        for row in activity.attendance.select_related("member"):
            if row.is_guest and guests < 3:
                guests += 1
                initial[f"guest_{guests}"] = row.member
            else:
                initial[f"att_{row.member_id}"] = row.status
                initial[f"reason_{row.member_id}"] = row.reason
        return initial

    def service_kwargs(self, form):
        kwargs = super().service_kwargs(form)
        kwargs.pop("org")
        return {"activity": self.object, **kwargs}

    def get_title(self):
        return _("修改记录：%(topic)s") % {"topic": self.object.topic}

    def get_extra_context(self):
        return {"existing_files": list(self.object.files.all())}

    def get_cancel_url(self):
        return reverse("duties:activity_detail", args=[self.object.pk])

    def get_success_url(self, result):
        return reverse("duties:activity_detail", args=[self.object.pk])


def _month(request):
    value = request.GET.get("month", "")
    try:
        year, month = (int(part) for part in value.split("-"))
        return datetime.date(year, month, 1)
    except (ValueError, TypeError):
        return timezone.localdate().replace(day=1)


class OrgDutiesView(ObjectDetailView):
    """An organisation's duties for a month (and the quarter's and year's running then), the
    activities held, and a month calendar of both."""

    queryset = Org.objects.all()
    template_name = "duties/org_duties.html"

    def get_extra_context(self):
        org, user = self.object, self.request.user
        month = _month(self.request)
        month_end = P.period_of("monthly", month)[1]
        everything = list(Occurrence.objects.filter(org=org, period_start__lte=month_end, period_end__gte=month)
                          .select_related("version__kind", "rule", "post__member", "post__person",
                                          "fulfilment").prefetch_related("activities", "fulfilment__files")
                          .order_by("period_start", "rule_id", "n"))
        duties = [duty for duty in everything if not duty.post_id]
        holders = {}
        for duty in everything:
            if duty.post_id:
                holders.setdefault(duty.post_id, (duty.post, []))[1].append(duty)
        activities = list(Activity.objects.filter(org=org, held_on__gte=month, held_on__lte=month_end)
                          .prefetch_related("kinds").order_by("starts_at"))
        plan = ThemeDayPlan.objects.filter(org=org, month=month).first()
        weeks = []
        by_day = {}
        for activity in activities:
            by_day.setdefault(activity.held_on, []).append(activity)
        due_by_day = {}
        for duty in everything:
            if month <= duty.due_date <= month_end and duty.status in (OccurrenceStatus.DUE, OccurrenceStatus.LATE):
                due_by_day.setdefault(duty.due_date, []).append(duty)
        for week in pycalendar.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month):
            weeks.append([{"day": day, "in_month": day.month == month.month, "held": by_day.get(day, []),
                           "due": due_by_day.get(day, [])} for day in week])
        previous = (month - datetime.timedelta(days=1)).replace(day=1)
        following = month_end + datetime.timedelta(days=1)
        can_change = user_can(user, "change", org)
        parent_path = org.path[:-Org.steplen]
        can_excuse = user_can(user, "change", Org(path=parent_path)) if org.depth > 1 else can_change
        return {
            "today": timezone.localdate(), "month": month, "duties": duties, "activities": activities,
            "weeks": weeks, "plan": plan, "fulfil_form": FulfilForm(initial={"done_on": timezone.localdate()}),
            "holders": sorted(holders.values(), key=lambda item: (item[0].kind, item[0].start_on, item[0].pk)),
            "previous": f"{previous:%Y-%m}", "following": f"{following:%Y-%m}",
            "can_change": can_change, "can_excuse": can_excuse,
            "weekdays": [_("一"), _("二"), _("三"), _("四"), _("五"), _("六"), _("日")],
            "compliance_url": reverse("duties:compliance") + "?" + urlencode({"root": org.pk}),
            "year_figures": selectors.subtree_compliance(org, month.replace(month=1), month.replace(month=12, day=31))
            if org.depth else None,
        }


class ExcuseView(ObjectEditView):
    queryset = Occurrence.objects.select_related("org", "version__kind", "rule")
    form_class = ExcuseForm
    template_name = "duties/form.html"
    service = services.occurrence_excuse
    submit = gettext_lazy("免除")
    success_message = gettext_lazy("已免除。")

    def permission_org(self, obj):
        return services._excuse_org(obj.org)

    def get_form_kwargs(self):
        return {"user": self.request.user}

    def service_kwargs(self, form):
        return {"occurrence": self.object, "reason": form.cleaned_data["reason"]}

    def get_title(self):
        return _("免除：%(duty)s（%(org)s，%(period)s）") % {
            "duty": self.object.label, "org": self.object.org.name, "period": self.object.period_start.isoformat()}

    def get_intro(self):
        return _("免除后该事项不计入应开展数。免除由上级组织决定，请写明理由。")


class FulfilView(ObjectActionView):
    """履职记录 on a free-form duty's row: the day, what was done, optional files."""

    queryset = Occurrence.objects.select_related("org")
    form_class = FulfilForm
    service = services.occurrence_fulfil
    success_message = gettext_lazy("已登记履职记录，该事项已更新。")

    def get_form_kwargs(self):
        return {"files": self.request.FILES}

    def service_kwargs(self, form):
        data = form.cleaned_data
        return {"occurrence": self.object, "done_on": data["done_on"], "note": data["note"],
                "files": chosen_files(data), "keep_location": data.get("keep_location", False)}


class FulfilmentDeleteView(_RemoveView):
    queryset = Fulfilment.objects.select_related("occurrence__org")
    service = services.fulfilment_delete
    success_message = gettext_lazy("已撤回履职记录。")
    owner, argument = "occurrence", "fulfilment"


class PlanView(ObjectEditView):
    queryset = Org.objects.all()
    form_class = PlanForm
    template_name = "duties/form.html"
    service = services.theme_day_plan_set
    submit = gettext_lazy("发布计划")
    success_message = gettext_lazy("主题党日计划已发布。")

    def permission_org(self, obj):
        return obj

    def get_form_kwargs(self):
        return {"user": self.request.user}

    def get_initial(self):
        month = _month(self.request)
        plan = ThemeDayPlan.objects.filter(org=self.object, month=month).first()
        if plan:
            return {"month": month, "planned_on": plan.planned_on, "topic": plan.topic}
        return {"month": month}

    def service_kwargs(self, form):
        return {"org": self.object, **form.cleaned_data}

    def get_title(self):
        return _("主题党日计划：%(org)s") % {"org": self.object.name}

    def get_cancel_url(self):
        return reverse("duties:org_duties", args=[self.object.pk])

    def get_success_url(self, result):
        return reverse("duties:org_duties", args=[self.object.pk]) + f"?month={result.month:%Y-%m}"


# Rules ----------------------------------------------------------------------------------

def _may_edit_rules(user):
    return any(user_can(user, "change", org) for org in Org.objects.filter(depth=1))


@login_required
def rule_list(request):
    if not scope_paths(request.user, "view"):
        raise PermissionDenied
    rules = list(DutyRule.objects.prefetch_related("versions__kind", "versions__root").order_by("id"))
    for rule in rules:
        versions = sorted(rule.versions.all(), key=lambda v: (v.valid_from, v.number))
        rule.current = versions[-1] if versions else None
        rule.history = versions
    can_edit = _may_edit_rules(request.user)
    table = RuleTable([r for r in rules if r.current], request=request, extra={"can_edit": can_edit})
    return render(request, "duties/rule_list.html", {
        "table": table, "page": table.page, "can_edit": can_edit,
        "threshold_url": reverse("duties:threshold")})


class RuleScopeMixin:
    def scope_queryset(self, queryset, action):
        if not _may_edit_rules(self.request.user):
            raise PermissionDenied(_("只有组织部门可以修改职责规则。"))
        return queryset

    def get_form_kwargs(self):
        return {"user": self.request.user}

    def get_cancel_url(self):
        return reverse("duties:rule_list")

    def get_success_url(self, result):
        return reverse("duties:rule_list")


class RuleCreateView(RuleScopeMixin, ObjectEditView):
    queryset = DutyRule.objects.all()
    object_required = False
    form_class = RuleForm
    template_name = "duties/form.html"
    service = services.rule_create
    title = gettext_lazy("新建职责规则")

    def check_permission(self, obj):
        self.scope_queryset(None, "change")

    def get_initial(self):
        return {"valid_from": timezone.localdate().replace(day=1), "times": 1}


class RuleReviseView(RuleScopeMixin, ObjectEditView):
    queryset = DutyRule.objects.all()
    form_class = RuleForm
    template_name = "duties/form.html"
    service = services.rule_revise
    submit = gettext_lazy("保存为新版本")

    def check_permission(self, obj):
        pass

    def get_title(self):
        return _("修订规则：%(rule)s") % {"rule": self.object.title}

    def get_intro(self):
        return _("修订会生成新版本，自生效日期起适用；此前已生成的应履职事项保持原版本，不会被改写。")

    def get_initial(self):
        current = self.object.versions.order_by("-valid_from", "-number").first()
        if current is None:
            return {}
        next_month = P.period_of("monthly", timezone.localdate())[1] + datetime.timedelta(days=1)
        return {"kind": current.kind, "title": current.title, "frequency": current.frequency, "times": current.times,
                "org_kinds": current.org_kinds, "sectors": current.sectors, "levels": current.levels,
                "root": current.root, "valid_from": max(next_month, current.valid_from + datetime.timedelta(days=1))}

    def service_kwargs(self, form):
        return {"rule": self.object, **form.cleaned_data}


class ThresholdView(RuleScopeMixin, ObjectEditView):
    queryset = DutyRule.objects.all()
    object_required = False
    form_class = ThresholdForm
    template_name = "duties/form.html"
    service = services.threshold_set
    title = gettext_lazy("红黄绿阈值（全市默认）")

    def check_permission(self, obj):
        self.scope_queryset(None, "change")

    def get_initial(self):
        thresholds = selectors.Thresholds()
        return {"green": thresholds.default[0], "yellow": thresholds.default[1]}

    def service_kwargs(self, form):
        return {"org": None, **form.cleaned_data}

    def get_success_message(self, result):
        return _("阈值已保存。")

    def get_extra_context(self):
        rows = ComplianceThreshold.objects.filter(org__isnull=False).select_related("org").order_by("org__path")
        return {"org_thresholds": [row for row in rows if user_can(self.request.user, "view", row.org)]}


class OrgThresholdView(ObjectEditView):
    """A district's or street's organisation department sets the thresholds of its subtree;
    the compliance pages colour each organisation by its nearest ancestor's."""

    queryset = Org.objects.all()
    form_class = ThresholdForm
    template_name = "duties/form.html"
    service = services.threshold_set
    success_message = gettext_lazy("阈值已保存，本辖区的红黄绿按新阈值显示。")

    def permission_org(self, obj):
        return obj

    def get_form_kwargs(self):
        return {"user": self.request.user}

    def get_initial(self):
        green, yellow = selectors.Thresholds().for_path(self.object.path)
        return {"green": green, "yellow": yellow}

    def service_kwargs(self, form):
        return {"org": self.object, **form.cleaned_data}

    def get_title(self):
        return _("红黄绿阈值：%(org)s及下级") % {"org": self.object.name}

    def get_intro(self):
        return selectors.threshold_source(self.object)

    def get_cancel_url(self):
        return reverse("duties:compliance") + "?" + urlencode({"root": self.object.pk})

    def get_success_url(self, result):
        return self.get_cancel_url()

    def get_extra_context(self):
        own = ComplianceThreshold.objects.filter(org=self.object).exists()
        return {"clear_url": reverse("duties:threshold_clear", args=[self.object.pk]) if own else None}


class OrgThresholdClearView(ObjectActionView):
    queryset = Org.objects.all()
    service = services.threshold_clear
    success_message = gettext_lazy("已改为沿用上级的阈值。")

    def permission_org(self, obj):
        return obj

    def service_kwargs(self, form):
        return {"org": self.object}

    def get_object_url(self):
        return reverse("duties:compliance") + "?" + urlencode({"root": self.object.pk})


# A member's attendance -------------------------------------------------------------------

@login_required
def member_attendance(request, pk):
    member = get_object_or_404(Member.objects.select_related("org"), pk=pk)
    if not selectors.may_see_attendance(request.user, member):
        raise Http404
    rows, counts = selectors.member_attendance(member)
    return render(request, "duties/member_attendance.html", {
        "member": member, "rows": rows[:200], "counts": counts, "today": timezone.localdate(),
        "own_duties": selectors.holder_duties(member)[:100],
        "is_self": getattr(request.user, "member_id", None) == member.pk})


# Calendar feeds --------------------------------------------------------------------------

@login_required
@require_POST
def calendar_subscribe(request, kind, pk):
    """Create a secret feed URL (shown once) for an org (`view` on it) or the user's own member record."""
    if kind == "org":
        org = get_visible_or_404(Org.objects, request.user, "view", pk=pk)
        row, token = services.calendar_token_create(actor=request.user, org=org)
        back = reverse("duties:org_duties", args=[org.pk])
    elif kind == "member":
        member = get_object_or_404(Member, pk=pk)
        if not selectors.may_see_attendance(request.user, member):
            raise Http404
        row, token = services.calendar_token_create(actor=request.user, member=member)
        back = reverse("duties:member_attendance", args=[member.pk])
    else:
        raise Http404
    url = request.build_absolute_uri(reverse("duties:calendar_feed", args=[token]))
    return render(request, "duties/subscribed.html", {"url": url, "row": row, "back_url": back})


@login_required
@require_POST
def calendar_revoke(request, pk):
    from .models import CalendarToken

    row = get_object_or_404(CalendarToken.objects.select_related("org", "member__org"), pk=pk)
    owner = row.org or row.member.org
    if row.created_by_id != request.user.pk and not user_can(request.user, "change", owner):
        raise Http404
    services.calendar_token_revoke(actor=request.user, row=row)
    messages.success(request, _("订阅链接已停用。"))
    return redirect(reverse("duties:org_duties", args=[row.org_id]) if row.org_id else
                    reverse("duties:member_attendance", args=[row.member_id]))


def calendar_feed(request, token):
    body = feeds.feed_for_token(token)
    if body is None:
        raise Http404
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=900"
    return response


compliance_page = compliance
occurrence_list = OccurrenceListView.as_view()
activity_list = ActivityListView.as_view()
activity_detail = ActivityDetailView.as_view()
activity_delete = ActivityDeleteView.as_view()
activity_create = ActivityCreateView.as_view()
activity_edit = ActivityEditView.as_view()
org_duties = OrgDutiesView.as_view()
occurrence_excuse = ExcuseView.as_view()
plan_edit = PlanView.as_view()
rule_create = RuleCreateView.as_view()
rule_revise = RuleReviseView.as_view()
threshold = ThresholdView.as_view()
org_threshold = OrgThresholdView.as_view()
org_threshold_clear = OrgThresholdClearView.as_view()
activity_file = ActivityFileView.as_view()
activity_file_delete = ActivityFileDeleteView.as_view()
fulfilment_file = FulfilmentFileView.as_view()
occurrence_fulfil = FulfilView.as_view()
fulfilment_delete = FulfilmentDeleteView.as_view()
