import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dangjian.core.models import AuditEntry
from dangjian.testing import make_id_number
from dangjian.orgs import services
from dangjian.orgs.models import Member, Org


def test_move_under_own_descendant_is_refused(city):
    before = list(Org.objects.order_by("path").values_list("path", flat=True))
    with pytest.raises(ValidationError) as exc:
        services.org_move(actor=None, org=city.streets["a"], new_parent=city.branches["a"])
    assert "new_parent" in exc.value.message_dict
    assert list(Org.objects.order_by("path").values_list("path", flat=True)) == before


def test_move_keeps_subtree(city):
    street = services.org_move(actor=None, org=city.streets["a"], new_parent=city.districts["b"])
    assert street.path.startswith(city.districts["b"].path)
    community = Org.objects.get(pk=city.communities["a"].pk)
    assert community.path.startswith(street.path)
    assert AuditEntry.objects.filter(action="move", object_id=str(street.pk)).count() == 1


def test_member_out_of_scope_refused(city, users):
    with pytest.raises(ValidationError) as exc:
        services.member_create(actor=users["a"], org=city.branches["b"], name="李四", id_number=make_id_number(),
                               joined_on=datetime.date(2010, 1, 1), status="full", category="employed")
    assert "org" in exc.value.message_dict
    assert not Member.objects.exists()


def test_duplicate_id_number_refused(city):
    number = make_id_number()
    city.member(city.branches["a"], id_number=number)
    with pytest.raises(ValidationError) as exc:
        city.member(city.branches["b"], name="王五", id_number=number.lower())
    assert "id_number" in exc.value.message_dict
    assert Member.objects.count() == 1


def test_bad_check_digit_refused(city):
    number = make_id_number()
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    with pytest.raises(ValidationError) as exc:
        city.member(city.branches["a"], id_number=wrong)
    assert "校验位" in exc.value.message_dict["id_number"][0]


def test_id_number_encrypted_and_masked(city):
    number = make_id_number()
    member = city.member(city.branches["a"], id_number=number)
    assert number not in member.id_number_encrypted
    assert member.id_number == number
    assert member.id_number_masked == number[:6] + "********" + number[-4:]
    assert member.phone_masked == "138****5678"


def test_reveal_needs_permission_and_is_audited(city, users):
    member = city.member(city.branches["a"])
    with pytest.raises(PermissionDenied):
        services.member_reveal(actor=users["a"], member=member)
    revealed = services.member_reveal(actor=users["city_admin"], member=member)
    assert revealed["id_number"] == member.id_number
    assert AuditEntry.objects.filter(action="view_pii", actor=users["city_admin"]).count() == 1
