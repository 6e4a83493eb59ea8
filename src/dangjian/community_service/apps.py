from django.apps import AppConfig


class CommunityServiceConfig(AppConfig):
    name = "dangjian.community_service"
    label = "community_service"
    verbose_name = "community_service"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from dangjian.core import inbox, metrics, overview, pickers

        from . import inbox as cs_inbox
        from . import selectors

        overview.register(selectors.overview_panel, key="community_service", title=_("双报到与党建超市"))
        inbox.register(cs_inbox.sections)
        metrics.register(metrics.Metric(
            key="community_service.claims_done", label=_("双向认领办结数"), unit=_("项"), kind=metrics.COUNT,
            compute=selectors.claims_done, rows_url=selectors.claims_rows_url))
        metrics.register(metrics.Metric(
            key="community_service.whistles_on_time", label=_("吹哨按时报到率"), unit="%", kind=metrics.RATE,
            compute=selectors.whistles_on_time, rows_url=selectors.whistles_rows_url))
        # Any signed-in person may name the community where a member lives (an org outside
        # their own subtree); only open community Party organisations are offered.
        from dangjian.orgs.pickers import _tree_note

        pickers.register("cs_community", queryset=lambda user, action: selectors.communities(),
                         note=_tree_note, order_by=("depth", "path"))
        pickers.register("cs_unit", queryset=lambda user, action: selectors.units(user, action),
                         note=lambda unit: unit.org.short_name or unit.org.name, order_by=("name", "pk"),
                         actions=("view", "change"), select_related=("org",))
