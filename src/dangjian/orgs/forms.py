"""Forms of the organisation pages. They parse input only; the services decide and write.
Orgs, areas and members are chosen with pickers (`core.widgets.PickField`): typed by
name, pinyin or initials and resolved inside the user's scope."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.core.forms import ScopedForm
from dangjian.core.widgets import PickField

from .models import Education, Gender, HanyangLevel, MemberCategory, MemberStatus, OrgKind, PostKind, Sector


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def _blank(choices, label=_("（不填）")):
    return [("", label), *choices]


class OrgForm(ScopedForm):
    name = forms.CharField(label=_("名称"), max_length=120)
    short_name = forms.CharField(label=_("简称"), max_length=60, required=False)
    kind = forms.ChoiceField(label=_("组织类别"), choices=OrgKind.choices)
    sector = forms.ChoiceField(label=_("领域"), choices=Sector.choices)
    hanyang_level = forms.ChoiceField(label=_("六级体系层级"), choices=_blank(HanyangLevel.choices[:4]), required=False)
    is_regional = forms.BooleanField(label=_("区域化（大工委/大党委）"), required=False)
    area = PickField("area", label=_("覆盖区域"), required=False, help_text=_("不覆盖具体区域的组织留空。"))
    code = forms.CharField(label=_("组织代码"), max_length=32, required=False)
    unit_name = forms.CharField(label=_("所在单位"), max_length=120, required=False)
    founded_on = forms.DateField(label=_("成立日期"), required=False, widget=DateInput())
    phone = forms.CharField(label=_("联系电话"), max_length=32, required=False)

    @classmethod
    def initial_for(cls, org):
        return {name: getattr(org, name) for name in cls.base_fields}


class OrgMoveForm(ScopedForm):
    new_parent = PickField("org", action="change", options={"open": 1}, label=_("新的上级组织"))


class OrgCloseForm(forms.Form):
    closed_at = forms.DateField(label=_("撤销日期"), widget=DateInput(), initial=timezone.localdate)


class MemberForm(ScopedForm):
    """Registers or edits a member. On edit the personal numbers are optional: left blank
    they keep their stored value, so the form never has to show them in full."""

    name = forms.CharField(label=_("姓名"), max_length=60)
    id_number = forms.CharField(label=_("身份证号"), max_length=18, widget=forms.TextInput(attrs={"autocomplete": "off"}))
    gender = forms.ChoiceField(label=_("性别"), choices=_blank(Gender.choices, _("按身份证号")), required=False)
    ethnicity = forms.CharField(label=_("民族"), max_length=20, initial="汉族")
    education = forms.ChoiceField(label=_("学历"), choices=_blank(Education.choices), required=False)
    phone = forms.CharField(label=_("手机号"), max_length=15, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}))
    address = forms.CharField(label=_("住址"), max_length=200, required=False)
    joined_on = forms.DateField(label=_("入党日期"), widget=DateInput())
    full_on = forms.DateField(label=_("转正日期"), required=False, widget=DateInput())
    status = forms.ChoiceField(label=_("党员状态"), choices=MemberStatus.choices)
    category = forms.ChoiceField(label=_("人员类别"), choices=MemberCategory.choices)
    job = forms.CharField(label=_("工作岗位"), max_length=60, required=False)
    employer_name = forms.CharField(label=_("工作单位"), max_length=120, required=False)
    org = PickField("org", action="change", options={"open": 1}, label=_("所在党组织"))
    residence_area = PickField("area", label=_("居住社区"), required=False)

    def __init__(self, *args, member=None, **kwargs):
        self.member = member
        super().__init__(*args, **kwargs)
        if member is not None:
            keep = _("留空则保持不变（现为 %(masked)s）")
            self.fields["id_number"].required = False
            self.fields["id_number"].help_text = keep % {"masked": member.id_number_masked}
            self.fields["phone"].help_text = keep % {"masked": member.phone_masked or "—"}
            self.fields["address"].help_text = keep % {"masked": member.address_masked or "—"}

    def service_fields(self):
        """The cleaned data as member_create/member_update keywords (blank secrets kept on edit)."""
        data = dict(self.cleaned_data)
        if self.member is not None:
            for secret in ("id_number", "phone", "address"):
                if not data.get(secret):
                    data.pop(secret)
        return data

    @classmethod
    def initial_for(cls, member):
        return {name: getattr(member, name) for name in cls.base_fields
                if name not in ("id_number", "phone", "address")}


class PostAssignForm(ScopedForm):
    member = PickField("member", options={"active": 1}, label=_("党员"), required=False)
    # A post such as 楼栋长 may be held by a resident who is not a Party member (issue 9.1).
    person_name = forms.CharField(label=_("或：非党员任职人姓名"), max_length=60, required=False,
                                  help_text=_("楼栋长等职务可由非党员居民担任：不选党员时填写姓名。"))
    person_phone = forms.CharField(label=_("非党员任职人电话"), max_length=20, required=False)
    kind = forms.ChoiceField(label=_("职务"), choices=PostKind.choices)
    start_on = forms.DateField(label=_("任职日期"), widget=DateInput(), initial=timezone.localdate)
    area = PickField("area", label=_("负责区域"), required=False)
    representing = forms.CharField(label=_("代表单位"), max_length=120, required=False)

    def clean(self):
        data = super().clean()
        if bool(data.get("member")) == bool((data.get("person_name") or "").strip()):
            raise forms.ValidationError(_("请选择任职的党员，或填写非党员任职人的姓名（二选一）。"))
        return data


class PostEndForm(forms.Form):
    end_on = forms.DateField(label=_("离任日期"), widget=DateInput(), initial=timezone.localdate)


def add_service_errors(form, error, aliases=None):
    """Show a service's ValidationError on the form fields it names (others at the top)."""
    aliases = aliases or {}
    if hasattr(error, "error_dict"):
        items = error.message_dict.items()
    else:
        items = [(None, error.messages)]
    for field, messages in items:
        target = aliases.get(field, field)
        if target not in form.fields:
            target = None
        for message in messages:
            form.add_error(target, message)

