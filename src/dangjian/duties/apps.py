from django.apps import AppConfig


class DutiesConfig(AppConfig):
    name = "dangjian.duties"
    label = "duties"
    verbose_name = "duties"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from dangjian.core import audit, inbox, metrics, overview

        from . import selectors

        audit.declare(rollover=_("职责结转"), excuse=_("免除职责"), unexcuse=_("撤销免除"),
                      calendar_token=_("日历订阅"), fulfil=_("登记履职"), unfulfil=_("撤回履职记录"))
        for metric in selectors.METRICS:
            metrics.register(metric)
        overview.register(selectors.overview_panel, key="duties", title=_("组织生活履职（本季度）"))
        inbox.register(selectors.inbox_sections)
