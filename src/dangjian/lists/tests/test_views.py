import datetime
import io

import openpyxl
import pytest
from django.urls import reverse

from dangjian.testing import PASSWORD, make_user
from dangjian.lists import services
from dangjian.lists.models import List, Measure, MeasureStatus, ProgressReport

from .conftest import PNG, make_list, make_measure


@pytest.fixture
def community_client(client, people):
    client.login(username="community_secretary", password=PASSWORD)
    return client


def _login(client, username):
    client.logout()
    assert client.login(username=username, password=PASSWORD)
    return client


def test_pages_render_in_scope_and_404_outside(client, city, people):
    lst = make_list(people["community"], city.communities["a"])
    measure = make_measure(people["community"], lst, city.communities["a"])
    _login(client, "community_secretary")
    # Each allowed page shows what it is about (content, not only the status).
    for url, marker in ((reverse("lists:index"), lst.title), (reverse("lists:list_detail", args=[lst.pk]), lst.title),
                        (reverse("lists:measure_detail", args=[measure.pk]), measure.title),
                        (reverse("lists:measure_list"), measure.title), (reverse("lists:board"), "晒进度"),
                        (reverse("lists:notifications"), "通知"), (reverse("lists:list_import"), "导入"),
                        (reverse("lists:list_create"), "新建清单"),
                        (reverse("lists:measure_create", args=[lst.pk]), lst.title),
                        (reverse("lists:measure_edit", args=[measure.pk]), measure.title),
                        (reverse("lists:list_edit", args=[lst.pk]), lst.title),
                        (reverse("lists:programme_create", args=[lst.pk]), lst.title),
                        (reverse("lists:project_create", args=[lst.pk]), lst.title)):
        response = client.get(url)
        assert response.status_code == 200, url
        assert marker in response.content.decode(), (url, marker)
    _login(client, "other_secretary")
    for url in (reverse("lists:list_detail", args=[lst.pk]), reverse("lists:measure_detail", args=[measure.pk]),
                reverse("lists:measure_create", args=[lst.pk])):
        response = client.get(url)
        assert response.status_code == 404 and lst.title not in response.content.decode(), url
    assert client.post(reverse("lists:measure_report", args=[measure.pk]), {"percent": "10"}).status_code == 404
    measure.refresh_from_db()
    assert not measure.has_progress


def test_read_only_role_gets_403_on_writes(client, city, people):
    lst = make_list(people["community"], city.communities["a"])
    measure = make_measure(people["community"], lst, city.communities["a"])
    _login(client, "grid_worker")
    assert client.get(reverse("lists:list_detail", args=[lst.pk])).status_code == 200
    assert client.get(reverse("lists:measure_create", args=[lst.pk])).status_code == 403
    assert client.post(reverse("lists:measure_report", args=[measure.pk]), {"percent": "10"}).status_code == 403


def test_create_list_and_measure_through_pages(community_client, city, people):
    response = community_client.post(reverse("lists:list_create"), {
        "org": city.communities["a"].pk, "kind": "task", "title": "2026年建设任务清单", "period_start": "2026-01-01",
        "period_end": "2026-12-31", "averaging": "weighted", "missing_progress": "zero"})
    lst = List.objects.get()
    assert response.status_code == 302 and response.url == reverse("lists:list_detail", args=[lst.pk])
    bad = community_client.post(reverse("lists:measure_create", args=[lst.pk]), {
        "title": "建党群服务站", "target": "挂牌", "org": city.communities["a"].pk, "start_on": "2026-05-01",
        "deadline": "2026-04-01", "weight": "1", "is_public": "on"})
    assert bad.status_code == 200 and "截止日期不能早于开始日期" in bad.content.decode()
    outside = community_client.post(reverse("lists:measure_create", args=[lst.pk]), {
        "title": "建党群服务站", "target": "挂牌", "org": city.communities["b"].pk, "start_on": "2026-03-01",
        "deadline": "2026-04-01", "weight": "1"})
    assert outside.status_code == 200 and "不在您的管辖范围内" in outside.content.decode()
    heavy = community_client.post(reverse("lists:measure_create", args=[lst.pk]), {
        "title": "建党群服务站", "target": "挂牌", "org": city.communities["a"].pk, "start_on": "2026-03-01",
        "deadline": "2026-04-01", "weight": "101"})
    assert heavy.status_code == 200 and "权重" in heavy.content.decode()
    assert not Measure.objects.exists()
    ok = community_client.post(reverse("lists:measure_create", args=[lst.pk]), {
        "title": "建党群服务站", "target": "挂牌", "org": city.communities["a"].pk, "start_on": "2026-03-01",
        "deadline": "2026-04-01", "weight": "2", "is_public": "on"})
    assert ok.status_code == 302
    assert Measure.objects.get().weight == 2


