from django.apps import AppConfig


class ResidentRequestsConfig(AppConfig):
    name = "dangjian.resident_requests"
    label = "resident_requests"
    verbose_name = "resident_requests"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from dangjian.core import audit

        audit.declare(
            request_submit=_("提交诉求"), request_accept=_("受理诉求"), request_dispatch=_("派单"),
            request_unit=_("承办单位办理"), request_escalate=_("超时升级"), request_supervise=_("督办"),
            request_resolve=_("办结诉求"), request_resident=_("居民确认评价"), request_info=_("居民补充信息"),
            request_visit=_("回访"),
        )
