from django.apps import AppConfig


class CobuildingConfig(AppConfig):
    name = "dangjian.cobuilding"
    label = "cobuilding"
    verbose_name = "cobuilding"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from dangjian.core import audit, inbox, metrics, overview

        from . import inbox as cobuilding_inbox
        from . import pickers, selectors

        pickers.register()

        audit.declare(accept_report=_("接收报到"), decline_report=_("不予接收报到"), end_report=_("结束报到"))
        overview.register(selectors.overview_panel, key="cobuilding", title=_("驻区单位与区域化党建"))
        inbox.register(cobuilding_inbox.report_sections)
        metrics.register(metrics.Metric(
            key="cobuilding.unit_coverage", label=_("驻区单位党组织有效覆盖率"), unit="%", kind=metrics.RATE,
            compute=selectors.unit_coverage_metric, rows_url=selectors.unit_coverage_rows_url,
            description=_("单独组建、联合组建或选派党建指导员覆盖的驻区单位占全部在册驻区单位的比例")))
