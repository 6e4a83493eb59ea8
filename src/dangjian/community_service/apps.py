from django.apps import AppConfig


class CommunityServiceConfig(AppConfig):
    name = "dangjian.community_service"
    label = "community_service"
    verbose_name = "community_service"

    def ready(self):
        pass
