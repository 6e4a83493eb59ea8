"""Forms of the 双报到 and 党建超市 pages. They parse input; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from dangjian.core.forms import ScopedForm
from dangjian.core.widgets import PickField

from .models import Attendance, ItemKind


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


def OrgPick(label, **kwargs):
    return PickField("org", action="change", options={"open": 1}, label=label, **kwargs)


class ReportForm(ScopedForm):
    member = PickField("member", action="change", options={"active": 1}, label=_("党员"), required=False,
                       help_text=_("为本支部党员登记时选择；为自己报到时留空。"))
    community = PickField("cs_community", label=_("居住地社区党组织"))
    offer = forms.CharField(label=_("可提供的服务"), widget=forms.Textarea(attrs={"rows": 2}), required=False,
                            max_length=500, help_text=_("如：义诊、法律咨询、楼道志愿者"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not getattr(self.user, "member_id", None):
            self.fields["member"].required = True
            self.fields["member"].help_text = ""


class DeclineForm(forms.Form):
    note = forms.CharField(label=_("原因"), max_length=200)


class ItemForm(ScopedForm):
    org = OrgPick(_("发布组织（社区或街道）"))
    kind = forms.ChoiceField(label=_("类型"), choices=ItemKind.choices, initial=ItemKind.ACTIVITY)
    title = forms.CharField(label=_("名称"), max_length=120)
    place = forms.CharField(label=_("地点"), max_length=120)
    starts_on = forms.DateField(label=_("日期"), widget=DateInput())
    time_text = forms.CharField(label=_("时间"), max_length=40, required=False, help_text=_("如：9:00—11:00"))
    capacity = forms.IntegerField(label=_("名额"), min_value=1, max_value=10000)
    description = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class BookForm(ScopedForm):
    """The organiser (or a branch) books for a reported member, or for a unit."""

    member = PickField("member", action="view_members", options={"active": 1}, label=_("党员"), required=False)
    unit = PickField("cs_unit", action="view", label=_("或：驻区单位"), required=False)

    def clean(self):
        data = super().clean()
        if bool(data.get("member")) == bool(data.get("unit")):
            raise forms.ValidationError(_("请选择党员或单位（二选一）。"))
        return data




class AttendanceForm(forms.Form):
    attendance = forms.ChoiceField(label=_("签到"), choices=[c for c in Attendance.choices if c[0]])
    service = forms.CharField(label=_("服务实绩"), max_length=500, required=False)


class ServiceForm(forms.Form):
    service = forms.CharField(label=_("服务实绩"), max_length=500)


class WhistleForm(ScopedForm):
    street = OrgPick(_("吹哨街道"))
    title = forms.CharField(label=_("事项"), max_length=120)
    place = forms.CharField(label=_("地点"), max_length=120)
    due_at = forms.DateTimeField(label=_("报到时限"), widget=DateTimeInput(), input_formats=["%Y-%m-%dT%H:%M",
                                                                                           "%Y-%m-%d %H:%M"])
    unit = PickField("cs_unit", action="view", label=_("报到单位"))
    unit_2 = PickField("cs_unit", action="view", label=_("报到单位（二）"), required=False)
    unit_3 = PickField("cs_unit", action="view", label=_("报到单位（三）"), required=False)
    description = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class CallForm(forms.Form):
    step = forms.ChoiceField(choices=[("answer", "answer"), ("arrive", "arrive"), ("result", "result")])
    result = forms.CharField(label=_("处置结果"), max_length=500, required=False)


class DemandForm(ScopedForm):
    community = OrgPick(_("社区"))
    title = forms.CharField(label=_("需求"), max_length=120)
    source = forms.CharField(label=_("来源"), max_length=60, required=False, help_text=_("如：居民诉求、入户走访"))
    description = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class ResourceForm(ScopedForm):
    community = OrgPick(_("社区"))
    title = forms.CharField(label=_("资源"), max_length=120)
    unit = PickField("cs_unit", action="view", label=_("提供单位"), required=False)
    provider_name = forms.CharField(label=_("或：提供方名称"), max_length=120, required=False)
    description = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class ClaimForm(ScopedForm):
    unit = PickField("cs_unit", action="view", label=_("认领单位"), required=False)
    claimant_name = forms.CharField(label=_("或：认领方名称"), max_length=120, required=False)
    deadline = forms.DateField(label=_("完成期限"), widget=DateInput())
    target = forms.CharField(label=_("目标（怎样算完成）"), max_length=300, required=False)


class ResourceClaimForm(forms.Form):
    deadline = forms.DateField(label=_("完成期限"), widget=DateInput())
    target = forms.CharField(label=_("目标（怎样算完成）"), max_length=300, required=False)


class CompleteForm(forms.Form):
    result = forms.CharField(label=_("完成情况"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000)
