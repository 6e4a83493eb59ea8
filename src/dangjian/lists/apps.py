from django.apps import AppConfig


class ListsConfig(AppConfig):
    name = "dangjian.lists"
    label = "lists"
    verbose_name = "lists"

    def ready(self):
        # The in-app channel of the notifier and the overview panel plug in here.
        from django.utils.translation import gettext_lazy as _

        from dangjian.core import audit, inbox, metrics, notify, overview

        from . import inbox as lists_inbox
        from . import notifications, selectors, services

        notify.register_channel(notifications.InAppChannel())
        overview.register(selectors.overview_panel, key="lists", title=_("清单与项目"))
        inbox.register(lists_inbox.measure_sections, per_scope=True)
        metrics.subscribe(services.on_metric_changed)
        audit.declare(publish=_("公示"), unpublish=_("撤下公示"), report_progress=_("报告进展"), accept=_("验收"),
                      send_back=_("退回"), sweep=_("到期提醒"))
