"""Writes on lists, programmes, projects, measures, progress and acceptance.

Every function is keyword-only, atomic, checks the actor's scope with `require`, and
writes one audit entry. Once a list has been published (公示), every change to it or its
items needs a reason and is kept as a Revision that the public page shows.
"""

import contextvars
import datetime
import re
from collections import defaultdict
from contextlib import contextmanager
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import audit, metrics
from dangjian.core.concurrency import check_version
from dangjian.core.services import require
from dangjian.core.text import search_key
from dangjian.core.uploads import check_files, store
from dangjian.orgs.models import Org

from . import rollup
from .models import (
    MAX_WEIGHT,
    MIN_WEIGHT,
    Averaging,
    Evidence,
    List,
    ListKind,
    Measure,
    MeasureStatus,
    MissingProgress,
    Notification,
    Programme,
    ProgressReport,
    Project,
    Review,
    ReviewDecision,
    Revision,
)

LIST_FIELDS = ("org", "kind", "title", "period_start", "period_end", "description", "averaging",
               "missing_progress", "is_public")
PROGRAMME_FIELDS = ("org", "domain", "title", "description", "weight", "position")
PROJECT_FIELDS = ("programme", "org", "title", "description", "is_secretary_project", "leader", "weight",
                  "is_public", "position")
MEASURE_FIELDS = ("project", "org", "responsible", "title", "target", "target_value", "target_unit", "start_on",
                  "deadline", "weight", "is_public", "position", "metric")


# Helpers -----------------------------------------------------------------------------

def _locked(model, pk):
    return model.objects.select_for_update().get(pk=pk)


def _display(snapshot, name):
    if f"{name}_name" in snapshot:
        return snapshot[f"{name}_name"]
    value = snapshot.get(name)
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("是") if value else _("否")
    return str(value)


def _changes(before, after, fields):
    return {name: [_display(before, name), _display(after, name)]
            for name in fields if before.get(name) != after.get(name)}


def _save_revised(*, actor, lst, obj, object_type, fields, before, reason, search_parts=None):
    """Save an edited item: nothing when nothing changed; otherwise the revision kept after
    publication, the search key if the item has one, and the audit entry."""
    after = audit.snapshot(obj, fields)
    changed = _changes(before, after, fields)
    if not changed:
        return obj
    _revise(actor=actor, lst=lst, obj=obj, object_type=object_type, changes=changed, reason=reason)
    if search_parts is not None:
        obj.search_text = search_key(*search_parts)
    obj.save()
    audit.record(actor=actor, action="update", obj=obj, before=before, after=after)
    return obj


def _revise(*, actor, lst, obj, object_type, changes, reason):
    """After publication, keep what changed (and why) for the public page."""
    if not lst.was_published or not changes:
        return None
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("该清单已公示，修改须填写变更原因。")}, code="reason_required")
    return Revision.objects.create(list=lst, object_type=object_type, object_id=obj.pk, object_repr=str(obj)[:300],
                                   changes=changes, reason=reason, actor=actor if actor is not None else None)


def _decimal(value, field, errors, *, message=None):
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip().rstrip("%"))
    except (InvalidOperation, ValueError):
        errors[field] = message or _("请输入数字。")
        return None
    if not number.is_finite():
        errors[field] = message or _("请输入数字。")
        return None
    return number


def _weight(value, errors, field="weight"):
    if value in (None, ""):
        return Decimal(1)
    number = _decimal(value, field, errors)
    if number is None:
        return None
    if not (MIN_WEIGHT < number <= MAX_WEIGHT):
        errors[field] = _("权重应大于%(low)s且不超过%(high)s。") % {"low": MIN_WEIGHT, "high": MAX_WEIGHT}
        return None
    if number != number.quantize(Decimal("0.01")):
        errors[field] = _("权重最多保留两位小数。")
        return None
    return number


def _check_choice(errors, field, value, choices):
    if value not in dict(choices):
        errors[field] = _("“%(value)s”不是有效的选项。") % {"value": value}


def _in_subtree(org, root):
    return org is not None and root is not None and org.path.startswith(root.path)


def parent_org(org):
    """The organisation one level up (None at the top of a tree)."""
    if org.depth <= 1:
        return None
    return Org.objects.filter(path=org.path[: -Org.steplen]).first()


def reviewing_org(org):
    """Who accepts a measure of `org`: the level above, or the org itself at the top."""
    return parent_org(org) or org