def test_report_with_photo_and_bad_file_through_page(community_client, city, people):
    lst = make_list(people["community"], city.communities["a"])
    measure = make_measure(people["community"], lst, city.communities["a"])
    url = reverse("lists:measure_report", args=[measure.pk])
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = community_client.post(url, {"percent": "30", "files": [SimpleUploadedFile("x.jpg", b"MZ\x90not")]})
    assert bad.status_code == 400 and "类型不受支持" in bad.content.decode()
    too_much = community_client.post(url, {"percent": "120"})
    assert too_much.status_code == 400
    assert not ProgressReport.objects.exists()
    good = community_client.post(url, {"percent": "30", "note": "已选址",
                                       "files": [SimpleUploadedFile("site.png", PNG, "image/png")]})
    assert good.status_code == 302
    report = ProgressReport.objects.get()
    evidence = report.evidence.get()
    page = community_client.get(reverse("lists:measure_detail", args=[measure.pk])).content.decode()
    assert reverse("lists:evidence_file", args=[evidence.pk]) in page
    photo = community_client.get(reverse("lists:evidence_file", args=[evidence.pk]))
    assert photo.status_code == 200 and b"".join(photo.streaming_content) == PNG
    assert photo["Content-Type"] == "image/png"
    _login(community_client, "other_secretary")
    assert community_client.get(reverse("lists:evidence_file", args=[evidence.pk])).status_code == 404


def test_review_through_page(client, city, people):
    lst = make_list(people["community"], city.communities["a"])
    measure = make_measure(people["community"], lst, city.communities["a"])
    services.measure_report_progress(actor=people["community"], measure=measure, percent=100)
    _login(client, "community_secretary")
    page = client.get(reverse("lists:measure_detail", args=[measure.pk])).content.decode()
    assert "验收通过" not in page  # the own level cannot accept
    client.post(reverse("lists:measure_review", args=[measure.pk]), {"decision": "accept"})
    measure.refresh_from_db()
    assert measure.status == MeasureStatus.SUBMITTED
    _login(client, "street_secretary")
    page = client.get(reverse("lists:measure_detail", args=[measure.pk])).content.decode()
    assert "验收通过" in page
    client.post(reverse("lists:measure_review", args=[measure.pk]), {"decision": "return", "reason": ""})
    measure.refresh_from_db()
    assert measure.status == MeasureStatus.SUBMITTED  # a send-back needs a reason
    client.post(reverse("lists:measure_review", args=[measure.pk]), {"decision": "accept", "reason": "好"})
    measure.refresh_from_db()
    assert measure.status == MeasureStatus.ACCEPTED


def test_list_detail_shows_the_maths(community_client, city, people):
    lst = make_list(people["community"], city.communities["a"], missing_progress="exclude")
    one = make_measure(people["community"], lst, city.communities["a"], title="一", weight=3)
    make_measure(people["community"], lst, city.communities["a"], title="二", weight=1)
    services.measure_report_progress(actor=people["community"], measure=one, percent=40)
    page = community_client.get(reverse("lists:list_detail", args=[lst.pk])).content.decode()
    assert "Σ(权重 × 进度) ÷ Σ权重" in page
    assert "不计入" in page and "40.0%" in page


