from django.apps import AppConfig


class Open311Config(AppConfig):
    name = "dangjian.open311"
    label = "open311"
    verbose_name = "open311"

    def ready(self):
        pass
