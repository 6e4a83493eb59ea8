from django.apps import AppConfig


class ListsConfig(AppConfig):
    name = "dangjian.lists"
    label = "lists"
    verbose_name = "lists"

    def ready(self):
        # The in-app channel of the notifier and the overview panel plug in here.
        from dangjian.core import notify, overview

        from . import notifications, selectors

        notify.register_channel(notifications.InAppChannel())
        overview.register(selectors.overview_panel)