def test_list_pages_bounded_queries(community_client, city, people, django_assert_max_num_queries):
    lst = make_list(people["community"], city.communities["a"])
    project = services.project_create(actor=people["community"], lst=lst, title="项目")
    for i in range(30):
        m = make_measure(people["community"], lst, city.branches["a"] if i % 2 else city.communities["a"],
                         title=f"措施{i}", project=project if i % 3 else None)
        services.measure_report_progress(actor=people["community"], measure=m, percent=i)
    with django_assert_max_num_queries(14):
        assert community_client.get(reverse("lists:list_detail", args=[lst.pk])).status_code == 200
    with django_assert_max_num_queries(12):
        assert community_client.get(reverse("lists:measure_list")).status_code == 200
    with django_assert_max_num_queries(12):
        assert community_client.get(reverse("lists:measure_list") + "?due=overdue").status_code == 200
    with django_assert_max_num_queries(12):
        assert community_client.get(reverse("lists:index")).status_code == 200
    with django_assert_max_num_queries(12):
        assert community_client.get(reverse("lists:board")).status_code == 200


def test_board_ranks_children_and_states_the_rule(client, city, people):
    admin = make_user("city_admin2", "org_admin", city.city)
    lst = make_list(admin, city.city, missing_progress="zero")
    a = make_measure(admin, lst, city.communities["a"])
    b = make_measure(admin, lst, city.communities["b"])
    make_measure(admin, lst, city.communities["b"], deadline=datetime.date(2020, 1, 1),
                 start_on=datetime.date(2020, 1, 1))
    services.measure_report_progress(actor=admin, measure=a, percent=80)
    services.measure_report_progress(actor=admin, measure=b, percent=90)
    _login(client, "city_admin2")
    response = client.get(reverse("lists:board") + f"?root={city.city.pk}")
    rows = response.context["rows"]
    assert [r.org for r in rows] == [city.districts["a"], city.districts["b"]]  # 80 % beats (90+0)/2
    assert [r.rank for r in rows] == [1, 2]
    assert rows[1].overdue == 1
    page = response.content.decode()
    assert "排名规则" in page and "不对个人排名" in page
    # The board follows the list's own rule: with silent measures left out, district B
    # (90 %) comes first; a query cannot ask for another rule.
    services.list_update(actor=admin, lst=lst, missing_progress="exclude")
    plain = client.get(reverse("lists:board") + f"?root={city.city.pk}&missing=zero")
    assert [r.org for r in plain.context["rows"]] == [city.districts["b"], city.districts["a"]]


def test_public_pages_without_login(client, city, people):
    secretary = city.member(city.communities["a"], name="王小红", phone="13900001111")
    from dangjian.orgs import services as org_services

    org_services.post_assign(actor=None, member=secretary, org=city.communities["a"], kind="secretary",
                             start_on=datetime.date(2020, 1, 1))
    lst = make_list(people["community"], city.communities["a"])
    shown = make_measure(people["community"], lst, city.communities["a"], title="公开的措施", responsible=secretary)
    make_measure(people["community"], lst, city.communities["a"], title="内部措施", is_public=False)
    draft = make_list(people["community"], city.communities["a"], title="未公示清单")
    assert client.get(reverse("public:list_detail", args=[lst.pk])).status_code == 404
    services.list_publish(actor=people["community"], lst=lst)
    services.measure_report_progress(actor=people["community"], measure=shown, percent=100, note="内部备注：李四家")
    services.measure_update(actor=people["community"], measure=shown, title="公开的措施（调整）", reason="名称更准确")
    index = client.get(reverse("public:index"))
    assert index.status_code == 200 and city.communities["a"].name in index.content.decode()
    org_page = client.get(reverse("public:org_lists", args=[city.communities["a"].pk])).content.decode()
    assert lst.title in org_page and "未公示清单" not in org_page
    page = client.get(reverse("public:list_detail", args=[lst.pk])).content.decode()
    assert "公开的措施（调整）" in page and "内部措施" not in page
    # Burden rule: the responsible organisation and post, never a person's name.
    assert "王小红" not in page and 'data-testid="public-post">书记<' in page
    assert "13900001111" not in page and "139****1111" not in page and "李四家" not in page
    assert "名称更准确" in page  # the change after publication is shown
    assert "community_secretary" not in page  # no reporter names
    # 提意见: each disclosed measure offers a comment that arrives as a resident's request.
    assert f'href="/requests/new/?measure={shown.pk}"' in page
    form = client.get(f"/requests/new/?measure={shown.pk}")
    assert form.status_code == 200 and "公开的措施（调整）" in form.content.decode()
    assert client.get(reverse("public:list_detail", args=[draft.pk])).status_code == 404


