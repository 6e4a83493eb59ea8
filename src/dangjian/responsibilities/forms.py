"""Forms of the module's pages. They parse input only; the services decide and write.
Leaders and organisations are chosen with pickers, never typed as ids."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.core.forms import ScopedForm
from dangjian.core.widgets import PickField

from .models import DocumentKind, LeaderDutyItem, Level


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def MemberPick(label, required=True):
    return PickField("member", action="view_members", options={"active": 1}, label=label, required=required)


class DatesMixin:
    start_name, end_name = "start_on", "end_on"

    def clean(self):
        data = super().clean()
        start, end = data.get(self.start_name), data.get(self.end_name)
        if start and end and end < start:
            self.add_error(self.end_name, _("结束日期不能早于开始日期。"))
        return data


class ResponsibilityForm(DatesMixin, ScopedForm):
    level = forms.ChoiceField(label=_("责任类别"), choices=Level.choices)
    member = MemberPick(_("责任人"))
    portfolio = forms.CharField(label=_("分管工作"), max_length=120, required=False)
    start_on = forms.DateField(label=_("开始日期"), widget=DateInput())
    end_on = forms.DateField(label=_("结束日期"), widget=DateInput(), required=False,
                             help_text=_("离任时填写；现任的不填。"))

    def __init__(self, *args, org=None, **kwargs):
        super().__init__(*args, **kwargs)
        if org is not None:
            self.fields["member"].narrow(within=org.pk)


class DocumentForm(ScopedForm):
    kind = forms.ChoiceField(label=_("类别"), choices=DocumentKind.choices)
    title = forms.CharField(label=_("标题"), max_length=200)
    member = MemberPick(_("签订人"))
    counterparty = forms.CharField(label=_("签订对象"), max_length=120, required=False,
                                   help_text=_("如：上级党委、全体党员群众。"))
    signed_on = forms.DateField(label=_("签订日期"), widget=DateInput())
    summary = forms.CharField(label=_("主要内容"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    file = forms.FileField(label=_("附件（可选）"), required=False,
                           help_text=_("PDF、JPG/PNG图片或Word文件，不超过10MB。"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.docx"}))


class DutyItemForm(ScopedForm):
    name = forms.CharField(label=_("名称"), max_length=80)
    times_per_year = forms.IntegerField(label=_("每年次数"), min_value=1, max_value=366, initial=1)
    description = forms.CharField(label=_("说明"), max_length=200, required=False)
    position = forms.IntegerField(label=_("排序"), min_value=0, max_value=999, required=False)
    active = forms.BooleanField(label=_("启用"), required=False, initial=True)


class DutyRecordForm(ScopedForm):
    org = PickField("org", action="change", options={"open": 1}, label=_("所在党组织"))
    item = forms.ModelChoiceField(label=_("事项"), queryset=LeaderDutyItem.objects.filter(active=True))
    done_on = forms.DateField(label=_("日期"), widget=DateInput())
    summary = forms.CharField(label=_("开展情况"), widget=forms.Textarea(attrs={"rows": 3}))


class ContactPointForm(DatesMixin, ScopedForm):
    start_name, end_name = "since", "until"
    member = MemberPick(_("联系领导"))
    point_org = PickField("org", action="view", options={"open": 1}, label=_("联系点"))
    since = forms.DateField(label=_("开始日期"), widget=DateInput())
    until = forms.DateField(label=_("结束日期"), widget=DateInput(), required=False)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args, org=None, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["member"]
        if org is not None:
            self.fields["point_org"].narrow(within=org.pk)
            if "member" in self.fields:
                self.fields["member"].narrow(within=org.pk)


class VisitForm(ScopedForm):
    visited_on = forms.DateField(label=_("走访日期"), widget=DateInput())
    summary = forms.CharField(label=_("走访情况"), widget=forms.Textarea(attrs={"rows": 3}))
    problems = forms.CharField(label=_("发现问题"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    follow_up = forms.CharField(label=_("整改跟进"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    @staticmethod
    def initial_new():
        return {"visited_on": timezone.localdate()}
