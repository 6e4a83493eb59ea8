from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "dangjian.accounts"
    label = "accounts"
    verbose_name = "accounts"

    def ready(self):
        from dangjian.core import checks  # noqa: F401  (deployment checks)

        from . import signals  # noqa: F401