def test_public_page_bounded_queries(client, city, people, django_assert_max_num_queries):
    lst = make_list(people["community"], city.communities["a"])
    for i in range(25):
        make_measure(people["community"], lst, city.communities["a"], title=f"措施{i}")
    services.list_publish(actor=people["community"], lst=lst)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("public:list_detail", args=[lst.pk])).status_code == 200
    with django_assert_max_num_queries(6):
        assert client.get(reverse("public:index")).status_code == 200


def test_export_import_round_trip(community_client, city, people):
    from dangjian.core.spreadsheets import reader as excel
    from dangjian.lists import spreadsheets as list_io

    member = city.member(city.communities["a"], name="赵六")
    lst = make_list(people["community"], city.communities["a"], kind="project", title="富民实事项目清单",
                    averaging="plain", missing_progress="exclude")
    programme = services.programme_create(actor=people["community"], lst=lst, title="党建+强村富民", weight=2,
                                          domain=__import__("dangjian.lists.models", fromlist=["x"])
                                          .ProgrammeDomain.objects.get(code="rural_prosperity"))
    project = services.project_create(actor=people["community"], lst=lst, programme=programme, title="合作社",
                                      is_secretary_project=True, weight="1.5")
    make_measure(people["community"], lst, city.branches["a"], project=project, title="=SUM(A1)", target="+1 户",
                 target_value="12", target_unit="户", responsible=member, weight="2.25")
    services.project_create(actor=people["community"], lst=lst, title="空项目")
    make_measure(people["community"], lst, city.communities["a"], title="直接措施", is_public=False)
    for fmt in ("xlsx", "csv"):
        response = community_client.get(reverse("lists:list_export", args=[lst.pk, fmt]))
        assert response.status_code == 200
        data = response.content if fmt == "xlsx" else b"".join(response.streaming_content)
        before = [r[:len(list_io.COLUMNS)] for r in _cells(excel.open_bytes(data, name=f"x.{fmt}"))]
        services.list_update(actor=people["community"], lst=lst, title=f"旧清单{fmt}")
        result = list_io.import_lists(sheet=excel.open_bytes(data, name=f"x.{fmt}"), actor=people["community"])
        assert result.ok, result.problems
        assert (result.lists, result.created) == (1, 2)
        copy = List.objects.get(title="富民实事项目清单")
        again = [r[:len(list_io.COLUMNS)] for r in _cells(excel.open_bytes(
            list_io.export_xlsx([copy]), name="y.xlsx"))]
        assert again == before
        copy.delete()
        services.list_update(actor=people["community"], lst=lst, title="富民实事项目清单")


def _cells(sheet):
    """Cells as text (dates without time), trailing empty cells dropped: xlsx and csv
    readers differ only in how far a row runs."""
    rows = [[("" if v is None else str(v)) for v in values] for _n, values in sheet.rows()]
    rows = [[c.split(" ")[0] if "-" in c and ":" in c else c for c in row] for row in rows]
    for row in rows:
        while row and row[-1] == "":
            row.pop()
    return rows


