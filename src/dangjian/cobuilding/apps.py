from django.apps import AppConfig


class CobuildingConfig(AppConfig):
    name = "dangjian.cobuilding"
    label = "cobuilding"
    verbose_name = "cobuilding"

    def ready(self):
        pass
