from django.apps import AppConfig


class ResidentRequestsConfig(AppConfig):
    name = "dangjian.resident_requests"
    label = "resident_requests"
    verbose_name = "resident_requests"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from dangjian.core import audit, inbox, metrics, overview, pickers

        from . import selectors

        audit.declare(
            request_submit=_("提交诉求"), request_accept=_("受理诉求"), request_dispatch=_("派单"),
            request_unit=_("承办单位办理"), request_escalate=_("超时升级"), request_supervise=_("督办"),
            request_resolve=_("办结诉求"), request_resident=_("居民确认评价"), request_info=_("居民补充信息"),
            request_visit=_("回访"),
        )
        overview.register(selectors.overview_panel, key="requests", title=_("居民诉求"))
        inbox.register(selectors.inbox_sections)
        metrics.register(metrics.Metric(
            key="requests.solved_on_time", label=_("居民诉求按时办结率"), unit="%", kind=metrics.RATE,
            compute=selectors.solved_on_time_metric, rows_url=selectors.on_time_rows_url,
            description=_("期内收到、已到期或已办结的诉求中，按时办结且未被居民要求重新办理的比例。"),
        ))
        metrics.register(metrics.Metric(
            key="requests.satisfaction", label=_("居民诉求满意率"), unit="%", kind=metrics.RATE,
            compute=selectors.satisfaction_metric, rows_url=selectors.satisfaction_rows_url,
            description=_("期内收到并已评价的诉求中，居民评4分或5分的比例。"),
        ))
        pickers.register("request_unit", queryset=selectors.unit_picker_queryset, order_by=("org__path", "name"),
                         search=selectors.search_units, note=lambda unit: unit.get_kind_display(),
                         actions=("handle_requests",), select_related=("org",))
