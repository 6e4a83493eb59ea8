"""Forms of the list pages. They parse input only; the services decide and write.
Organisations and responsible people are chosen with pickers (`core.widgets.PickField`),
narrowed to the list's subtree and resolved inside the user's scope."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.core import metrics
from dangjian.core.forms import ScopedForm
from dangjian.core.uploads import MultipleFileField
from dangjian.core.widgets import PickField

from .models import Averaging, ListKind, MissingProgress, Programme, ProgrammeDomain, Project


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class WeightInput(forms.NumberInput):
    def __init__(self):
        super().__init__(attrs={"step": "0.01", "min": "0.01", "max": "100", "inputmode": "decimal"})


def OrgPick(label, required=True, **kwargs):
    """An open organisation the user may change."""
    return PickField("org", action="change", options={"open": 1}, label=label, required=required, **kwargs)


class ReasonMixin:
    """After publication every change needs a reason (shown on the public page)."""

    def add_reason(self, lst):
        if lst is not None and lst.was_published:
            self.fields["reason"] = forms.CharField(
                label=_("变更原因（将在公示页显示）"), widget=forms.Textarea(attrs={"rows": 2}), required=True)


class ListForm(ScopedForm):
    org = OrgPick(_("所属组织"))
    kind = forms.ChoiceField(label=_("清单类型"), choices=ListKind.choices)
    title = forms.CharField(label=_("清单名称"), max_length=200)
    period_start = forms.DateField(label=_("开始日期"), widget=DateInput())
    period_end = forms.DateField(label=_("结束日期"), widget=DateInput())
    averaging = forms.ChoiceField(label=_("汇总方式"), choices=Averaging.choices, initial=Averaging.WEIGHTED,
                                  help_text=_("加权平均：Σ(权重×进度)÷Σ权重；简单平均：各项进度相加后除以项数。"))
    missing_progress = forms.ChoiceField(label=_("未报进度的事项"), choices=MissingProgress.choices,
                                         initial=MissingProgress.EXCLUDE)
    description = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, lst=None, **kwargs):
        super().__init__(*args, **kwargs)
        if lst is not None:
            del self.fields["org"]
            if lst.was_published:
                self.fields["reason"] = forms.CharField(label=_("变更原因（将在公示页显示）"),
                                                        widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("结束日期不能早于开始日期。"))
        return data

    @staticmethod
    def initial_for(lst):
        return {name: getattr(lst, name) for name in ("kind", "title", "period_start", "period_end", "averaging",
                                                       "missing_progress", "description")}

    @staticmethod
    def initial_new(user, org=None):
        today = timezone.localdate()
        return {"org": org.pk if org else None, "period_start": today.replace(month=1, day=1),
                "period_end": today.replace(month=12, day=31), "title": _("%(year)s年任务清单") % {"year": today.year},
                "kind": ListKind.TASK}


class ProgrammeForm(ReasonMixin, ScopedForm):
    title = forms.CharField(label=_("工程名称"), max_length=200)
    domain = forms.ModelChoiceField(label=_("工程领域"), queryset=ProgrammeDomain.objects.all(), required=False,
                                    empty_label=_("（自定工程，不属于六大领域）"))
    org = OrgPick(_("牵头组织"), required=False, help_text=_("留空即清单所属组织。"))
    weight = forms.DecimalField(label=_("权重"), max_digits=5, decimal_places=2, initial=1, widget=WeightInput())
    description = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, lst, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].narrow(within=lst.org_id)
        self.add_reason(lst)


class ProjectForm(ReasonMixin, ScopedForm):
    title = forms.CharField(label=_("项目名称"), max_length=200)
    programme = forms.ModelChoiceField(label=_("所属工程"), queryset=Programme.objects.none(), required=False,
                                       empty_label=_("（不属于工程）"))
    org = OrgPick(_("牵头组织"), required=False, help_text=_("留空即清单所属组织。"))
    is_secretary_project = forms.BooleanField(label=_("书记项目（由该组织书记牵头）"), required=False)
    weight = forms.DecimalField(label=_("权重"), max_digits=5, decimal_places=2, initial=1, widget=WeightInput())
    is_public = forms.BooleanField(label=_("公示"), required=False, initial=True)
    description = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, lst, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = Programme.objects.filter(list=lst)
        if not lst.programmes.exists():
            del self.fields["programme"]
        self.fields["org"].narrow(within=lst.org_id)
        self.add_reason(lst)


class MeasureForm(ReasonMixin, ScopedForm):
    title = forms.CharField(label=_("措施"), max_length=300)
    target = forms.CharField(label=_("目标（怎样算完成）"), widget=forms.Textarea(attrs={"rows": 2}))
    target_value = forms.DecimalField(label=_("目标值（可选）"), max_digits=14, decimal_places=2, required=False,
                                      widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}))
    target_unit = forms.CharField(label=_("单位"), max_length=20, required=False)
    project = forms.ModelChoiceField(label=_("所属项目"), queryset=Project.objects.none(), required=False,
                                     empty_label=_("（直接列入清单）"))
    org = OrgPick(_("责任组织"))
    responsible = PickField("member", options={"active": 1}, label=_("责任人"), required=False)
    start_on = forms.DateField(label=_("开始日期"), widget=DateInput())
    deadline = forms.DateField(label=_("截止日期"), widget=DateInput())
    weight = forms.DecimalField(label=_("权重"), max_digits=5, decimal_places=2, initial=1, widget=WeightInput(),
                                help_text=_("在所属项目（或清单）中的权重，大于0且不超过100。"))
    is_public = forms.BooleanField(label=_("公示"), required=False, initial=True)
    metric = forms.ChoiceField(label=_("进度来源"), required=False,
                               help_text=_("绑定平台指标后，进度由平台记录自动计算，无需报告。"))

    def __init__(self, *args, lst, **kwargs):
        super().__init__(*args, **kwargs)
        self.lst = lst
        self.fields["metric"].choices = [("", _("责任人报告进展")), *metrics.choices()]
        self.fields["project"].queryset = Project.objects.filter(list=lst).order_by("position", "id")
        if not lst.projects.exists():
            del self.fields["project"]
        self.fields["org"].narrow(within=lst.org_id)
        self.fields["responsible"].narrow(within=lst.org_id)
        self.add_reason(lst)

    def clean(self):
        data = super().clean()
        start, deadline = data.get("start_on"), data.get("deadline")
        if start and deadline and deadline < start:
            self.add_error("deadline", _("截止日期不能早于开始日期。"))
        return data

    @staticmethod
    def initial_for(measure):
        initial = {name: getattr(measure, name) for name in ("title", "target", "target_value", "target_unit",
                                                              "start_on", "deadline", "weight", "is_public",
                                                              "metric")}
        initial.update(project=measure.project_id, org=measure.org, responsible=measure.responsible)
        return initial


class ReportForm(forms.Form):
    percent = forms.DecimalField(label=_("进度（%）"), required=False, max_digits=6, decimal_places=2,
                                 widget=forms.NumberInput(attrs={"step": "any", "min": "0", "max": "100",
                                                                 "inputmode": "decimal"}))
    value = forms.DecimalField(label=_("已完成值"), required=False, max_digits=14, decimal_places=2,
                               widget=forms.NumberInput(attrs={"step": "any", "min": "0", "inputmode": "decimal"}))
    note = forms.CharField(label=_("进展情况"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    files = MultipleFileField(label=_("佐证材料（可选：照片或文件）"), required=False,
                              help_text=_("不是必填项。每次最多9个文件，每个不超过10MB。"))
    keep_location = forms.BooleanField(label=_("保留照片中的拍摄位置"), required=False,
                                       help_text=_("默认去除照片里的定位信息（EXIF）。"))

    def __init__(self, *args, measure, **kwargs):
        super().__init__(*args, **kwargs)
        # Progress is entered one way: the value reached when the measure has a target value
        # (the percent follows from it), else the percent.
        if measure.target_value is None:
            del self.fields["value"]
            self.fields["percent"].required = True
        else:
            del self.fields["percent"]
            self.fields["value"].required = True
            self.fields["value"].label = _("已完成值（目标 %(value)s%(unit)s）") % {
                "value": format(measure.target_value.normalize(), "f"), "unit": measure.target_unit}
            self.fields["value"].help_text = _("系统按目标值折算进度。")


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(label=_("验收结论"), choices=[("accept", _("验收通过")), ("return", _("退回整改"))],
                                 widget=forms.RadioSelect)
    reason = forms.CharField(label=_("意见（退回时必填，写明需要整改什么）"), widget=forms.Textarea(attrs={"rows": 2}),
                             required=False)


class PublishForm(forms.Form):
    reason = forms.CharField(label=_("撤下公示的原因"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
