from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "dangjian.accounts"
    label = "accounts"
    verbose_name = "accounts"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from dangjian.core import audit, checks, landing  # noqa: F401  (deployment checks)
        from dangjian.core.scope import register_access_policy

        from . import roles

        register_access_policy(grants=roles.open_grants, role_allows=roles.role_allows,
                               has_global=roles.user_has_global)
        landing.register(roles.separated_admin_landing, order=100)

        audit.declare(
            login=_("登录"), login_failed=_("登录失败"), logout=_("退出"), lock=_("锁定"), unlock=_("解锁"),
            password=_("修改密码"), grant=_("授权"), revoke=_("撤销授权"), token=_("API令牌"),
        )

        from . import signals  # noqa: F401
        from . import pickers

        pickers.register()