def _on_commit_notify(measure_id, event):
    from . import tasks

    transaction.on_commit(lambda: tasks.notify_measure_event.enqueue(measure_id, event))


_deferred_shares = contextvars.ContextVar("lists_deferred_shares", default=None)


@contextmanager
def shares_deferred():
    """For bulk writers (imports): inside this block refresh_shares only notes the lists,
    and recomputes each once when the block ends without an error. Use it inside the
    transaction that holds the writes."""
    if _deferred_shares.get() is not None:
        yield
        return
    pending = set()
    token = _deferred_shares.set(pending)
    try:
        yield
    finally:
        _deferred_shares.reset(token)
    refresh_shares(pending)


def refresh_shares(list_ids):
    """Recompute each measure's effective share of its list (rollup.effective_shares) for
    `list_ids`, writing only the shares that changed. The services call it after any
    change of a weight, the list's tree, its rules or a measure's has_progress, holding
    the list's row lock (taken before any item's, so two writers of one list queue
    instead of deadlocking, and the later one sees the earlier one's rows)."""
    pending = _deferred_shares.get()
    if pending is not None:
        pending.update(list_ids)
        return 0
    changed = []
    for lst in List.objects.filter(pk__in=list(list_ids)).order_by("pk"):
        measures = list(Measure.objects.filter(list=lst).only("pk", "list_id", "project_id", "weight", "progress",
                                                               "has_progress", "title", "share"))
        result = rollup.list_tree(
            list(Programme.objects.filter(list=lst).only("pk", "weight", "title")),
            list(Project.objects.filter(list=lst).only("pk", "programme_id", "weight", "title")),
            measures, averaging=lst.averaging, missing=lst.missing_progress)
        for m, share in rollup.effective_shares(result):
            if m.share != share:
                m.share = share
                changed.append(m)
    Measure.objects.bulk_update(changed, ["share"], batch_size=500)
    return len(changed)


# Measures bound to a platform metric -------------------------------------------------

def refresh_bound_measures(*, measures=None, metric=None, org=None, today=None):
    """Recompute the progress of measures bound to a platform metric (core.metrics) from
    the records: `measures`, or every open bound measure (of `metric`, on `org` and its
    ancestors). One metric read per (metric, period) whatever the number of measures.

    The progress is derived, not reported, so it writes no ProgressReport and no audit
    entry of its own: the records it is computed from were audited where they were
    written. Reaching 100 % submits the measure for acceptance as a report would; falling
    back below (a record removed) returns it to in progress. Accepted measures stay."""
    today = today or timezone.localdate()
    if measures is None:
        qs = Measure.objects.exclude(metric="").exclude(status=MeasureStatus.ACCEPTED)
        if metric:
            qs = qs.filter(metric=metric)
        if org is not None:
            steplen = type(org).steplen
            qs = qs.filter(org__path__in=[org.path[:i] for i in range(steplen, len(org.path) + 1, steplen)])
        measures = list(qs.filter(start_on__lte=today).select_related("org"))
    groups = defaultdict(list)
    for measure in measures:
        if measure.metric and measure.status != MeasureStatus.ACCEPTED:
            groups[(measure.metric, measure.start_on, min(measure.deadline, today))].append(measure)
    now = timezone.now()
    changed, lists_with_first_progress = [], set()
    for (key, start, end), group in groups.items():
        definition = metrics.get(key)
        if definition is None or end < start:
            continue
        readings = definition.read({m.org_id: m.org for m in group}.values(), start, end)
        for measure in group:
            reading = readings[measure.org_id]
            progress = definition.progress(reading, measure.target_value)
            value = Decimal(str(reading.value)) if definition.kind == metrics.COUNT else None
            has_progress = bool(reading.value) or bool(reading.required)
            status = measure.status
            if progress >= 100 and status != MeasureStatus.SUBMITTED:
                status = MeasureStatus.SUBMITTED
            elif progress < 100 and (status == MeasureStatus.SUBMITTED or (has_progress and status == MeasureStatus.PLANNED)):
                status = MeasureStatus.IN_PROGRESS
            if (progress, value, has_progress, status) == (measure.progress, measure.progress_value,
                                                           measure.has_progress, measure.status):
                continue
            if has_progress and not measure.has_progress:
                lists_with_first_progress.add(measure.list_id)
            if status == MeasureStatus.SUBMITTED and measure.status != MeasureStatus.SUBMITTED:
                measure.submitted_at = now
            elif status != MeasureStatus.SUBMITTED:
                measure.submitted_at = None
            measure.progress, measure.progress_value, measure.has_progress, measure.status = (
                progress, value, has_progress, status)
            measure.last_reported_at = now
            changed.append(measure)
    Measure.objects.bulk_update(changed, ["progress", "progress_value", "has_progress", "status", "submitted_at",
                                          "last_reported_at"], batch_size=500)
    if lists_with_first_progress:
        refresh_shares(lists_with_first_progress)
    return len(changed)


