from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "dangjian.orgs"
    label = "orgs"
    verbose_name = "orgs"

    def ready(self):
        from dangjian.core import landing

        from . import metrics, pickers, selectors

        pickers.register()
        metrics.register()
        landing.register(selectors.branch_landing, order=200)
