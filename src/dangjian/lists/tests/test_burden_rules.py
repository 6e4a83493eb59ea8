"""Issue 9.4 and 9.5: the measure page shows what the viewer can do, and the burden rules
(DOMAIN.md "Rules the platform must keep") hold by default. One test per rule."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from PIL import Image

from dangjian.lists import services
from dangjian.lists.models import Evidence, List, Measure, MeasureStatus
from dangjian.orgs import services as org_services
from dangjian.orgs.models import OrgKind, Sector
from dangjian.testing import PASSWORD, make_user

from .conftest import JPEG, REAL_TODAY, Upload, make_list, make_measure


def _login(client, username):
    client.logout()
    assert client.login(username=username, password=PASSWORD)
    return client


def _jpeg_with_location():
    image = Image.new("RGB", (8, 8), "red")
    exif = Image.Exif()
    exif[0x010F] = "TestCam"  # Make
    exif[0x8825] = {1: "N", 2: (32.0, 1.0, 0.0), 3: "E", 4: (120.0, 52.0, 0.0)}  # GPS IFD
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes(), quality=90)
    return out.getvalue()


def _gps(evidence):
    with evidence.file.open("rb") as handle, Image.open(handle) as image:
        exif = image.getexif()
        return exif.get_ifd(0x8825), exif.get(0x010F)


# Silence is not punished ------------------------------------------------------------------

def test_unreported_items_are_not_counted_by_default(city, people):
    lst = make_list(people["community"], city.communities["a"])
    assert lst.missing_progress == "exclude"
    reported = make_measure(people["community"], lst, city.communities["a"], title="已报")
    make_measure(people["community"], lst, city.communities["a"], title="未报")
    services.measure_report_progress(actor=people["community"], measure=reported, percent=60)
    from dangjian.lists import selectors

    assert selectors.list_rollup(List.objects.get(pk=lst.pk)).result.value == pytest.approx(60)
    # A list may still say otherwise.
    zero = make_list(people["community"], city.communities["a"], title="按0%计", missing_progress="zero")
    m = make_measure(people["community"], zero, city.communities["a"])
    make_measure(people["community"], zero, city.communities["a"], title="未报")
    services.measure_report_progress(actor=people["community"], measure=m, percent=60)
    assert selectors.list_rollup(List.objects.get(pk=zero.pk)).result.value == pytest.approx(30)


def test_public_headline_counts_only_what_is_counted_and_says_so(client, city, people):
    lst = make_list(people["community"], city.communities["a"])
    done = make_measure(people["community"], lst, city.communities["a"], title="已报事项")
    make_measure(people["community"], lst, city.communities["a"], title="未报事项一")
    make_measure(people["community"], lst, city.communities["a"], title="未报事项二")
    services.measure_report_progress(actor=people["community"], measure=done, percent=50)
    services.list_publish(actor=people["community"], lst=lst)
    page = client.get(reverse("public:list_detail", args=[lst.pk])).content.decode()
    assert 'data-testid="public-completion">50.0%<' in page
    counted = page.split('data-testid="public-counted">')[1].split("</small>")[0]
    assert "按已计入的 1 项计算" in counted and "2 项未报进度、不计入" in counted


def test_public_pages_name_the_org_and_post_not_a_person_beside_overdue(client, city, people):
    secretary = city.member(city.communities["a"], name="赵晓东")
    org_services.post_assign(actor=None, member=secretary, org=city.communities["a"], kind="secretary",
                             start_on=datetime.date(2020, 1, 1))
    lst = make_list(people["community"], city.communities["a"])
    make_measure(people["community"], lst, city.communities["a"], title="逾期事项", responsible=secretary,
                 deadline=REAL_TODAY - datetime.timedelta(days=3))
    services.list_publish(actor=people["community"], lst=lst)
    page = client.get(reverse("public:list_detail", args=[lst.pk])).content.decode()
    row = page.split('id="m')[1]
    assert "逾期" in row and city.communities["a"].name in row and 'data-testid="public-post">书记<' in row
    assert "赵晓东" not in page


def test_plan_type_items_are_not_escalated_daily(city, people):
    from dangjian.lists.models import Notification

    plan = make_list(people["community"], city.communities["a"], kind="commitment", title="承诺清单")
    make_measure(people["community"], plan, city.communities["a"], deadline=REAL_TODAY - datetime.timedelta(days=9))
    for day in range(3):
        services.sweep_deadlines(today=REAL_TODAY + datetime.timedelta(days=day))
    assert not Notification.objects.exists()


# No naming and shaming ---------------------------------------------------------------------

def test_no_ranking_below_the_branch_level(client, city, people):
    branch = city.branches["a"]
    groups = [org_services.org_create(actor=None, parent=branch, name=f"{n}号楼党小组", kind=OrgKind.GROUP,
                                      sector=Sector.URBAN_COMMUNITY) for n in (1, 2)]
    lst = make_list(people["community"], city.communities["a"])
    for group, percent in zip(groups, (30, 90)):
        m = make_measure(people["community"], lst, group, title=f"{group.name}措施")
        services.measure_report_progress(actor=people["community"], measure=m, percent=percent)
    _login(client, "community_secretary")
    response = client.get(reverse("lists:board") + f"?root={branch.pk}")
    assert [r.org for r in response.context["rows"]] == groups  # tree order, not by completion
    assert all(r.rank is None for r in response.context["rows"])
    page = response.content.decode()
    assert 'data-testid="no-ranking"' in page and "排名规则" not in page
    api = client.get(f"/api/v1/lists-board/?root={branch.pk}").json()
    assert [r["org_name"] for r in api["rows"]] == [g.name for g in groups]
    assert [r["rank"] for r in api["rows"]] == [None, None]
    # A community still ranks its branches.
    response = client.get(reverse("lists:board") + f"?root={city.communities['a'].pk}")
    assert response.context["ranked"] and "排名规则" in response.content.decode()


# No accidental traces ----------------------------------------------------------------------

def test_uploaded_photos_lose_their_location_unless_kept(city, people):
    lst = make_list(people["community"], city.communities["a"])
    measure = make_measure(people["community"], lst, city.communities["a"])
    services.measure_report_progress(actor=people["community"], measure=measure, percent=10,
                                     files=[Upload(_jpeg_with_location(), "site.jpg")])
    stripped = Evidence.objects.get()
    gps, make = _gps(stripped)
    assert not gps and make == "TestCam"  # the location goes, the rest of EXIF stays
    assert stripped.size == stripped.file.size
    services.measure_report_progress(actor=people["community"], measure=measure, percent=20, keep_location=True,
                                     files=[Upload(_jpeg_with_location(), "kept.jpg")])
    kept = Evidence.objects.get(name="kept.jpg")
    assert _gps(kept)[0][1] == "N"
    # A photo without EXIF passes through untouched.
    services.measure_report_progress(actor=people["community"], measure=measure, percent=30,
                                     files=[Upload(JPEG, "plain.jpg")])
    with Evidence.objects.get(name="plain.jpg").file.open("rb") as handle:
        assert handle.read() == JPEG


# No forced traces: a reviewer cannot send back only for lack of photos ----------------------

def test_send_back_needs_a_reason_and_not_only_photos(client, city, people):
    lst = make_list(people["community"], city.communities["a"])
    measure = make_measure(people["community"], lst, city.communities["a"])
    services.measure_report_progress(actor=people["community"], measure=measure, percent=100)
    for reason in ("", "   ", "请补充照片", "缺少照片。", "上传现场照片"):
        with pytest.raises(ValidationError):
            services.measure_send_back(actor=people["street"], measure=measure, reason=reason)
    assert Measure.objects.get(pk=measure.pk).status == MeasureStatus.SUBMITTED
    _login(client, "street_secretary")
    response = client.post(reverse("lists:measure_review", args=[measure.pk]),
                           {"decision": "return", "reason": "请补充照片"}, follow=True)
    assert "不能只因缺少照片而退回" in response.content.decode()
    assert Measure.objects.get(pk=measure.pk).status == MeasureStatus.SUBMITTED
    services.measure_send_back(actor=people["street"], measure=measure, reason="服务站尚未挂牌，请挂牌后再报")
    # The reason is shown to the owner on the measure page.
    page = _login(client, "community_secretary").get(reverse("lists:measure_detail", args=[measure.pk]))
    assert "服务站尚未挂牌，请挂牌后再报" in page.content.decode().split('data-testid="return-reason"')[1]


# The measure page shows what the viewer can do (issue 9.4) -----------------------------------

def test_reviewer_sees_the_evidence_and_the_acceptance_form_first(client, city, people):
    lst = make_list(people["community"], city.communities["a"])
    measure = make_measure(people["community"], lst, city.communities["a"])
    services.measure_report_progress(actor=people["community"], measure=measure, percent=100, note="已挂牌运行",
                                     files=[Upload(JPEG, "sign.jpg")])
    page = _login(client, "street_secretary").get(reverse("lists:measure_detail", args=[measure.pk])).content.decode()
    review = page.index('id="h-review"')
    evidence = page.index('data-testid="review-evidence"')
    assert review < evidence < page.index('id="h-reports"')
    assert "已挂牌运行" in page[evidence:] and 'href="#evidence-' in page[evidence:]
    # Evidence opens in the page, with a way back.
    item = Evidence.objects.get()
    assert f'id="evidence-{item.pk}"' in page and 'data-testid="evidence-back"' in page
    # The street is not the owner: no report form for it.
    assert 'id="h-report"' not in page


def test_owner_reports_one_way_and_only_while_it_makes_sense(client, city, people):
    lst = make_list(people["community"], city.communities["a"])
    counted = make_measure(people["community"], lst, city.communities["a"], title="发展党员", target_value=4,
                           target_unit="名")
    plain = make_measure(people["community"], lst, city.communities["a"], title="建成服务站")
    _login(client, "community_secretary")
    page = client.get(reverse("lists:measure_detail", args=[counted.pk])).content.decode()
    assert 'name="value"' in page and 'name="percent"' not in page
    page = client.get(reverse("lists:measure_detail", args=[plain.pk])).content.decode()
    assert 'name="percent"' in page and 'name="value"' not in page
    # A failed form stays on the measure's URL, with the error, and changes nothing.
    url = reverse("lists:measure_detail", args=[plain.pk])
    assert f'action="{url}"' in page
    response = client.post(url, {"percent": "120"})
    assert response.status_code == 400 and 'name="percent"' in response.content.decode()
    assert response.request["PATH_INFO"] == url and "h-report" in response.content.decode()
    assert not Measure.objects.get(pk=plain.pk).has_progress
    # Success says what happens next, naming the reviewing level.
    response = client.post(url, {"percent": "100"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("lists:measure_detail", args=[plain.pk])
    html = response.content.decode()
    assert "已提交街道验收" in html and city.streets["a"].name in html
    # While the street reviews it, the owner sees that instead of the report form.
    assert 'id="h-report"' not in html and 'data-testid="awaiting-review"' in html
    services.measure_accept(actor=people["street"], measure=plain)
    page = client.get(reverse("lists:measure_detail", args=[plain.pk])).content.decode()
    assert 'id="h-report"' not in page
