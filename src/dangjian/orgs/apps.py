from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "dangjian.orgs"
    label = "orgs"
    verbose_name = "orgs"

    def ready(self):
        from . import pickers

        pickers.register()
