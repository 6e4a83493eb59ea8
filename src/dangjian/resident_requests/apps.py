from django.apps import AppConfig


class ResidentRequestsConfig(AppConfig):
    name = "dangjian.resident_requests"
    label = "resident_requests"
    verbose_name = "resident_requests"

    def ready(self):
        pass
