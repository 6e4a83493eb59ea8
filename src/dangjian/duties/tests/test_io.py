import datetime

from django.urls import reverse
from django.utils import timezone

from dangjian.core.spreadsheets.importer import run_import
from dangjian.core.spreadsheets.reader import open_path
from dangjian.duties import services
from dangjian.duties.models import Activity, Attendance
from dangjian.testing import make_user

from .conftest import at

TODAY = timezone.localdate()


def _csv(tmp_path, rows):
    path = tmp_path / "activities.csv"
    lines = ["党组织,日期,时间,活动类型,主题,地点,主持人,记录人,缺席人员,请假人员"] + [",".join(r) for r in rows]
    path.write_text("\n".join(lines), encoding="utf-8")
    return open_path(path)


def test_import_is_all_or_nothing_with_row_and_column_errors(tmp_path, city, branch_world, kinds):
    branch = branch_world["branch"]
    user = make_user("grid_sec", "secretary", branch, also=("data_exchange",))
    day = (TODAY - datetime.timedelta(days=30)).isoformat()
    good = [branch.name, day, "19:00", "主题党日、支委会", "学习党章", "会议室", "赵一", "钱二", "孙三（出差）", ""]
    bad = [branch.name, (TODAY + datetime.timedelta(days=3)).isoformat(), "", "主题党日", "未来", "", "", "",
           "不存在的人", ""]
    result = run_import("duties_activities", actor=user, sheet=_csv(tmp_path, [good, bad]))
    assert not result.ok and Activity.objects.count() == 0
    problems = {(p.row, p.column) for p in result.problems}
    assert (3, "缺席人员") in problems
    outside = [city.branches["b"].name, day, "", "主题党日", "越权", "", "", "", "", ""]
    result = run_import("duties_activities", actor=user, sheet=_csv(tmp_path, [outside]))
    assert [p.column for p in result.problems] == ["党组织"] and Activity.objects.count() == 0
    result = run_import("duties_activities", actor=user, sheet=_csv(tmp_path, [good]))
    assert result.ok and result.created == 1
    activity = Activity.objects.get()
    assert sorted(activity.kinds.values_list("code", flat=True)) == ["committee_meeting", "theme_day"]
    assert Attendance.objects.get(activity=activity, status="absent").reason == "出差"
    assert activity.attendance.filter(status="present").count() == 2


def test_register_export_lists_attendance(client, city, branch_world, kinds):
    branch, members = branch_world["branch"], branch_world["members"]
    services.activity_create(actor=None, org=branch, kinds=[kinds["theme_day"]], starts_at=at(TODAY, 0),
                             topic="主题党日导出", attendance=[
                                 {"member": members[0]}, {"member": members[1], "status": "absent", "reason": "生病"}])
    user = make_user("grid_sec", "secretary", branch, also=("data_exchange",))
    client.force_login(user)
    response = client.get(reverse("duties:activity_export", args=["csv"]))
    text = response.content.decode("utf-8-sig")
    assert response.status_code == 200 and "主题党日导出" in text and "钱二（缺席：生病）" in text
    response = client.get(reverse("duties:compliance_export", args=["xlsx"]) + f"?root={branch.pk}")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
