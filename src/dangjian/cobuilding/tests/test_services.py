"""Services: scope for every object handed in, bad input refused with nothing written,
one audit entry per write, the area → organisation rule."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dangjian.cobuilding import selectors, services
from dangjian.cobuilding.models import (
    Agreement,
    AgreementKind,
    Coverage,
    PartyRole,
    ReportStatus,
    Unit,
    UnitKind,
    UnitReport,
)
from dangjian.core.models import AuditEntry
from dangjian.testing import make_user

from .conftest import make_code

D = datetime.date


def test_a_unit_belongs_to_the_community_org_of_its_area_even_from_a_grid(city, units):
    assert units["own"].org == city.communities["a"]
    assert units["bare"].org == city.communities["a"]  # area is grid 2 of community A: the community, not a branch
    assert units["sibling"].org == city.communities["b"]
    # an area with no community org of its own falls back to the street's
    assert services.owner_org_for_area(city.streets["a"].area) == city.streets["a"]


def test_invalid_checksum_is_refused_and_nothing_written(city, people):
    code = make_code()
    bad = code[:17] + ("0" if code[17] != "0" else "1")
    before = Unit.objects.count(), AuditEntry.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.unit_create(actor=people["community"], name="坏代码公司", kind=UnitKind.PRIVATE,
                             area=city.communities["a"].area, credit_code=bad)
    assert "校验位" in exc.value.message_dict["credit_code"][0]
    assert (Unit.objects.count(), AuditEntry.objects.count()) == before


def test_enterprises_need_a_code_others_do_not(city, people):
    area = city.communities["a"].area
    with pytest.raises(ValidationError) as exc:
        services.unit_create(actor=people["community"], name="无代码公司", kind=UnitKind.SOE, area=area)
    assert "credit_code" in exc.value.message_dict
    school = services.unit_create(actor=people["community"], name="无代码学校", kind=UnitKind.SCHOOL, area=area)
    assert school.credit_code == ""


def test_a_code_registered_twice_is_refused(city, people, units):
    with pytest.raises(ValidationError) as exc:
        services.unit_create(actor=people["community"], name="重复公司", kind=UnitKind.PRIVATE,
                             area=city.communities["a"].area, credit_code=units["own"].credit_code.lower())
    assert "已登记" in exc.value.message_dict["credit_code"][0]


def test_coverage_needs_its_org_and_none_has_none(city, people):
    area = city.communities["a"].area
    with pytest.raises(ValidationError) as exc:
        services.unit_create(actor=people["community"], name="甲", kind=UnitKind.SCHOOL, area=area,
                             coverage=Coverage.OWN)
    assert "covering_org" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.unit_create(actor=people["community"], name="乙", kind=UnitKind.SCHOOL, area=area,
                             coverage=Coverage.NONE, covering_org=city.branches["a"])


def test_unit_outside_scope_refused(city, people):
    before = Unit.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.unit_create(actor=people["community"], name="越界单位", kind=UnitKind.SCHOOL,
                             area=city.communities["b"].area)
    assert "area" in exc.value.message_dict
    with pytest.raises(ValidationError):  # a covering org the actor cannot see
        services.unit_create(actor=people["community"], name="越界覆盖", kind=UnitKind.SCHOOL,
                             area=city.communities["a"].area, coverage=Coverage.JOINT, covering_org=city.branches["b"])
    assert Unit.objects.count() == before


def test_update_and_close_check_scope_and_audit(city, people, units):
    with pytest.raises(PermissionDenied):
        services.unit_update(actor=people["other"], unit=units["own"], name="改名")
    n = AuditEntry.objects.count()
    unit = services.unit_update(actor=people["community"], unit=units["bare"], coverage=Coverage.INSTRUCTOR)
    assert unit.coverage == Coverage.INSTRUCTOR and AuditEntry.objects.count() == n + 1
    services.unit_update(actor=people["community"], unit=unit, coverage=Coverage.INSTRUCTOR)  # no change: no entry
    assert AuditEntry.objects.count() == n + 1
    with pytest.raises(ValidationError):  # moving it to the sibling's area
        services.unit_update(actor=people["community"], unit=unit, area=city.communities["b"].area)
    services.unit_close(actor=people["street"], unit=unit, on=D(2026, 11, 1))
    assert Unit.objects.get(pk=unit.pk).closed_on == D(2026, 11, 1)


def test_coverage_summary_counts_the_subtree_and_links_to_rows(city, people, units):
    summary = selectors.coverage_summary(people["street"])
    assert (summary["total"], summary["covered"], summary["uncovered"]) == (2, 1, 1)
    assert summary["rate"] == 50.0
    private = next(r for r in summary["rows"] if r["kind"] == UnitKind.PRIVATE)
    own_cell = next(c for c in private["cells"] if c["coverage"] == Coverage.OWN)
    assert own_cell["value"] == 1 and "kind=private&coverage=own" in own_cell["url"]
    everyone = make_user("admin", "org_admin", city.city)
    assert selectors.coverage_summary(everyone)["total"] == 3
    assert selectors.coverage_summary(everyone, city.communities["b"])["total"] == 1


def test_coverage_metric_per_org(city, units):
    from dangjian.core import metrics

    reading = metrics.get("cobuilding.unit_coverage").read([city.city, city.communities["a"], city.communities["b"]],
                                                          D(2026, 1, 1), D(2026, 12, 31))
    assert reading[city.city.pk].value == pytest.approx(33.33) and reading[city.city.pk].required == 3
    assert reading[city.communities["a"].pk].value == 50
    assert reading[city.communities["b"].pk].value == 0


def test_a_unit_reports_to_one_community_at_a_time(city, people, units):
    report = services.unit_report_register(actor=people["community"], unit=units["own"],
                                           community=city.communities["a"], offer="场地、志愿者")
    assert report.status == ReportStatus.PENDING
    n = UnitReport.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.unit_report_register(actor=people["community"], unit=units["own"], community=city.communities["b"])
    assert "同一时间只能向一个社区报到" in exc.value.message_dict["unit"][0]
    assert UnitReport.objects.count() == n
    with pytest.raises(PermissionDenied):  # only the community accepts
        services.unit_report_decide(actor=people["other"], report=report)
    services.unit_report_decide(actor=people["community"], report=report)
    assert UnitReport.objects.get(pk=report.pk).status == ReportStatus.ACCEPTED
    services.unit_report_end(actor=people["community"], report=report)
    again = services.unit_report_register(actor=people["community"], unit=units["own"],
                                          community=city.communities["a"])
    assert again.status == ReportStatus.PENDING


def test_report_by_someone_on_neither_side_refused(city, people, units):
    with pytest.raises(ValidationError):
        services.unit_report_register(actor=people["other"], unit=units["own"], community=city.communities["a"])
    with pytest.raises(ValidationError):  # a street org is not a community
        services.unit_report_register(actor=people["street"], unit=units["own"], community=city.streets["a"])
    assert not UnitReport.objects.exists()


def test_agreement_ending_before_it_starts_is_refused(city, people, units):
    with pytest.raises(ValidationError) as exc:
        services.agreement_create(actor=people["community"], org=city.communities["a"], title="共建协议",
                                  start_on=D(2026, 6, 1), end_on=D(2026, 1, 1), parties=[units["own"]])
    assert "end_on" in exc.value.message_dict
    assert not Agreement.objects.exists()


def test_three_offices_agreement_needs_the_three_roles_and_unit_scope(city, people, units):
    area = city.communities["a"].area
    law, police, judicial = (services.unit_create(actor=None, name=n, kind=k, area=area, credit_code=c)
                             for n, k, c in (("某律师事务所", UnitKind.SOCIAL_ORG, ""), ("某派出所", UnitKind.ORGAN, ""),
                                             ("某司法所", UnitKind.ORGAN, "")))
    with pytest.raises(ValidationError):
        services.agreement_create(actor=people["community"], org=city.communities["a"], title="三所共建",
                                  kind=AgreementKind.THREE_OFFICES, start_on=D(2026, 1, 1), end_on=D(2026, 12, 31),
                                  parties=[(law, PartyRole.LAW_FIRM), (police, PartyRole.POLICE_STATION)])
    with pytest.raises(ValidationError):  # a sibling's unit
        services.agreement_create(actor=people["community"], org=city.communities["a"], title="越界",
                                  start_on=D(2026, 1, 1), end_on=D(2026, 12, 31), parties=[units["sibling"]])
    agreement = services.agreement_create(
        actor=people["community"], org=city.communities["a"], title="三所共建协议", kind=AgreementKind.THREE_OFFICES,
        start_on=D(2026, 1, 1), end_on=D(2026, 12, 31),
        parties=[(law, PartyRole.LAW_FIRM), (police, PartyRole.POLICE_STATION), (judicial, PartyRole.JUDICIAL_OFFICE)],
        commitments=[(None, "提供活动场地"), (law, "每月一次法律咨询")])
    assert agreement.parties.count() == 3
    assert [c.text for c in agreement.commitments.all()] == ["提供活动场地", "每月一次法律咨询"]


def test_alliance_led_by_street_with_orgs_and_units(city, people, units):
    alliance = services.alliance_create(actor=people["street"], lead_org=city.streets["a"], name="幸福党建联盟",
                                        founded_on=D(2026, 3, 1), member_orgs=[city.communities["a"]],
                                        member_units=[units["own"]])
    assert alliance.members.count() == 2
    with pytest.raises(ValidationError):
        services.alliance_create(actor=people["community"], lead_org=city.streets["b"], name="越界联盟",
                                 founded_on=D(2026, 3, 1))


def test_instructor_assignment_and_reviews_from_both_sides(city, people, units):
    instructor = services.instructor_create(actor=people["street"], org=city.streets["a"], appointed_on=D(2026, 1, 1),
                                            person_name="王老书记", former_post="原街道党工委副书记",
                                            record="1985年入党，2024年退休。")
    assert instructor.name == "王老书记" and instructor.person.org == city.streets["a"]
    with pytest.raises(ValidationError):
        services.instructor_assign(actor=people["street"], instructor=instructor, unit=units["sibling"],
                                   start_on=D(2026, 2, 1))
    with pytest.raises(ValidationError):
        services.instructor_assign(actor=people["street"], instructor=instructor, unit=units["bare"],
                                   start_on=D(2026, 2, 1), end_on=D(2026, 1, 1))
    assignment = services.instructor_assign(actor=people["street"], instructor=instructor, unit=units["bare"],
                                            start_on=D(2026, 2, 1))
    services.instructor_review(actor=people["community"], assignment=assignment, period="2026", unit_rating="good",
                               unit_comment="指导到位")
    review = services.instructor_review(actor=people["street"], assignment=assignment, period="2026",
                                        sender_rating="excellent")
    assert (review.unit_rating, review.sender_rating) == ("good", "excellent")
    with pytest.raises(PermissionDenied):  # the community cannot write the sending unit's review... of B's street
        services.instructor_review(actor=people["other"], assignment=assignment, period="2026", unit_rating="poor")


def test_signed_copy_must_be_a_pdf_or_photo_by_its_bytes(city, people, units, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path / "media"
    fake = SimpleUploadedFile("协议.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationError) as exc:
        services.agreement_create(actor=people["community"], org=city.communities["a"], title="带附件", start_on=D(2026, 1, 1),
                                  end_on=D(2026, 12, 31), parties=[units["own"]], signed_file=fake)
    assert "signed_file" in exc.value.message_dict and not Agreement.objects.exists()
    real = SimpleUploadedFile("协议.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    agreement = services.agreement_create(actor=people["community"], org=city.communities["a"], title="带附件",
                                          start_on=D(2026, 1, 1), end_on=D(2026, 12, 31), parties=[units["own"]],
                                          signed_file=real)
    assert agreement.signed_file.name.endswith(".pdf") and "协议" not in agreement.signed_file.name


def test_signed_copy_downloads_in_scope_only(city, people, units, settings, tmp_path, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from dangjian.testing import PASSWORD

    settings.MEDIA_ROOT = tmp_path / "media"
    real = SimpleUploadedFile("协议.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    agreement = services.agreement_create(actor=people["community"], org=city.communities["a"], title="共建协议甲",
                                          start_on=D(2026, 1, 1), end_on=D(2026, 12, 31), parties=[units["own"]],
                                          signed_file=real)
    client.login(username="community_sec", password=PASSWORD)
    page = client.get(f"/cobuilding/agreements/{agreement.pk}/").content.decode()
    assert f"/cobuilding/agreements/{agreement.pk}/file/" in page
    response = client.get(f"/cobuilding/agreements/{agreement.pk}/file/")
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    client.logout()
    client.login(username="other_sec", password=PASSWORD)  # the sibling district's community
    assert client.get(f"/cobuilding/agreements/{agreement.pk}/file/").status_code == 404
