import datetime

from django.utils import timezone

from dangjian.duties import services
from dangjian.duties.models import Activity, Occurrence
from dangjian.testing import make_user

TODAY = timezone.localdate()


def test_api_records_activity_with_attendance_and_excuses(client, city, branch_world, kinds, users):
    branch, members = branch_world["branch"], branch_world["members"]
    month = TODAY.replace(day=1)
    services.roll_over(period_start=month, period_end=month, today=TODAY)
    secretary = make_user("grid_sec", "secretary", branch)
    client.force_login(secretary)
    starts = (timezone.now() - datetime.timedelta(hours=1)).isoformat()
    body = {"org": branch.pk, "kinds": ["theme_day", "committee_meeting"], "starts_at": starts, "topic": "主题党日",
            "attendance": [{"member": members[0].pk}, {"member": members[1].pk, "status": "leave", "reason": "病假"}]}
    response = client.post("/api/v1/duty-activities/", body, content_type="application/json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["kinds"] == ["committee_meeting", "theme_day"] or set(data["kinds"]) == {"theme_day",
                                                                                         "committee_meeting"}
    assert {row["member_name"]: row["status"] for row in data["attendance"]} == {"赵一": "present", "钱二": "leave"}
    duty = Occurrence.objects.get(org=branch, kind__code="theme_day", period_start=month)
    listed = client.get(f"/api/v1/duty-occurrences/{duty.pk}/").json()
    assert listed["status"] == "fulfilled" and listed["activities"] == [data["id"]]
    future = {**body, "starts_at": (timezone.now() + datetime.timedelta(days=1)).isoformat()}
    response = client.post("/api/v1/duty-activities/", future, content_type="application/json")
    assert response.status_code == 400 and "starts_at" in response.json()
    assert Activity.objects.count() == 1
    summary = client.get(f"/api/v1/duties-compliance/?root={branch.pk}").json()
    assert summary["figures"]["required"] >= 2 and summary["root"] == branch.pk
    # Excusing is the level above's: the branch secretary is refused, the community's may.
    other = Occurrence.objects.get(org=branch, kind__code="member_assembly")
    response = client.post(f"/api/v1/duty-occurrences/{other.pk}/excuse/", {"reason": "换届"},
                           content_type="application/json")
    assert response.status_code == 403
    client.force_login(make_user("comm", "secretary", city.communities["a"]))
    response = client.post(f"/api/v1/duty-occurrences/{other.pk}/excuse/", {"reason": ""},
                           content_type="application/json")
    assert response.status_code == 400
    response = client.post(f"/api/v1/duty-occurrences/{other.pk}/excuse/", {"reason": "换届"},
                           content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "excused"
    assert client.get("/api/v1/duty-rules/").status_code == 200


def test_api_patch_changes_kinds_and_attendance(client, city, branch_world, kinds):
    branch, members = branch_world["branch"], branch_world["members"]
    activity = services.activity_create(actor=None, org=branch, kinds=[kinds["theme_day"]],
                                        starts_at=timezone.now() - datetime.timedelta(hours=2), topic="原记录")
    client.force_login(make_user("grid_sec", "secretary", branch))
    response = client.patch(f"/api/v1/duty-activities/{activity.pk}/",
                            {"kinds": ["party_lecture"], "attendance": [{"member": members[0].pk, "status": "absent",
                                                                         "reason": "出差"}]},
                            content_type="application/json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["kinds"] == ["party_lecture"] and data["topic"] == "原记录"
    assert [(row["member_name"], row["status"]) for row in data["attendance"]] == [("赵一", "absent")]
