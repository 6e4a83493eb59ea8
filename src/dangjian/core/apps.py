from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "dangjian.core"
    label = "core"
    verbose_name = "core"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from . import audit, inbox
        from .inbox import providers

        audit.declare(feedback=_("投诉建议"), digest=_("待办摘要"))
        inbox.register(providers.finished_imports)
        inbox.register(providers.open_feedback)
