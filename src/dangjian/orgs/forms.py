"""Forms of the organisation pages. They parse input only; the services decide and write.
Orgs, areas and members are picked by number (their id, shown on every page) and
resolved inside the user's scope, so a picker never lists a city's 25,000 rows."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.core.scope import scope_paths
from dangjian.core.tree import in_subtree

from .models import (
    Area,
    Education,
    Gender,
    HanyangLevel,
    Member,
    MemberCategory,
    MemberStatus,
    Org,
    OrgKind,
    PostKind,
    Sector,
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def _blank(choices, label=_("（不填）")):
    return [("", label), *choices]


class PickerField(forms.IntegerField):
    """A number input naming a row by id; `resolve` turns it into the row or an error."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("widget", forms.NumberInput(attrs={"inputmode": "numeric"}))
        super().__init__(*args, **kwargs)


class ScopedForm(forms.Form):
    """A form that knows its user, to resolve picked rows inside the user's scope."""

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def _visible_org(self, pk, action="view"):
        if pk is None:
            return None
        org = Org.objects.filter(pk=pk).first()
        if org is None or not in_subtree(org.path, scope_paths(self.user, action)):
            raise ValidationError(_("编号为 %(pk)s 的党组织不存在或不在您的管辖范围内。"), params={"pk": pk})
        return org

    def _visible_area(self, pk):
        if pk is None:
            return None
        area = Area.objects.visible_to(self.user).filter(pk=pk).first()
        if area is None:
            raise ValidationError(_("编号为 %(pk)s 的区域不存在或不在您的管辖范围内。"), params={"pk": pk})
        return area


class OrgForm(ScopedForm):
    name = forms.CharField(label=_("名称"), max_length=120)
    short_name = forms.CharField(label=_("简称"), max_length=60, required=False)
    kind = forms.ChoiceField(label=_("组织类别"), choices=OrgKind.choices)
    sector = forms.ChoiceField(label=_("领域"), choices=Sector.choices)
    hanyang_level = forms.ChoiceField(label=_("六级体系层级"), choices=_blank(HanyangLevel.choices[:4]), required=False)
    is_regional = forms.BooleanField(label=_("区域化（大工委/大党委）"), required=False)
    area = PickerField(label=_("覆盖区域编号"), required=False,
                       help_text=_("区域列表中每个区域都显示编号；不覆盖具体区域的组织留空。"))
    code = forms.CharField(label=_("组织代码"), max_length=32, required=False)
    unit_name = forms.CharField(label=_("所在单位"), max_length=120, required=False)
    founded_on = forms.DateField(label=_("成立日期"), required=False, widget=DateInput())
    phone = forms.CharField(label=_("联系电话"), max_length=32, required=False)

    def clean_area(self):
        return self._visible_area(self.cleaned_data.get("area"))

    @classmethod
    def initial_for(cls, org):
        initial = {name: getattr(org, name) for name in cls.base_fields if name != "area"}
        initial["area"] = org.area_id
        return initial


class OrgMoveForm(ScopedForm):
    new_parent = PickerField(label=_("新的上级组织编号"))

    def clean_new_parent(self):
        return self._visible_org(self.cleaned_data["new_parent"])


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
    org = PickerField(label=_("所在党组织编号"))
    residence_area = PickerField(label=_("居住社区编号"), required=False)

    def __init__(self, *args, member=None, **kwargs):
        self.member = member
        super().__init__(*args, **kwargs)
        if member is not None:
            keep = _("留空则保持不变（现为 %(masked)s）")
            self.fields["id_number"].required = False
            self.fields["id_number"].help_text = keep % {"masked": member.id_number_masked}
            self.fields["phone"].help_text = keep % {"masked": member.phone_masked or "—"}
            self.fields["address"].help_text = keep % {"masked": member.address_masked or "—"}

    def clean_org(self):
        return self._visible_org(self.cleaned_data.get("org"))

    def clean_residence_area(self):
        return self._visible_area(self.cleaned_data.get("residence_area"))

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
        initial = {name: getattr(member, name) for name in cls.base_fields
                   if name not in ("id_number", "phone", "address", "org", "residence_area")}
        initial["org"] = member.org_id
        initial["residence_area"] = member.residence_area_id
        return initial


class PostAssignForm(ScopedForm):
    member = PickerField(label=_("党员编号"))
    kind = forms.ChoiceField(label=_("职务"), choices=PostKind.choices)
    start_on = forms.DateField(label=_("任职日期"), widget=DateInput(), initial=timezone.localdate)
    area = PickerField(label=_("负责区域编号"), required=False)
    representing = forms.CharField(label=_("代表单位"), max_length=120, required=False)

    def clean_member(self):
        pk = self.cleaned_data["member"]
        member = Member.objects.visible_to(self.user, "view_members").filter(pk=pk).first()
        if member is None:
            raise ValidationError(_("编号为 %(pk)s 的党员不存在或不在您的管辖范围内。"), params={"pk": pk})
        return member

    def clean_area(self):
        return self._visible_area(self.cleaned_data.get("area"))


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