def test_import_is_all_or_nothing_with_row_errors(city, people):
    from dangjian.core.spreadsheets import reader as excel
    from dangjian.lists import spreadsheets as list_io

    header = ",".join(h for _k, h in list_io.COLUMNS)
    good = "任务清单A,任务清单,甲区幸福社区党委,2026-01-01,2026-12-31,加权平均,按0%计入,,,,,,,,措施一,完成,,,甲区幸福社区党委,,2026-02-01,2026-03-01,1,是"
    late = "任务清单A,任务清单,甲区幸福社区党委,2026-01-01,2026-12-31,加权平均,按0%计入,,,,,,,,措施二,完成,,,甲区幸福社区党委,,2026-05-01,2026-03-01,1,是"
    outside = "任务清单A,任务清单,甲区幸福社区党委,2026-01-01,2026-12-31,加权平均,按0%计入,,,,,,,,措施三,完成,,,乙区幸福社区党委,,2026-02-01,2026-03-01,500,是"
    data = "\n".join([header, good, late, outside]).encode()
    result = list_io.import_lists(sheet=excel.open_bytes(data, name="a.csv"), actor=people["community"])
    errors = [(p.row, p.column, p.reason) for p in result.problems]
    assert (3, "截止日期", "截止日期不能早于开始日期。") in errors
    assert any(row == 4 and column == "责任组织" for row, column, _m in errors)
    assert not List.objects.exists() and not Measure.objects.exists()
    wrong_header = ("清单名称,类别\n" + "x,y").encode()
    result = list_io.import_lists(sheet=excel.open_bytes(wrong_header, name="b.csv"), actor=people["community"])
    assert any(p.column == "类别" for p in result.problems)
    header_only = list_io.import_lists(sheet=excel.open_bytes(header.encode(), name="c.csv"),
                                       actor=people["community"])
    assert not header_only.ok and "没有数据行" in header_only.problems[0].reason


def test_import_page_shows_errors(community_client, city, people, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from dangjian.lists import spreadsheets as list_io

    header = ",".join(h for _k, h in list_io.COLUMNS)
    row = "清单,任务清单,不存在的组织,2026-01-01,2026-12-31,,,,,,,,,,,,,,,,,,,"
    upload = SimpleUploadedFile("l.csv", (header + "\n" + row).encode(), "text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = community_client.post(reverse("lists:list_import"), {"file": upload})
    page = community_client.get(response["Location"]).content.decode()
    assert "未做任何修改" in page and "不存在的组织" in page
    form = community_client.get(reverse("lists:list_import")).content.decode()
    template = community_client.get(reverse("import_template", args=["lists"]))
    assert reverse("import_template", args=["lists"]) in form and template.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(template.streaming_content)))
    assert [c.value for c in book.worksheets[0][1]][:3] == ["清单名称", "清单类型", "所属组织"]
    assert book.sheetnames[1] == "说明"
    exe = SimpleUploadedFile("l.xlsx", b"MZ\x90\x00", "application/octet-stream")
    with django_capture_on_commit_callbacks(execute=True):
        response = community_client.post(reverse("lists:list_import"), {"file": exe})
    assert "不是有效的 xlsx" in community_client.get(response["Location"]).content.decode()
    assert not List.objects.exists()


def test_notifications_page_marks_read(community_client, city, people):
    from dangjian.lists.models import Notification

    Notification.objects.create(recipient=people["community"], kind="x", title="提醒一", key="k1")
    Notification.objects.create(recipient=people["street"], kind="x", title="别人的", key="k1")
    page = community_client.get(reverse("lists:notifications")).content.decode()
    assert "提醒一" in page and "别人的" not in page
    community_client.post(reverse("lists:notifications"))
    assert not Notification.objects.filter(recipient=people["community"], read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=people["street"], read_at__isnull=True).exists()


def test_overview_panel_links_to_rows(client, city, people):
    lst = make_list(people["community"], city.communities["a"])
    make_measure(people["community"], lst, city.communities["a"], start_on=datetime.date(2020, 1, 1),
                 deadline=datetime.date(2020, 2, 1))
    from dangjian.core import overview

    panels = [p for p in overview.panels(people["community"], city.communities["a"]) if p["key"] == "lists"]
    figures = {f["label"]: f for f in panels[0]["figures"]}
    overdue = figures["逾期措施"]
    assert overdue["value"] == 1
    _login(client, "community_secretary")
    page = client.get(overdue["url"])
    assert page.status_code == 200 and len(page.context["page"]) == 1
