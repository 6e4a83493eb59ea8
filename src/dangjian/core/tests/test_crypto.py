"""Issue 4, point 5: personal data encrypted per field; key rotation by command; a dump
of the database holds no plaintext ID numbers or phones."""

import base64
import os

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from dangjian.core import crypto
from dangjian.core.management.commands.pii_dump_check import dump_lines, find_plaintexts, stored_plaintexts
from dangjian.core.models import AuditEntry
from dangjian.testing import make_id_number
from dangjian.orgs.models import Member
from dangjian.orgs.services import member_find_by_id_number


def new_key():
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def assert_dump_clean(plaintexts, using="default"):
    """The reusable check: a database and the plaintexts that must not appear in its dump."""
    found = find_plaintexts(dump_lines(using), plaintexts)
    assert not found, f"{len(found)} plaintext values in the dump"


@pytest.fixture
def people(city):
    values = []
    for n in range(5):
        number, phone = make_id_number(serial=100 + n), f"1391234{n:04d}"
        city.member(city.branches["a"], name=f"党员{n}", id_number=number, phone=phone, address=f"幸福路{n}号")
        values += [number, phone]
    return values


def test_fields_are_encrypted_with_the_key_id(people):
    member = Member.objects.first()
    kid = crypto._current()[0]
    for token in (member.id_number_encrypted, member.phone_encrypted, member.address_encrypted):
        assert token.startswith(f"g1:{kid}:")
    assert member.id_number in people and member.id_number not in member.id_number_encrypted


def test_rotate_field_key(people, settings, admin_user_for_lookup):
    old_key = settings.FIELD_KEY
    settings.FIELD_KEY, settings.FIELD_KEYS_OLD = new_key(), [old_key]
    new_kid = crypto._current()[0]
    assert all(crypto.needs_rotation(t) for t in Member.objects.values_list("id_number_encrypted", flat=True))

    call_command("rotate_field_key", "--batch", "2", stdout=open(os.devnull, "w"))

    settings.FIELD_KEYS_OLD = []  # the old key can go now
    for member in Member.objects.all():
        for token in (member.id_number_encrypted, member.phone_encrypted, member.address_encrypted):
            assert token.startswith(f"g1:{new_kid}:")
        assert member.id_number in people and member.phone in people
        assert member.id_number_hash == crypto.blind_index(member.id_number)
    # look-ups by the keyed hash work under the new key
    assert member_find_by_id_number(actor=admin_user_for_lookup, id_number=people[0]).name == "党员0"
    batches = AuditEntry.objects.filter(object_type="orgs.member", after__rotated_to_key=new_kid)
    assert [e.row_count for e in batches] == [1, 2, 2]  # newest first


def test_rotation_is_idempotent(people, capsys):
    call_command("rotate_field_key")
    assert "0 rows re-encrypted" in capsys.readouterr().out


@pytest.fixture
def admin_user_for_lookup(city):
    from dangjian.testing import make_user

    return make_user("lookup", "org_admin", city.city)


@pytest.mark.django_db(transaction=True)
def test_a_database_dump_holds_no_plaintext_id_numbers_or_phones(city):
    plaintexts = []
    for n in range(5):
        number, phone = make_id_number(serial=200 + n), f"1381234{n:04d}"
        city.member(city.branches["b"], name=f"党员{n}", id_number=number, phone=phone)
        plaintexts += [number, phone]
    assert set(plaintexts) <= stored_plaintexts()
    assert_dump_clean(plaintexts)
    call_command("pii_dump_check", stdout=open(os.devnull, "w"))


@pytest.mark.django_db(transaction=True)
def test_the_dump_check_does_find_plaintext(city):
    number = make_id_number(serial=300)
    city.member(city.branches["b"], name="张三", id_number=number, phone="13800001111")
    # someone typed a member's ID number into a free-text field
    city.member(city.branches["b"], name="李四", id_number=make_id_number(serial=301), job=f"证件{number}")
    assert find_plaintexts(dump_lines(), [number, "13800001111"]) == {number}
    with pytest.raises(CommandError, match="1 plaintext"):
        call_command("pii_dump_check")
