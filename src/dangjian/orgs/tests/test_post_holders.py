"""Issue 9.1: a post (楼栋长) can be held by a resident who is not in the member registry:
a person record with a name and an encrypted, masked phone, kept by the post's organisation."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from dangjian.core.models import AuditEntry
from dangjian.orgs import services
from dangjian.orgs.models import Person, Post, PostKind
from dangjian.testing import make_user

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
