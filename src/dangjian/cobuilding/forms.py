"""Forms of the co-building pages. They parse input only; the services decide and write.
Areas, organisations, units and members are chosen with pickers."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.core.forms import ScopedForm
from dangjian.core.widgets import PickField
from dangjian.orgs.forms import DateInput

from .models import AgreementKind, AllianceKind, Coverage, PartyRole, Rating, UnitKind


class UnitForm(ScopedForm):
    name = forms.CharField(label=_("单位名称"), max_length=200)
    kind = forms.ChoiceField(label=_("单位类型"), choices=UnitKind.choices)
    credit_code = forms.CharField(label=_("统一社会信用代码"), max_length=24, required=False,
                                  help_text=_("18位；企业必填，其他单位有则填写。"),
                                  widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))
    area = PickField("area", action="change", label=_("所在区域"),
                     help_text=_("单位所在的社区（村）或网格；单位归属该社区（街道）党组织管理。"))
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    staff_size = forms.IntegerField(label=_("从业人员数"), required=False, min_value=0, max_value=10_000_000)
    coverage = forms.ChoiceField(label=_("党组织覆盖方式"), choices=Coverage.choices, initial=Coverage.NONE)
    covering_org = PickField("org", action="view", options={"open": 1}, label=_("覆盖党组织"), required=False,
                             help_text=_("单独或联合组建党组织时必填。"))
    contact_name = forms.CharField(label=_("联系人"), max_length=60, required=False)

    @classmethod
    def initial_for(cls, unit):
        return {name: getattr(unit, name) for name in cls.base_fields}


class UnitReportForm(ScopedForm):
    community = PickField("org", action="view", options={"open": 1}, label=_("报到社区党组织"))
    offer = forms.CharField(label=_("可提供的资源与服务"), required=False, max_length=1000,
                            widget=forms.Textarea(attrs={"rows": 2}))


class UnitCloseForm(forms.Form):
    on = forms.DateField(label=_("迁出/注销日期"), widget=DateInput(), initial=timezone.localdate)


class AgreementForm(ScopedForm):
    title = forms.CharField(label=_("协议名称"), max_length=200)
    kind = forms.ChoiceField(label=_("协议类型"), choices=AgreementKind.choices)
    org = PickField("org", action="change", options={"open": 1}, label=_("社区/街道党组织"))
    start_on = forms.DateField(label=_("开始日期"), widget=DateInput())
    end_on = forms.DateField(label=_("结束日期"), widget=DateInput())
    signed_on = forms.DateField(label=_("签订日期"), widget=DateInput(), required=False)
    unit_1 = PickField("unit", label=_("共建单位一"))
    role_1 = forms.ChoiceField(label=_("角色"), choices=PartyRole.choices)
    unit_2 = PickField("unit", label=_("共建单位二"), required=False)
    role_2 = forms.ChoiceField(label=_("角色"), choices=PartyRole.choices)
    unit_3 = PickField("unit", label=_("共建单位三"), required=False)
    role_3 = forms.ChoiceField(label=_("角色"), choices=PartyRole.choices)
    org_commitments = forms.CharField(label=_("党组织承诺（每行一项）"), required=False,
                                      widget=forms.Textarea(attrs={"rows": 3}))
    unit_commitments = forms.CharField(label=_("共建单位一承诺（每行一项）"), required=False,
                                       widget=forms.Textarea(attrs={"rows": 3}))
    signed_file = forms.FileField(label=_("签字文本"), required=False)

    def service_fields(self):
        data = self.cleaned_data
        parties = [(data[f"unit_{i}"], data[f"role_{i}"]) for i in (1, 2, 3) if data.get(f"unit_{i}")]
        lines = lambda text: [line for line in (text or "").splitlines() if line.strip()]  # noqa: E731
        commitments = [(None, t) for t in lines(data["org_commitments"])]
        commitments += [(data["unit_1"], t) for t in lines(data["unit_commitments"])]
        return dict(org=data["org"], title=data["title"], kind=data["kind"], start_on=data["start_on"],
                    end_on=data["end_on"], signed_on=data["signed_on"], parties=parties, commitments=commitments,
                    signed_file=data.get("signed_file"))


class AllianceForm(ScopedForm):
    name = forms.CharField(label=_("名称"), max_length=200)
    kind = forms.ChoiceField(label=_("类型"), choices=AllianceKind.choices)
    lead_org = PickField("org", action="change", options={"open": 1}, label=_("牵头党组织"))
    founded_on = forms.DateField(label=_("成立日期"), widget=DateInput())
    member_org_1 = PickField("org", action="view", options={"open": 1}, label=_("成员党组织一"), required=False)
    member_org_2 = PickField("org", action="view", options={"open": 1}, label=_("成员党组织二"), required=False)
    member_unit_1 = PickField("unit", label=_("成员单位一"), required=False)
    member_unit_2 = PickField("unit", label=_("成员单位二"), required=False)
    description = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def service_fields(self):
        data = self.cleaned_data
        return dict(name=data["name"], kind=data["kind"], lead_org=data["lead_org"], founded_on=data["founded_on"],
                    description=data["description"],
                    member_orgs=[data[k] for k in ("member_org_1", "member_org_2") if data.get(k)],
                    member_units=[data[k] for k in ("member_unit_1", "member_unit_2") if data.get(k)])


class InstructorForm(ScopedForm):
    org = PickField("org", action="change", options={"open": 1}, label=_("选派党组织"))
    member = PickField("member", action="view_members", label=_("党员"), required=False,
                       help_text=_("在党员库中的人员选此项；否则填写下方姓名。"))
    person_name = forms.CharField(label=_("非登记人员姓名"), max_length=60, required=False)
    person_phone = forms.CharField(label=_("手机号"), max_length=15, required=False)
    former_post = forms.CharField(label=_("原任职务"), max_length=120, required=False)
    appointed_on = forms.DateField(label=_("选派日期"), widget=DateInput(), initial=timezone.localdate)
    record = forms.CharField(label=_("个人简历"), required=False, widget=forms.Textarea(attrs={"rows": 4}))


class AssignForm(ScopedForm):
    unit = PickField("unit", action="change", label=_("派驻单位"))
    start_on = forms.DateField(label=_("开始日期"), widget=DateInput(), initial=timezone.localdate)
    end_on = forms.DateField(label=_("结束日期"), widget=DateInput(), required=False)


class ReviewForm(forms.Form):
    period = forms.CharField(label=_("考评周期"), max_length=20)
    unit_rating = forms.ChoiceField(label=_("单位评价"), choices=[("", "—"), *Rating.choices], required=False)
    unit_comment = forms.CharField(label=_("单位评价意见"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    sender_rating = forms.ChoiceField(label=_("选派单位考评"), choices=[("", "—"), *Rating.choices], required=False)
    sender_comment = forms.CharField(label=_("选派单位考评意见"), required=False,
                                     widget=forms.Textarea(attrs={"rows": 2}))
