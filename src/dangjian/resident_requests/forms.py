from django import forms
from django.utils.translation import gettext_lazy as _

from dangjian.core.forms import ScopedForm
from dangjian.core.widgets import PickField

from .models import Category, UnitKind
from .photos import MAX_PHOTOS


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        return [f for f in files if f]


def category_field():
    return forms.ModelChoiceField(label=_("诉求类别"), queryset=Category.objects.filter(active=True),
                                  empty_label=_("请选择"))


class ResidentRequestForm(forms.Form):
    """The resident's form (no account). The place comes from the place search (`area`)."""

    category = category_field()
    description = forms.CharField(label=_("诉求内容"), max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 4}),
                                  help_text=_("请写清楚是什么问题、在哪里，方便尽快办理。"))
    address = forms.CharField(label=_("详细位置（楼栋、单元、门牌）"), max_length=200, required=False)
    name = forms.CharField(label=_("您的称呼（选填）"), max_length=60, required=False)
    phone = forms.CharField(label=_("联系电话（选填，仅办理人员可见）"), max_length=20, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))
    photos = PhotosField(label=_("照片（选填，最多%(n)d张）") % {"n": MAX_PHOTOS}, required=False,
                         widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
    share_location = forms.BooleanField(label=_("保留照片中的拍摄位置（便于找到现场）"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["description"].error_messages["required"] = _("请描述您的诉求。")
        self.fields["category"].error_messages["required"] = _("请选择诉求类别。")


class StaffRequestForm(ScopedForm):
    """全程代办: a grid worker or secretary enters a request received in person or by phone."""

    channel = forms.ChoiceField(label=_("渠道"), choices=[("in_person", _("现场")), ("phone", _("电话")),
                                                          ("staff", _("全程代办"))])
    category = category_field()
    area = PickField("area", label=_("地点（社区、网格或楼栋）"), action="view")
    address = forms.CharField(label=_("详细位置"), max_length=200, required=False)
    description = forms.CharField(label=_("诉求内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
    name = forms.CharField(label=_("居民称呼"), max_length=60, required=False)
    phone = forms.CharField(label=_("居民电话"), max_length=20, required=False)
    photos = PhotosField(label=_("照片"), required=False,
                         widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))


class DispatchForm(ScopedForm):
    unit = PickField("request_unit", label=_("承办单位"), action="handle_requests")
    note = forms.CharField(label=_("交办说明"), max_length=500, required=False)


class ReassignForm(ScopedForm):
    unit = PickField("request_unit", label=_("改派给"), action="handle_requests")
    reason = forms.CharField(label=_("改派原因"), max_length=500)


class NoteForm(forms.Form):
    note = forms.CharField(label=_("说明"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=2000, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))


class QuestionForm(forms.Form):
    question = forms.CharField(label=_("需要居民补充什么"), max_length=300, required=False)


class ResolveForm(forms.Form):
    resolution = forms.CharField(label=_("办理结果"), max_length=2000, required=False,
                                 widget=forms.Textarea(attrs={"rows": 3}))


class ExtendForm(forms.Form):
    deadline = forms.DateField(label=_("新的办理时限"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("延期原因"), max_length=500, required=False)


class RateForm(forms.Form):
    rating = forms.TypedChoiceField(label=_("满意度"), coerce=int, choices=[(n, str(n)) for n in range(5, 0, -1)],
                                    widget=forms.RadioSelect)


class UnitForm(ScopedForm):
    org = PickField("org", label=_("所属组织"), action="change")
    name = forms.CharField(label=_("名称"), max_length=120)
    kind = forms.ChoiceField(label=_("类型"), choices=UnitKind.choices)
    contact = forms.CharField(label=_("联系人"), max_length=60, required=False)