def on_metric_changed(key, org):
    """core.metrics listener: a record under `org` that `key` counts changed."""
    refresh_bound_measures(metric=key, org=org)


# Lists -------------------------------------------------------------------------------

def _list_errors(*, org, kind, title, period_start, period_end, averaging, missing_progress):
    errors = {}
    if org is None:
        errors["org"] = _("请选择所属组织。")
    elif org.closed_at:
        errors["org"] = _("该党组织已撤销。")
    _check_choice(errors, "kind", kind, ListKind.choices)
    if not (title or "").strip():
        errors["title"] = _("清单名称不能为空。")
    if not isinstance(period_start, datetime.date):
        errors["period_start"] = _("请填写开始日期。")
    if not isinstance(period_end, datetime.date):
        errors["period_end"] = _("请填写结束日期。")
    elif isinstance(period_start, datetime.date) and period_end < period_start:
        errors["period_end"] = _("结束日期不能早于开始日期。")
    _check_choice(errors, "averaging", averaging, Averaging.choices)
    _check_choice(errors, "missing_progress", missing_progress, MissingProgress.choices)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def list_create(*, actor, org, kind, title, period_start, period_end, description="",
                averaging=Averaging.WEIGHTED, missing_progress=MissingProgress.EXCLUDE):
    """Create a list owned by `org` (in the actor's scope) for a period."""
    if org is not None:
        require(actor, "change", org, field="org")
    _list_errors(org=org, kind=kind, title=title, period_start=period_start, period_end=period_end,
                 averaging=averaging, missing_progress=missing_progress)
    title = title.strip()
    lst = List.objects.create(org=org, kind=kind, title=title, period_start=period_start, period_end=period_end,
                              description=description or "", averaging=averaging, missing_progress=missing_progress,
                              created_by=actor if actor is not None else None,
                              search_text=search_key(title, org.name))
    audit.record(actor=actor, action="create", obj=lst, org=org, after=audit.snapshot(lst, LIST_FIELDS))
    return lst


