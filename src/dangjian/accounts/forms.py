from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.core.forms import ScopedForm
from dangjian.core.widgets import PickField

from .roles import Role


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("用户名或密码不正确。"),
        "inactive": _("该账号已停用。"),
        "locked": _("登录失败次数过多，账号已锁定，请于 %(until)s 后再试或联系安全管理员。"),
    }

    def clean(self):
        try:
            return super().clean()
        except ValidationError:
            locked_until = getattr(self.request, "dangjian_locked", None)
            if locked_until is not None:
                until = timezone.localtime(locked_until).strftime("%Y-%m-%d %H:%M")
                raise ValidationError(self.error_messages["locked"], code="locked", params={"until": until}) from None
            raise


class CodeForm(forms.Form):
    code = forms.CharField(label=_("验证码"), max_length=20,
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}))


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label=_("原密码"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    new_password = forms.CharField(label=_("新密码"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    new_password2 = forms.CharField(label=_("确认新密码"),
                                    widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self):
        data = super().clean()
        if data.get("new_password") and data.get("new_password") != data.get("new_password2"):
            self.add_error("new_password2", _("两次输入的新密码不一致。"))
        return data


class UserCreateForm(forms.Form):
    username = forms.CharField(label=_("用户名"), max_length=150)
    display_name = forms.CharField(label=_("姓名"), max_length=60, required=False)
    password = forms.CharField(label=_("初始密码"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))


class GrantForm(ScopedForm):
    role = forms.ChoiceField(label=_("角色"), choices=Role.choices)
    org = PickField("grant_org", label=_("组织"))


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("操作人"), required=False, max_length=150)
    action = forms.ChoiceField(label=_("动作"), required=False)
    object_type = forms.ChoiceField(label=_("对象类型"), required=False)
    q = forms.CharField(label=_("对象"), required=False, max_length=100)
    request_id = forms.CharField(label=_("请求编号"), required=False, max_length=64)
    since = forms.DateField(label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from dangjian.core.audit import action_choices, object_type_choices

        self.fields["action"].choices = [("", _("全部"))] + action_choices()
        self.fields["object_type"].choices = [("", _("全部"))] + object_type_choices()
