from django.apps import AppConfig


class Open311Config(AppConfig):
    name = "dangjian.open311"
    label = "open311"
    verbose_name = "open311"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from dangjian.core import audit

        audit.declare(open311_key=_("Open311密钥"))
