from django.apps import AppConfig


class ResponsibilitiesConfig(AppConfig):
    name = "dangjian.responsibilities"
    label = "responsibilities"
    verbose_name = "responsibilities"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from dangjian.core import audit, inbox, overview

        from . import inbox as responsibilities_inbox
        from . import metrics, selectors

        audit.declare(record_visit=_("记录联系点走访"))
        overview.register(selectors.overview_panel, key="responsibilities", title=_("一岗双责"))
        inbox.register(responsibilities_inbox.contact_point_sections)
        metrics.register()