@transaction.atomic
def list_update(*, actor, lst, reason="", expected_version=None, **changes):
    """Change a list's own fields. Publication is list_publish / list_unpublish."""
    lst = _locked(List, lst.pk)
    require(actor, "change", lst.org)
    check_version(lst, expected_version)
    allowed = {"title", "period_start", "period_end", "description", "averaging", "missing_progress", "kind"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError({field: _("该字段不能在此修改。") for field in unknown})
    before = audit.snapshot(lst, LIST_FIELDS)
    for field, value in changes.items():
        setattr(lst, field, value.strip() if isinstance(value, str) and field == "title" else value)
    _list_errors(org=lst.org, kind=lst.kind, title=lst.title, period_start=lst.period_start,
                 period_end=lst.period_end, averaging=lst.averaging, missing_progress=lst.missing_progress)
    lst = _save_revised(actor=actor, lst=lst, obj=lst, object_type="list", fields=LIST_FIELDS, before=before,
                        reason=reason, search_parts=(lst.title, lst.org.name))
    refresh_shares([lst.pk])
    return lst


@transaction.atomic
def list_publish(*, actor, lst):
    """Publish (公示) a list: it and its public items appear on /public/."""
    lst = _locked(List, lst.pk)
    require(actor, "change", lst.org)
    if lst.is_public:
        return lst
    was_published = lst.was_published
    lst.is_public = True
    if not was_published:
        lst.published_at = timezone.now()
    else:
        Revision.objects.create(list=lst, object_type="list", object_id=lst.pk, object_repr=lst.title[:300],
                                changes={"is_public": [_("否"), _("是")]}, reason=_("重新公示"),
                                actor=actor if actor is not None else None)
    lst.save(update_fields=["is_public", "published_at", "updated_at"])
    audit.record(actor=actor, action="publish", obj=lst, after={"is_public": True, "published_at": lst.published_at})
    return lst


@transaction.atomic
def list_unpublish(*, actor, lst, reason):
    """Withdraw a published list from the public pages; the reason is kept as a revision."""
    lst = _locked(List, lst.pk)
    require(actor, "change", lst.org)
    if not lst.is_public:
        return lst
    _revise(actor=actor, lst=lst, obj=lst, object_type="list", changes={"is_public": [_("是"), _("否")]},
            reason=reason)
    lst.is_public = False
    lst.save(update_fields=["is_public", "updated_at"])
    audit.record(actor=actor, action="unpublish", obj=lst, after={"is_public": False, "reason": reason})
    return lst


def _refuse_delete_if_published(lst):
    if lst.was_published:
        raise ValidationError({"list": _("已公示的清单及其事项不能删除；如需调整，请修改并说明原因。")},
                              code="published")


@transaction.atomic
def list_delete(*, actor, lst):
    """Delete a draft list that was never published and has no progress reported."""
    lst = _locked(List, lst.pk)
    require(actor, "change", lst.org)
    _refuse_delete_if_published(lst)
    if ProgressReport.objects.filter(measure__list=lst).exists():
        raise ValidationError({"list": _("清单中已有进展报告，不能删除。")}, code="has_progress")
    before = audit.snapshot(lst, LIST_FIELDS)
    audit.record(actor=actor, action="delete", obj=lst, before=before)
    lst.delete()


# Programmes and projects -------------------------------------------------------------

def _owner_org(*, actor, lst, org, field="org"):
    """The org an item is owned by: given, in the actor's scope, inside the list's subtree."""
    org = org or lst.org
    require(actor, "change", org, field=field)
    if not _in_subtree(org, lst.org):
        raise ValidationError({field: _("须是清单所属组织或其下级组织。")}, code="outside_list")
    if org.closed_at:
        raise ValidationError({field: _("该党组织已撤销。")})
    return org


@transaction.atomic
def programme_create(*, actor, lst, title, domain=None, org=None, description="", weight=None, position=None,
                     reason=""):
    """Add a programme (工程) to a list; any organisation may add its own."""
    lst = _locked(List, lst.pk)
    require(actor, "change", lst.org)
    org = _owner_org(actor=actor, lst=lst, org=org)
    errors = {}
    if not (title or "").strip():
        errors["title"] = _("工程名称不能为空。")
    weight = _weight(weight, errors)
    if errors:
        raise ValidationError(errors)
    if position is None:
        position = lst.programmes.count() + 1
    programme = Programme.objects.create(list=lst, org=org, domain=domain, title=title.strip(),
                                         description=description or "", weight=weight, position=position)
    after = audit.snapshot(programme, PROGRAMME_FIELDS)
    _revise(actor=actor, lst=lst, obj=programme, object_type="programme",
            changes={"title": ["", programme.title]}, reason=reason)
    audit.record(actor=actor, action="create", obj=programme, org=org, after=after)
    refresh_shares([lst.pk])
    return programme


@transaction.atomic
def programme_update(*, actor, programme, reason="", expected_version=None, **changes):
    _locked(List, programme.list_id)
    programme = _locked(Programme, programme.pk)
    lst = programme.list
    require(actor, "change", lst.org)
    check_version(programme, expected_version)
    allowed = {"title", "domain", "org", "description", "weight", "position"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError({field: _("该字段不能在此修改。") for field in unknown})
    before = audit.snapshot(programme, PROGRAMME_FIELDS)
    errors = {}
    if "title" in changes and not (changes["title"] or "").strip():
        errors["title"] = _("工程名称不能为空。")
    if "weight" in changes:
        changes["weight"] = _weight(changes["weight"], errors)
    if errors:
        raise ValidationError(errors)
    if "org" in changes:
        changes["org"] = _owner_org(actor=actor, lst=lst, org=changes["org"])
    for field, value in changes.items():
        setattr(programme, field, value.strip() if field == "title" else value)
    programme = _save_revised(actor=actor, lst=lst, obj=programme, object_type="programme",
                              fields=PROGRAMME_FIELDS, before=before, reason=reason)
    refresh_shares([lst.pk])
    return programme


@transaction.atomic
def programme_delete(*, actor, programme):
    _locked(List, programme.list_id)
    programme = _locked(Programme, programme.pk)
    require(actor, "change", programme.list.org)
    _refuse_delete_if_published(programme.list)
    if ProgressReport.objects.filter(measure__project__programme=programme).exists():
        raise ValidationError({"programme": _("该工程下已有进展报告，不能删除。")}, code="has_progress")
    audit.record(actor=actor, action="delete", obj=programme, before=audit.snapshot(programme, PROGRAMME_FIELDS))
    programme.delete()
    refresh_shares([programme.list_id])


def _project_errors(*, lst, programme, title, weight, leader, actor):
    errors = {}
    if not (title or "").strip():
        errors["title"] = _("项目名称不能为空。")
    weight = _weight(weight, errors)
    if programme is not None and programme.list_id != lst.pk:
        errors["programme"] = _("所选工程不属于该清单。")
    if errors:
        raise ValidationError(errors)
    if leader is not None:
        require(actor, "view_members", leader.org, field="leader")
    return weight


def _refuse_member_who_left(member, field):
    """A leader or responsible person newly named must still be a member (not 转出/出党)."""
    if member is not None and type(member).objects.filter(pk=member.pk, left_on__isnull=False).exists():
        raise ValidationError({field: _("该党员已转出或出党。")})


def default_leader(org):
    """The organisation's current secretary, who leads its secretary projects."""
    from dangjian.orgs.models import Post, PostKind

    post = Post.objects.current().filter(org=org, kind=PostKind.SECRETARY).select_related("member").first()
    return post.member if post else None


@transaction.atomic
def project_create(*, actor, lst, title, programme=None, org=None, description="", is_secretary_project=False,
                   leader=None, weight=None, is_public=True, position=None, reason=""):
    """Add a project (项目) to a list, inside a programme or directly. A secretary project
    (书记项目) is led by the organisation's secretary unless a leader is given."""
    lst = _locked(List, lst.pk)
    require(actor, "change", lst.org)
    org = _owner_org(actor=actor, lst=lst, org=org)
    weight = _project_errors(lst=lst, programme=programme, title=title, weight=weight, leader=leader, actor=actor)
    _refuse_member_who_left(leader, "leader")
    if is_secretary_project and leader is None:
        leader = default_leader(org)
    if position is None:
        position = lst.projects.count() + 1
    project = Project.objects.create(list=lst, programme=programme, org=org, title=title.strip(),
                                     description=description or "", is_secretary_project=bool(is_secretary_project),
                                     leader=leader, weight=weight, is_public=bool(is_public), position=position)
    after = audit.snapshot(project, PROJECT_FIELDS)
    _revise(actor=actor, lst=lst, obj=project, object_type="project", changes={"title": ["", project.title]},
            reason=reason)
    audit.record(actor=actor, action="create", obj=project, org=org, after=after)
    refresh_shares([lst.pk])
    return project


@transaction.atomic
def project_update(*, actor, project, reason="", expected_version=None, **changes):
    _locked(List, project.list_id)
    project = _locked(Project, project.pk)
    lst = project.list
    require(actor, "change", lst.org)
    check_version(project, expected_version)
    allowed = {"title", "programme", "org", "description", "is_secretary_project", "leader", "weight", "is_public",
               "position"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError({field: _("该字段不能在此修改。") for field in unknown})
    before = audit.snapshot(project, PROJECT_FIELDS)
    merged = {"title": project.title, "programme": project.programme, "weight": project.weight,
              "leader": project.leader}
    merged.update({k: v for k, v in changes.items() if k in merged})
    changes["weight"] = _project_errors(lst=lst, actor=actor, **merged)
    if "leader" in changes:
        _refuse_member_who_left(changes["leader"], "leader")
    if "org" in changes:
        changes["org"] = _owner_org(actor=actor, lst=lst, org=changes["org"])
    for field, value in changes.items():
        setattr(project, field, value.strip() if field == "title" else value)
    project = _save_revised(actor=actor, lst=lst, obj=project, object_type="project", fields=PROJECT_FIELDS,
                            before=before, reason=reason)
    refresh_shares([lst.pk])
    return project


@transaction.atomic
def project_delete(*, actor, project):
    _locked(List, project.list_id)
    project = _locked(Project, project.pk)
    require(actor, "change", project.list.org)
    _refuse_delete_if_published(project.list)
    if ProgressReport.objects.filter(measure__project=project).exists():
        raise ValidationError({"project": _("该项目下已有进展报告，不能删除。")}, code="has_progress")
    audit.record(actor=actor, action="delete", obj=project, before=audit.snapshot(project, PROJECT_FIELDS))
    project.delete()
    refresh_shares([project.list_id])


# Measures ----------------------------------------------------------------------------

def measure_validate(*, actor, lst, project, org, responsible, title, target, target_value, target_unit, start_on,
                     deadline, weight, metric=""):
    """Validate a measure's fields (shared by create, update and imports); returns the
    cleaned weight and target value, or raises ValidationError with every field's error."""
    errors = {}
    if org is None:
        errors["org"] = _("请选择责任组织。")
    else:
        try:
            require(actor, "change", org, field="org")
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
        else:
            if not _in_subtree(org, lst.org):
                errors["org"] = _("责任组织须是清单所属组织或其下级组织。")
            elif org.closed_at:
                errors["org"] = _("该党组织已撤销。")
    if not (title or "").strip():
        errors["title"] = _("措施内容不能为空。")
    if not (target or "").strip():
        errors["target"] = _("请写明目标（怎样算完成）。")
    if not isinstance(start_on, datetime.date):
        errors["start_on"] = _("请填写开始日期。")
    if not isinstance(deadline, datetime.date):
        errors["deadline"] = _("请填写截止日期。")
    elif isinstance(start_on, datetime.date) and deadline < start_on:
        errors["deadline"] = _("截止日期不能早于开始日期。")
    weight = _weight(weight, errors)
    value = _decimal(target_value, "target_value", errors)
    if value is not None and value <= 0:
        errors["target_value"] = _("目标值应大于0。")
    if value is None and (target_unit or "").strip() and "target_value" not in errors:
        errors["target_value"] = _("填写了单位，请同时填写目标值。")
    if project is not None and project.list_id != lst.pk:
        errors["project"] = _("所选项目不属于该清单。")
    if metric and metrics.get(metric) is None:
        errors["metric"] = _("没有这个平台指标。")
    if responsible is not None and "org" not in errors and org is not None:
        from dangjian.core.scope import user_can

        if actor is not None and not user_can(actor, "view_members", responsible.org):
            errors["responsible"] = _("该党员不在您的管辖范围内。")
    if errors:
        raise ValidationError(errors)
    return weight, value


@transaction.atomic
def measure_create(*, actor, lst, org, title, target, start_on, deadline, project=None, responsible=None,
                   target_value=None, target_unit="", weight=None, is_public=True, position=None, reason="",
                   metric=""):
    """Add a measure (措施) with a responsible organisation and person, a start date, a
    deadline, a target and a weight. With a `metric` (a core.metrics key) its progress
    comes from the platform's records instead of reports."""
    lst = _locked(List, lst.pk)
    require(actor, "change", lst.org)
    weight, value = measure_validate(actor=actor, lst=lst, project=project, org=org, responsible=responsible,
                                     title=title, target=target, target_value=target_value, target_unit=target_unit,
                                     start_on=start_on, deadline=deadline, weight=weight, metric=metric)
    _refuse_member_who_left(responsible, "responsible")
    if position is None:
        position = lst.measures.count() + 1
    measure = Measure.objects.create(
        list=lst, project=project, org=org, responsible=responsible, title=title.strip(), target=target.strip(),
        target_value=value, target_unit=(target_unit or "").strip(), start_on=start_on, deadline=deadline,
        weight=weight, is_public=bool(is_public), position=position, search_text=search_key(title, org.name),
        metric=metric or "",
    )
    after = audit.snapshot(measure, MEASURE_FIELDS)
    _revise(actor=actor, lst=lst, obj=measure, object_type="measure", changes={"title": ["", measure.title]},
            reason=reason)
    audit.record(actor=actor, action="create", obj=measure, after=after)
    if measure.metric:
        refresh_bound_measures(measures=[measure])
    refresh_shares([lst.pk])
    return measure


@transaction.atomic
def measure_update(*, actor, measure, reason="", expected_version=None, **changes):
    """Change a measure's plan (not its progress: see measure_report_progress)."""
    _locked(List, measure.list_id)
    measure = _locked(Measure, measure.pk)
    lst = measure.list
    require(actor, "change", lst.org)
    require(actor, "change", measure.org)
    check_version(measure, expected_version)
    allowed = set(MEASURE_FIELDS)
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError({field: _("该字段不能在此修改。") for field in unknown})
    if measure.status == MeasureStatus.ACCEPTED:
        raise ValidationError({"status": _("已验收的措施不能修改。")}, code="accepted")
    before = audit.snapshot(measure, MEASURE_FIELDS)
    current = {name: getattr(measure, name) for name in (
        "project", "org", "responsible", "title", "target", "target_value", "target_unit", "start_on", "deadline",
        "weight", "metric")}
    current.update({k: v for k, v in changes.items() if k in current})
    weight, value = measure_validate(actor=actor, lst=lst, **current)
    if "responsible" in changes:
        _refuse_member_who_left(changes["responsible"], "responsible")
    changes.update({"weight": weight, "target_value": value})
    for field, val in changes.items():
        setattr(measure, field, val.strip() if isinstance(val, str) and field in ("title", "target") else val)
    measure = _save_revised(actor=actor, lst=lst, obj=measure, object_type="measure", fields=MEASURE_FIELDS,
                            before=before, reason=reason, search_parts=(measure.title, measure.org.name))
    if measure.metric:
        refresh_bound_measures(measures=[measure])
    refresh_shares([lst.pk])
    return measure


@transaction.atomic
def measure_delete(*, actor, measure):
    _locked(List, measure.list_id)
    measure = _locked(Measure, measure.pk)
    require(actor, "change", measure.list.org)
    _refuse_delete_if_published(measure.list)
    if measure.reports.exists():
        raise ValidationError({"measure": _("该措施已有进展报告，不能删除。")}, code="has_progress")
    audit.record(actor=actor, action="delete", obj=measure, before=audit.snapshot(measure, MEASURE_FIELDS))
    measure.delete()
    refresh_shares([measure.list_id])


# Progress, evidence, acceptance ------------------------------------------------------

@transaction.atomic
def measure_report_progress(*, actor, measure, percent=None, value=None, note="", files=(), keep_location=False):
    """Report progress on a measure: a percent, or a value reached towards the target
    (from which the percent follows), what was done, and optional evidence files (photos
    lose their EXIF location unless `keep_location`). At 100 % the measure goes to the
    level above for acceptance (验收)."""
    _locked(List, measure.list_id)  # a first report can change the list's shares: see refresh_shares
    measure = _locked(Measure, measure.pk)
    require(actor, "change", measure.org)
    errors = {}
    if measure.status == MeasureStatus.ACCEPTED:
        raise ValidationError({"status": _("该措施已验收，不能再报告进展。")}, code="accepted")
    if measure.metric:
        raise ValidationError({"percent": _("该措施的进度由平台记录自动计算，无需报告。")}, code="bound")
    percent_number = _decimal(percent, "percent", errors, message=_("进度请填写0到100之间的数字。"))
    value_number = _decimal(value, "value", errors)
    if percent_number is not None and not (0 <= percent_number <= 100):
        errors["percent"] = _("进度应在0%到100%之间。")
    if value_number is not None:
        if value_number < 0:
            errors["value"] = _("完成值不能为负数。")
        elif measure.target_value is None and percent_number is None:
            errors["value"] = _("该措施没有目标值，请填写百分比进度。")
    if percent_number is None and value_number is None and not errors:
        errors["percent"] = _("请填写进度。")
    if errors:
        raise ValidationError(errors)
    checked = check_files(files, keep_location=keep_location)
    if percent_number is None:
        percent_number = min(Decimal(100), value_number * 100 / measure.target_value)
    percent_number = percent_number.quantize(Decimal("0.01"))
    now = timezone.now()
    report = ProgressReport.objects.create(
        measure=measure, percent=percent_number, value=value_number, note=(note or "").strip(),
        reported_by=actor if actor is not None else None,
        reported_by_name=(str(actor) if actor is not None else _("系统")), reported_at=now,
    )
    store(checked, lambda item: Evidence(report=report, name=item.name, kind=item.kind,
                                         content_type=item.content_type, size=item.size, sha256=item.sha256))
    before = {"status": measure.status, "progress": measure.progress}
    first_report = not measure.has_progress
    measure.progress = percent_number
    measure.progress_value = value_number if value_number is not None else measure.progress_value
    measure.has_progress = True
    measure.last_reported_at = now
    if percent_number >= 100:
        measure.status = MeasureStatus.SUBMITTED
        measure.submitted_at = now
    else:
        measure.status = MeasureStatus.IN_PROGRESS
        measure.submitted_at = None
    measure.save(update_fields=["progress", "progress_value", "has_progress", "last_reported_at", "status",
                                "submitted_at", "updated_at"])
    if first_report:
        refresh_shares([measure.list_id])
    audit.record(actor=actor, action="report_progress", obj=report, org=measure.org, before=before,
                 after={"status": measure.status, "progress": measure.progress, "files": len(checked)})
    if measure.status == MeasureStatus.SUBMITTED:
        _on_commit_notify(measure.pk, "submitted")
    return report


def _require_reviewer(actor, measure):
    require(actor, "change", reviewing_org(measure.org))


@transaction.atomic
def measure_accept(*, actor, measure, note=""):
    """Accept (验收) a measure whose completion was reported; only the level above may."""
    measure = _locked(Measure, measure.pk)
    _require_reviewer(actor, measure)
    if measure.status != MeasureStatus.SUBMITTED:
        raise ValidationError({"status": _("只有进度达到100%、提交验收的措施才能验收。")}, code="not_submitted")
    now = timezone.now()
    measure.status = MeasureStatus.ACCEPTED
    measure.accepted_at = now
    measure.accepted_by = actor if actor is not None else None
    measure.save(update_fields=["status", "accepted_at", "accepted_by", "updated_at"])
    review = Review.objects.create(measure=measure, decision=ReviewDecision.ACCEPTED, reason=(note or "").strip(),
                                   reviewer=measure.accepted_by, reviewer_name=str(actor) if actor else _("系统"),
                                   reviewer_org=reviewing_org(measure.org), reviewed_at=now)
    audit.record(actor=actor, action="accept", obj=measure, after={"status": measure.status, "review": review.pk})
    _on_commit_notify(measure.pk, "accepted")
    return measure


# A reason that only asks for photos: evidence is optional (burden rules: no forced traces),
# so it cannot be the whole reason to send a measure back.
_PHOTO_ONLY = re.compile(r"^(请|需|需要|要)?(补充|补传|上传|补|提供|缺少?|没有|无|未见|未上传)?(现场|佐证|活动)?"
                         r"(照片|图片|相片|影像|photos?|pictures?)(材料)?[。.!！,，\s]*$", re.IGNORECASE)


@transaction.atomic
def measure_send_back(*, actor, measure, reason):
    """Send a measure back (退回) with a reason, which its owners see: it is open again for
    them. Lack of photos alone is not a reason (photos are optional evidence)."""
    measure = _locked(Measure, measure.pk)
    _require_reviewer(actor, measure)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写退回原因。")}, code="required")
    if _PHOTO_ONLY.match(reason):
        raise ValidationError({"reason": _("照片不是必需的，不能只因缺少照片而退回；请写明需要整改的内容。")},
                              code="photos_only")
    if measure.status not in (MeasureStatus.SUBMITTED, MeasureStatus.IN_PROGRESS):
        raise ValidationError({"status": _("只有推进中或待验收的措施可以退回。")}, code="not_reviewable")
    before = {"status": measure.status}
    measure.status = MeasureStatus.RETURNED
    measure.submitted_at = None
    measure.save(update_fields=["status", "submitted_at", "updated_at"])
    review = Review.objects.create(measure=measure, decision=ReviewDecision.RETURNED, reason=reason,
                                   reviewer=actor if actor is not None else None,
                                   reviewer_name=str(actor) if actor else _("系统"),
                                   reviewer_org=reviewing_org(measure.org))
    audit.record(actor=actor, action="send_back", obj=measure, before=before,
                 after={"status": measure.status, "reason": reason, "review": review.pk})
    _on_commit_notify(measure.pk, "returned")
    return measure


# Notifications -----------------------------------------------------------------------

@transaction.atomic
def notifications_mark_read(*, user, ids=None):
    """Mark the user's own notifications read (all unread ones when `ids` is None)."""
    qs = Notification.objects.for_user(user).unread()
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())


def sweep_deadlines(*, today=None, days=7, stdout=None):
    """Remind responsible people of measures due within `days`, and tell the level above
    about measures past their deadline. Idempotent: each reminder is written once."""
    from . import notifications

    today = today or timezone.localdate()
    result = notifications.sweep(today=today, days=days)
    with transaction.atomic():
        audit.record(actor=None, action="sweep", object_type="lists.measure", object_repr="截止日期检查",
                     after={"today": today, **result}, row_count=result["due_soon"] + result["overdue"])
    if stdout is not None:
        stdout.write(f"due soon: {result['due_soon']} measures, overdue: {result['overdue']} measures, "
                     f"notifications written: {result['written']}")
    return result
