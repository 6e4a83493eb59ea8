from django.utils import timezone

from dangjian.core import inbox, overview
from dangjian.duties import services
from dangjian.testing import make_user

TODAY = timezone.localdate()


def test_inbox_lists_due_duties_and_overview_links_rows(client, city, branch_world, kinds, users):
    month = TODAY.replace(day=1)
    services.roll_over(period_start=month, period_end=month, today=TODAY)
    secretary = make_user("grid_sec", "secretary", branch_world["branch"])
    sections = [s for s in inbox.sections(secretary) if s.key == "duties_due"]
    assert len(sections) == 1 and sections[0].count >= 2
    assert any("主题党日" in entry.title for entry in sections[0].entries)
    reader = make_user("reader", "grid_worker", branch_world["branch"])
    assert not [s for s in inbox.sections(reader) if s.key == "duties_due"]
    panels = [p for p in overview.panels(users["city_admin"], city.city) if p["key"] == "duties"]
    assert panels and panels[0]["figures"][0]["value"] > 0
    client.force_login(users["city_admin"])
    for figure in panels[0]["figures"]:
        assert client.get(figure["url"]).status_code == 200, figure
