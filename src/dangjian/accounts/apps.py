from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "dangjian.accounts"
    label = "accounts"
    verbose_name = "accounts"

    def ready(self):
        from dangjian.core import checks  # noqa: F401  (deployment checks)
        from dangjian.core.scope import register_access_policy

        from . import roles

        register_access_policy(grant_paths=roles.grant_paths, has_global=roles.user_has_global)

        from . import signals  # noqa: F401
