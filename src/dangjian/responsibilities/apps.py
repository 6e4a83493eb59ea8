from django.apps import AppConfig


class ResponsibilitiesConfig(AppConfig):
    name = "dangjian.responsibilities"
    label = "responsibilities"
    verbose_name = "responsibilities"

    def ready(self):
        pass
