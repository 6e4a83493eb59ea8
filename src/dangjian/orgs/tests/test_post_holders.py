"""Issue 9.1: a post (楼栋长) can be held by a resident who is not in the member registry:
a person record with a name and an encrypted, masked phone, kept by the post's organisation."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from dangjian.core.models import AuditEntry
from dangjian.orgs import services
from dangjian.orgs.models import Person, Post, PostKind
from dangjian.testing import make_id_number, make_user

START = datetime.date(2026, 1, 5)


@pytest.fixture
def secretary_a(city):
    return make_user("grid_sec_a", "secretary", city.branches["a"])


def test_a_resident_holds_a_building_head_post(client, city, secretary_a):
    person = services.person_create(actor=secretary_a, org=city.branches["a"], name="王阿姨", phone="13912345678")
    assert person.phone_masked != "13912345678" and "13912345678" not in person.phone_encrypted
    assert person.phone == "13912345678"
    post = services.post_assign(actor=secretary_a, person=person, org=city.branches["a"],
                                kind=PostKind.BUILDING_HEAD, start_on=START, area=city.grids["a"][0])
    assert post.member is None and post.holder == person
    assert AuditEntry.objects.filter(object_type="orgs.person", action="create").count() == 1
    assert AuditEntry.objects.get(object_type="orgs.post", action="create").after["person"] == person.pk

    client.force_login(secretary_a)
    page = client.get(reverse("orgs:org_detail", args=[city.branches["a"].pk])).content.decode()
    assert "王阿姨" in page and "非党员" in page and "13912345678" not in page
    api = client.get(f"/api/v1/posts/{post.pk}/").json()
    assert api["member"] is None and api["member_name"] == "王阿姨"


def test_exactly_one_holder(city, secretary_a):
    member = city.member(city.branches["a"])
    person = services.person_create(actor=secretary_a, org=city.branches["a"], name="李师傅")
    for holder in ({}, {"member": member, "person": person}):
        with pytest.raises(ValidationError) as raised:
            services.post_assign(actor=secretary_a, org=city.branches["a"], kind=PostKind.BUILDING_HEAD,
                                 start_on=START, **holder)
        assert "member" in raised.value.message_dict
    assert not Post.objects.exists()
    # the database refuses a post with no holder too
    with pytest.raises(IntegrityError), transaction.atomic():
        Post.objects.create(org=city.branches["a"], kind=PostKind.BUILDING_HEAD, start_on=START)


def test_persons_outside_the_scope_are_refused(city, secretary_a):
    other = make_user("grid_sec_b", "secretary", city.branches["b"])
    theirs = services.person_create(actor=other, org=city.branches["b"], name="赵大爷")
    with pytest.raises(ValidationError) as raised:
        services.post_assign(actor=secretary_a, person=theirs, org=city.branches["a"],
                             kind=PostKind.BUILDING_HEAD, start_on=START)
    assert "person" in raised.value.message_dict
    with pytest.raises(ValidationError):
        services.person_create(actor=secretary_a, org=city.branches["b"], name="越界")
    with pytest.raises(ValidationError) as raised:
        services.person_create(actor=secretary_a, org=city.branches["a"], name=" ", phone="12ab")
    assert set(raised.value.message_dict) == {"name", "phone"}
    assert Person.objects.count() == 1 and not Post.objects.exists()
    assert list(Person.objects.visible_to(secretary_a)) == []


def test_the_post_form_takes_a_member_or_a_resident(client, city, secretary_a):
    client.force_login(secretary_a)
    url = reverse("orgs:post_assign", args=[city.branches["a"].pk])
    base = {"kind": PostKind.BUILDING_HEAD, "start_on": "2026-01-05"}
    assert "非党员任职人姓名" in client.get(url).content.decode()
    # neither a member nor a name: refused, nothing written
    response = client.post(url, base)
    assert response.status_code == 200 and "二选一" in response.content.decode() and not Post.objects.exists()
    response = client.post(url, {**base, "person_name": "王阿姨", "person_phone": "12ab"})
    assert response.status_code == 200 and "7 至 20 位数字" in response.content.decode()
    assert not Person.objects.exists() and not Post.objects.exists()
    response = client.post(url, {**base, "person_name": "王阿姨", "person_phone": "13912345678"})
    assert response.status_code == 302
    post = Post.objects.get()
    assert post.member is None and post.person.name == "王阿姨" and post.person.phone == "13912345678"


def test_a_grid_branch_secretary_acts_on_the_branch(city, secretary_a):
    """The grid branch's secretary reports progress on the branch's measure and keeps its
    members' records; a grid worker only reads."""
    from dangjian.lists import services as list_services
    from dangjian.lists.models import ListKind

    street_secretary = make_user("street_sec_a", "secretary", city.streets["a"])
    lst = list_services.list_create(actor=street_secretary, org=city.streets["a"], kind=ListKind.TASK, title="任务",
                                    period_start=datetime.date(2026, 1, 1), period_end=datetime.date(2026, 12, 31))
    measure = list_services.measure_create(actor=street_secretary, lst=lst, org=city.branches["a"], title="中心户走访",
                                           target="走访", start_on=START, deadline=datetime.date(2026, 12, 1))
    list_services.measure_report_progress(actor=secretary_a, measure=measure, percent=40, note="已走访")
    measure.refresh_from_db()
    assert measure.progress == 40
    member = services.member_create(actor=secretary_a, org=city.branches["a"], name="新党员",
                                    id_number=make_id_number(), joined_on=datetime.date(2020, 7, 1), status="full",
                                    category="retired")
    assert member.org == city.branches["a"]
    worker = make_user("worker_a", "grid_worker", city.branches["a"])
    with pytest.raises((PermissionDenied, ValidationError)):
        list_services.measure_report_progress(actor=worker, measure=measure, percent=60, note="")
    measure.refresh_from_db()
    assert measure.progress == 40
