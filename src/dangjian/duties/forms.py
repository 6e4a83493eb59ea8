"""Forms of the duty pages. Nobody types an id: members and organisations are picked."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.core import uploads
from dangjian.core.forms import ScopedForm
from dangjian.core.widgets import PickField
from dangjian.orgs.models import HanyangLevel, OrgKind, PostKind, Sector

from .models import THEME_DAY, ActivityKind, AttendanceStatus, Frequency

GUESTS = 3


def photo_fields():
    """Optional photos (the phone's camera opens) and files: never required."""
    return {
        "photos": uploads.MultipleFileField(
            label=_("拍照（可选）"), required=False, accept="image/*", capture="environment"),
        "files": uploads.MultipleFileField(
            label=_("照片或文件（可选）"), required=False,
            help_text=_("不是必填项。每次最多9个文件，每个不超过10MB；照片中的拍摄位置默认去除。")),
        "keep_location": forms.BooleanField(label=_("保留照片中的拍摄位置"), required=False),
    }


def chosen_files(data):
    return list(data.get("photos") or []) + list(data.get("files") or [])


class ActivityForm(ScopedForm):
    """Record a meeting: kinds, when, topic; attendance starts with every member present,
    so marking the absent is all the typing. Guests from other branches are picked below."""

    kinds = forms.ModelMultipleChoiceField(label=_("活动类型（可多选）"), queryset=ActivityKind.objects.all(),
                                           widget=forms.CheckboxSelectMultiple)
    day = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    time = forms.TimeField(label=_("时间"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    topic = forms.CharField(label=_("主题"), max_length=200)
    place = forms.CharField(label=_("地点"), max_length=120, required=False)
    chair = PickField("member", action="view_members", label=_("主持人"), required=False, options={"active": 1})
    recorder = PickField("member", action="view_members", label=_("记录人"), required=False, options={"active": 1})
    minutes = forms.CharField(label=_("会议记录（可选）"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, org, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.org, self.members = org, members
        self.fields["chair"].narrow(within=org.pk)
        self.fields["recorder"].narrow(within=org.pk)
        for member in members:
            self.fields[f"att_{member.pk}"] = forms.ChoiceField(
                label=member.name, choices=AttendanceStatus.choices, initial=AttendanceStatus.PRESENT, required=False)
            self.fields[f"reason_{member.pk}"] = forms.CharField(
                label=_("%(name)s缺席/请假原因") % {"name": member.name}, max_length=200, required=False,
                widget=forms.TextInput(attrs={"placeholder": _("缺席/请假原因"), "aria-label": _("%(name)s缺席/请假原因")
                                              % {"name": member.name}}))
        for index in range(1, GUESTS + 1):
            self.fields[f"guest_{index}"] = PickField("member", action="view_members", label=_("列席人员（外支部）"),
                                                      required=False, options={"active": 1})
        self.fields.update(photo_fields())

    def upload_fields(self):
        return [self[name] for name in ("photos", "files", "keep_location")]

    def attendance_rows(self):
        """(status field, reason field) per member, for the template."""
        return [(self[f"att_{m.pk}"], self[f"reason_{m.pk}"]) for m in self.members]

    def guest_fields(self):
        return [self[f"guest_{i}"] for i in range(1, GUESTS + 1)]

    def main_fields(self):
        return [self[name] for name in ("kinds", "day", "time", "topic", "place", "chair", "recorder", "minutes")]

    def clean(self):
        data = super().clean()
        day, time = data.get("day"), data.get("time")
        if day and time:
            data["starts_at"] = timezone.make_aware(datetime.datetime.combine(day, time))
        return data

    def attendance(self):
        data = self.cleaned_data
        rows = [{"member": m, "status": data.get(f"att_{m.pk}") or AttendanceStatus.PRESENT,
                 "reason": data.get(f"reason_{m.pk}", ""), "is_guest": False} for m in self.members]
        seen = {m.pk for m in self.members}
        for index in range(1, GUESTS + 1):
            guest = data.get(f"guest_{index}")
            if guest is not None and guest.pk not in seen:
                seen.add(guest.pk)
                rows.append({"member": guest, "status": AttendanceStatus.PRESENT, "reason": "", "is_guest": True})
        return rows


def activity_initial(org):
    now = timezone.localtime()
    kind = ActivityKind.objects.filter(code=THEME_DAY).first()
    return {"kinds": [kind] if kind else [], "day": now.date(), "time": now.replace(second=0, microsecond=0).time()}


class FulfilForm(forms.Form):
    """履职记录 of a free-form duty: when, what was done, optional files."""

    done_on = forms.DateField(label=_("履职日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    note = forms.CharField(label=_("履职情况"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(photo_fields())


class ExcuseForm(ScopedForm):
    reason = forms.CharField(label=_("免除理由"), max_length=200, widget=forms.Textarea(attrs={"rows": 2}))


class PlanForm(ScopedForm):
    month = forms.DateField(label=_("月份（该月任一天）"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    planned_on = forms.DateField(label=_("计划日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    topic = forms.CharField(label=_("计划主题"), max_length=200)


class RuleForm(ScopedForm):
    kind = forms.ModelChoiceField(label=_("活动类型"), queryset=ActivityKind.objects.all(), required=False)
    title = forms.CharField(label=_("职责名称（不选活动类型时填写）"), max_length=120, required=False)
    frequency = forms.ChoiceField(label=_("频次"), choices=[("", "—"), *Frequency.choices], required=False)
    times = forms.IntegerField(label=_("每期次数"), min_value=1, max_value=31, initial=1)
    org_kinds = forms.MultipleChoiceField(label=_("适用组织类别（不选为全部）"), choices=OrgKind.choices,
                                          required=False, widget=forms.CheckboxSelectMultiple)
    sectors = forms.MultipleChoiceField(label=_("适用领域（不选为全部）"), choices=Sector.choices, required=False,
                                        widget=forms.CheckboxSelectMultiple)
    levels = forms.MultipleChoiceField(label=_("适用层级（不选为全部）"), choices=HanyangLevel.choices, required=False,
                                       widget=forms.CheckboxSelectMultiple)
    root = PickField("org", action="change", label=_("适用范围（组织及下级，可不选）"), required=False)
    post_kinds = forms.MultipleChoiceField(
        label=_("适用职务（选择后为任职人员的个人职责，由其主持的活动履行；不选为组织的职责）"),
        choices=PostKind.choices, required=False, widget=forms.CheckboxSelectMultiple)
    valid_from = forms.DateField(label=_("生效日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


class ThresholdForm(ScopedForm):
    green = forms.DecimalField(label=_("绿色下限（%）"), min_value=0, max_value=100, decimal_places=2)
    yellow = forms.DecimalField(label=_("黄色下限（%）"), min_value=0, max_value=100, decimal_places=2)


class CompliancePeriodForm(forms.Form):
    period = forms.ChoiceField(label=_("期间"), required=False)
