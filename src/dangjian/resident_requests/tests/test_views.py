import pytest
from django.urls import reverse

from dangjian.core.models import AuditEntry
from dangjian.resident_requests import services
from dangjian.resident_requests.models import Request, Status
from dangjian.testing import ScopeCases, ScopeWorld, make_user, overview_panel

from .conftest import submit
from .test_submit import jpeg_with_gps


def test_anonymous_resident_submits_and_follows_in_plain_words(client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    page = client.get(reverse("resident_requests:new"))
    assert page.status_code == 200 and "物业维修" in page.content.decode()
    places = client.get(reverse("resident_requests:places"), {"place_q": "第1网格"}).content.decode()
    assert "甲区幸福社区 · 第1网格" in places and "乙区幸福社区 · 第1网格" in places
    grid = world.city.grids["a"][0]
    response = client.post(reverse("resident_requests:new"), {
        "category": world.category.pk, "area": grid.pk, "description": "3号楼电梯坏了", "phone": "13900001111",
        "name": "李四", "photos": [jpeg_with_gps()]})
    assert response.status_code == 302, response.content.decode()[:3000]
    request = Request.objects.get()
    assert response["Location"].startswith(reverse("resident_requests:track", args=[request.tracking_code]))
    page = client.get(response["Location"]).content.decode()
    assert request.tracking_code_display in page and "已提交，等待受理" in page and request.number in page
    assert "李四" not in page and "13900001111" not in page and "1111" not in page  # nothing personal
    assert request.photos.count() == 1


def test_typed_place_resolves_or_asks_which(client, world):
    data = {"category": world.category.pk, "description": "噪音"}
    response = client.post(reverse("resident_requests:new"), {**data, "place_q": "网格"})
    assert response.status_code == 400 and "有多个地点符合" in response.content.decode()
    response = client.post(reverse("resident_requests:new"), {**data, "place_q": "火星"})
    assert response.status_code == 400 and "没有找到" in response.content.decode()
    response = client.post(reverse("resident_requests:new"), {**data, "place_q": "乙区幸福社区"})
    assert response.status_code == 302 and Request.objects.get().org == world.city.communities["b"]


def test_missing_description_and_unknown_category_show_on_the_form(client, world):
    grid = world.city.grids["a"][0]
    response = client.post(reverse("resident_requests:new"), {"category": 99999, "area": grid.pk, "description": ""})
    text = response.content.decode()
    assert response.status_code == 400 and "请描述您的诉求" in text and "选择一个有效的选项" in text
    assert Request.objects.count() == 0


def test_non_image_photo_is_refused(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("x.jpg", b"MZ\x90\x00 not an image", content_type="image/jpeg")
    response = client.post(reverse("resident_requests:new"), {
        "category": world.category.pk, "area": world.city.grids["a"][0].pk, "description": "x", "photos": [fake]})
    assert response.status_code == 400 and "不是可识别的照片" in response.content.decode()
    assert Request.objects.count() == 0


def test_flood_answers_429(client, world, settings):
    settings.DANGJIAN_REQUESTS_PER_WINDOW = 2
    data = {"category": world.category.pk, "area": world.city.grids["a"][0].pk, "description": "x"}
    for _ in range(2):
        assert client.post(reverse("resident_requests:new"), data).status_code == 302
    response = client.post(reverse("resident_requests:new"), data)
    assert response.status_code == 429 and "提交过于频繁" in response.content.decode()
    assert Request.objects.count() == 2


def test_guessed_tracking_code_is_404_like_a_missing_one(client, world):
    request = submit(world)
    guessed = "A" * 16
    assert client.get(reverse("resident_requests:track", args=[guessed])).status_code == 404
    assert client.get(reverse("resident_requests:track", args=["x"])).status_code == 404
    assert client.post(reverse("resident_requests:track_rate", args=[guessed]), {"rating": 5}).status_code == 404
    assert client.get(reverse("resident_requests:track", args=[request.tracking_code])).status_code == 200


def test_resident_confirms_rates_once_and_figures_move(client, world):
    request = submit(world)
    services.request_accept(actor=world.grid_worker, request=request)
    services.request_resolve(actor=world.grid_worker, request=request, resolution="已修好")
    track = reverse("resident_requests:track", args=[request.tracking_code])
    page = client.get(track).content.decode()
    assert "已修好" in page and "问题已解决，确认办结" in page
    client.post(reverse("resident_requests:track_confirm", args=[request.tracking_code]))
    client.post(reverse("resident_requests:track_rate", args=[request.tracking_code]), {"rating": 4})
    response = client.post(reverse("resident_requests:track_rate", args=[request.tracking_code]), {"rating": 1},
                           follow=True)
    assert "您已经评价过了" in response.content.decode() or "提交评价" not in response.content.decode()
    request.refresh_from_db()
    assert request.status == Status.CLOSED and request.rating == 4
    client.force_login(world.street_sec)
    page = client.get(reverse("resident_requests:figures")).content.decode()
    assert 'data-testid="fig-satisfaction">100.0%' in page and 'data-testid="fig-solved">1<' in page


def test_staff_accept_dispatch_and_refusals_through_pages(client, world):
    request = submit(world)
    client.force_login(world.grid_worker)
    queue = client.get(reverse("resident_requests:request_list") + "?queue=intake").content.decode()
    assert request.number in queue
    client.post(reverse("resident_requests:accept", args=[request.pk]))
    request.refresh_from_db()
    assert request.first_handler == world.grid_worker
    page = client.get(reverse("resident_requests:request_detail", args=[request.pk])).content.decode()
    assert "幸福物业" in page  # the suggested unit
    response = client.post(reverse("resident_requests:dispatch", args=[request.pk]),
                           {"unit": world.unit_b.pk, "unit_search": ""}, follow=True)
    request.refresh_from_db()
    assert request.unit is None and "message-error" in response.content.decode()
    # the service refuses it too, whatever calls it
    with pytest.raises(services.ValidationError):
        services.request_dispatch(actor=world.grid_worker, request=request, unit=world.unit_b)
    client.post(reverse("resident_requests:dispatch", args=[request.pk]), {"unit": world.property.pk})
    request.refresh_from_db()
    assert request.unit == world.property and request.status == Status.DISPATCHED
    response = client.post(reverse("resident_requests:resolve", args=[request.pk]), {"resolution": ""}, follow=True)
    assert "办结须填写办理结果" in response.content.decode()
    request.refresh_from_db()
    assert request.status == Status.DISPATCHED
    client.force_login(world.other)
    assert client.post(reverse("resident_requests:accept", args=[request.pk])).status_code == 404


def test_staff_entry_on_the_residents_behalf(client, world):
    client.force_login(world.grid_worker)
    url = reverse("resident_requests:request_create")
    assert client.get(url).status_code == 200
    response = client.post(url, {"channel": "phone", "category": world.category.pk,
                                 "area": world.city.grids["a"][0].pk, "description": "电话反映：漏水", "phone": "13800001111"})
    assert response.status_code == 302, response.content.decode()[:3000]
    request = Request.objects.get()
    assert request.channel == "phone" and request.created_by == world.grid_worker
    client.force_login(make_user("member_a", "member", world.city.branches["a"]))
    assert client.get(url).status_code == 403


def test_measure_comment_prelinks_the_request(client, world):
    import datetime

    from dangjian.lists import services as list_services

    lst = list_services.list_create(actor=None, org=world.city.communities["a"], kind="task", title="为民办实事",
                                    period_start=datetime.date(2026, 1, 1), period_end=datetime.date(2026, 12, 31))
    measure = list_services.measure_create(actor=None, lst=lst, org=world.city.communities["a"], title="加装电梯",
                                           target="完成", start_on=datetime.date(2026, 1, 1),
                                           deadline=datetime.date(2026, 12, 31))
    url = reverse("resident_requests:new") + f"?measure={measure.pk}"
    assert "加装电梯" not in client.get(url).content.decode()  # not published: no link
    list_services.list_publish(actor=None, lst=lst)
    assert "加装电梯" in client.get(url).content.decode()
    response = client.post(url, {"category": world.category.pk, "description": "建议先装3号楼", "measure": measure.pk})
    assert response.status_code == 302, response.content.decode()[:2000]
    request = Request.objects.get()
    assert request.linked_measure == measure and request.channel == "measure"
    assert request.org == world.city.communities["a"]


def test_overview_panel_and_inbox(client, world):
    submit(world)
    client.force_login(world.community_sec)
    home = client.get("/?root=%d" % world.city.communities["a"].pk).content.decode()
    assert "居民诉求" in home  # the placeholder; the figures load after the page
    status, panel = overview_panel(client, "requests", world.city.communities["a"])
    assert status == 200 and "居民诉求" in panel and "<a href=" in panel
    inbox = client.get(reverse("inbox")).content.decode()
    assert "待受理的居民诉求" in inbox


def test_export_is_audited_and_masked(client, world):
    submit(world, phone="13911112222")
    user = make_user("sec_x", "secretary", world.city.districts["a"], also=("data_exchange",))
    client.force_login(user)
    response = client.get(reverse("resident_requests:export") + "?format=csv")
    text = response.content.decode("utf-8-sig")
    assert response.status_code == 200 and "楼道灯坏了" in text and "139****2222" in text and "13911112222" not in text
    response = client.get(reverse("resident_requests:export"))
    assert response.status_code == 200 and response.content[:2] == b"PK"
    assert AuditEntry.objects.filter(action="export", object_type="resident_requests.request").count() == 2
    client.force_login(world.grid_worker)
    assert client.get(reverse("resident_requests:export")).status_code == 403


@pytest.fixture
def scope_accounts(city, users):
    return {"no_grant": users["none"], "own_user": users["a"], "everyone": users["city_admin"],
            "read_only": make_user("auditor_a", "auditor", city.districts["a"])}


class TestRequestScope(ScopeCases):
    @pytest.fixture
    def scope_world(self, world, scope_accounts):
        own = submit(world, "a", description="甲区诉求：楼道灯坏了")
        sibling = submit(world, "b", description="乙区诉求：路灯不亮")
        return ScopeWorld(
            **scope_accounts, own=own, sibling=sibling,
            name=lambda r: Request.objects.get(pk=r.pk).description,
            count=Request.objects.count,
            list_url=reverse("resident_requests:request_list"),
            detail_url=lambda r: reverse("resident_requests:request_detail", args=[r.pk]),
            api_list_url="/api/v1/requests/",
            api_detail_url=lambda r: f"/api/v1/requests/{r.pk}/",
            export=lambda c: c.get(reverse("resident_requests:export") + "?format=csv"),
        )

    def test_scope_actions_outside_are_404(self, client, scope_world):
        client.force_login(scope_world.own_user)
        before = Request.objects.get(pk=scope_world.sibling.pk).status
        assert client.post(reverse("resident_requests:accept", args=[scope_world.sibling.pk])).status_code == 404
        assert Request.objects.get(pk=scope_world.sibling.pk).status == before
        client.force_login(scope_world.read_only)  # the auditor reads but does not act
        assert client.post(reverse("resident_requests:accept", args=[scope_world.own.pk])).status_code == 403
