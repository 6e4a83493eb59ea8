"""Optimistic concurrency (issue 7.7): a stale edit is refused and changes nothing, on
the service, the API (409 for a stale `version`, 412 for a stale `If-Match`) and the
edit page (409, with what changed meanwhile); of 20 parallel PATCHes from the same
version exactly one wins."""

import threading
from html.parser import HTMLParser

import pytest
from django.db import close_old_connections, connection
from rest_framework.test import APIClient

from dangjian.core.exceptions import ConflictError
from dangjian.lists import services
from dangjian.lists.models import Measure
from dangjian.orgs import services as org_services

from .conftest import make_list, make_measure

API = "/api/v1"


def api_for(user):
    client = APIClient()
    client.force_authenticate(user=user)
    return client


@pytest.fixture
def measure(city, people):
    lst = make_list(people["community"], city.communities["a"])
    return make_measure(people["community"], lst, city.communities["a"], title="原来的措施")


# Services ----------------------------------------------------------------------------

def test_every_save_moves_the_version_on(measure, people):
    assert measure.version == 1
    services.measure_update(actor=people["community"], measure=measure, title="改一次")
    assert Measure.objects.get(pk=measure.pk).version == 2
    # Nothing changed: nothing saved, the version stays.
    services.measure_update(actor=people["community"], measure=measure, title="改一次")
    assert Measure.objects.get(pk=measure.pk).version == 2


def test_stale_service_edit_is_refused_and_the_first_change_stays(measure, people):
    actor = people["community"]
    services.measure_update(actor=actor, measure=measure, title="第一个人的修改", expected_version=1)
    with pytest.raises(ConflictError) as caught:
        services.measure_update(actor=actor, measure=measure, title="第二个人的修改", expected_version=1)
    assert caught.value.current.version == 2
    stored = Measure.objects.get(pk=measure.pk)
    assert (stored.title, stored.version) == ("第一个人的修改", 2)


def test_stale_member_edit_is_refused(city, people):
    member = city.member(city.branches["a"], name="李四")
    actor = people["community"]
    org_services.member_update(actor=actor, member=member, name="李四甲", expected_version=1)
    with pytest.raises(ConflictError):
        org_services.member_update(actor=actor, member=member, name="李四乙", expected_version=1)
    member.refresh_from_db()
    assert (member.name, member.version) == ("李四甲", 2)


# API ---------------------------------------------------------------------------------

def test_detail_sends_its_version_as_etag(measure, people):
    response = api_for(people["community"]).get(f"{API}/measures/{measure.pk}/")
    assert response.status_code == 200
    assert response.json()["version"] == 1 and response["ETag"] == '"1"'


def test_stale_version_in_the_body_answers_409_and_changes_nothing(measure, people):
    api = api_for(people["community"])
    first = api.patch(f"{API}/measures/{measure.pk}/", {"title": "第一个人的修改", "version": 1}, format="json")
    assert first.status_code == 200 and first.json()["version"] == 2 and first["ETag"] == '"2"'
    second = api.patch(f"{API}/measures/{measure.pk}/", {"title": "第二个人的修改", "version": 1}, format="json")
    assert second.status_code == 409, second.content
    assert second.json()["version"] == 2 and second.json()["detail"]
    assert Measure.objects.get(pk=measure.pk).title == "第一个人的修改"


def test_stale_if_match_answers_412(measure, people):
    api = api_for(people["community"])
    etag = api.get(f"{API}/measures/{measure.pk}/")["ETag"]
    assert api.patch(f"{API}/measures/{measure.pk}/", {"title": "甲"}, format="json",
                     HTTP_IF_MATCH=etag).status_code == 200
    stale = api.patch(f"{API}/measures/{measure.pk}/", {"title": "乙"}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412, stale.content
    assert stale.json()["version"] == 2
    assert Measure.objects.get(pk=measure.pk).title == "甲"
    garbled = api.patch(f"{API}/measures/{measure.pk}/", {"title": "丙"}, format="json", HTTP_IF_MATCH="v2")
    assert garbled.status_code == 412
    assert Measure.objects.get(pk=measure.pk).title == "甲"


def test_without_a_version_the_last_writer_wins(measure, people):
    api = api_for(people["community"])
    assert api.patch(f"{API}/measures/{measure.pk}/", {"title": "甲"}, format="json").status_code == 200
    assert api.patch(f"{API}/measures/{measure.pk}/", {"title": "乙"}, format="json").status_code == 200
    assert Measure.objects.get(pk=measure.pk).title == "乙"


def test_stale_org_and_list_patches_answer_409(city, people):
    api = api_for(people["community"])
    org = city.branches["a"]
    assert api.patch(f"{API}/orgs/{org.pk}/", {"phone": "051381234567", "version": 1},
                     format="json").status_code == 200
    response = api.patch(f"{API}/orgs/{org.pk}/", {"phone": "051300000000", "version": 1}, format="json")
    assert response.status_code == 409
    org.refresh_from_db()
    assert org.phone == "051381234567"
    lst = make_list(people["community"], city.communities["a"])
    assert api.patch(f"{API}/lists/{lst.pk}/", {"title": "甲清单", "version": 1}, format="json").status_code == 200
    assert api.patch(f"{API}/lists/{lst.pk}/", {"title": "乙清单", "version": 1}, format="json").status_code == 409


@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_patches_from_one_version_one_wins(city, people):
    lst = make_list(people["community"], city.communities["a"])
    measure = make_measure(people["community"], lst, city.communities["a"], title="并发")
    user = people["community"]
    statuses, barrier = [], threading.Barrier(20)

    def patch(n):
        try:
            client = api_for(user)
            barrier.wait(timeout=30)
            response = client.patch(f"{API}/measures/{measure.pk}/", {"title": f"第{n}个", "version": 1},
                                    format="json")
            statuses.append(response.status_code)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=patch, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert len(statuses) == 20
    assert statuses.count(200) == 1, statuses
    assert set(statuses) <= {200, 409, 412}, statuses
    stored = Measure.objects.get(pk=measure.pk)
    assert stored.version == 2 and stored.title.startswith("第")


# Pages -------------------------------------------------------------------------------

class _Inputs(HTMLParser):
    """The values a browser would post from the edit form as it was served."""

    def __init__(self):
        super().__init__()
        self.values, self._textarea, self._select = {}, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and name != "csrfmiddlewaretoken":
            if attrs.get("type") in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.values[name] = attrs.get("value", "on")
            else:
                self.values[name] = attrs.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.values[name] = ""
        elif tag == "select" and name:
            self._select = name
            self.values.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in attrs:
            self.values[self._select] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea] += data


def form_values(response):
    parser = _Inputs()
    parser.feed(response.content.decode())
    return parser.values


def test_two_people_editing_one_measure_in_the_form(client, measure, people):
    client.force_login(people["community"])
    url = f"/lists/measures/{measure.pk}/edit/"
    first = form_values(client.get(url))
    second = form_values(client.get(url))          # both opened the page at version 1
    assert first["expected_version"] == "1"
    first["title"] = "第一个人的修改"
    assert client.post(url, first).status_code == 302
    second["title"] = "第二个人的修改"
    second["target"] = "第二个人的目标"
    response = client.post(url, second)
    assert response.status_code == 409
    page = response.content.decode()
    stored = Measure.objects.get(pk=measure.pk)
    assert (stored.title, stored.version) == ("第一个人的修改", 2)
    # What changed meanwhile, field by field: theirs next to yours.
    assert "第一个人的修改" in page and "第二个人的修改" in page and 'class="conflict"' in page
    # The re-rendered form now carries the saved version: saving again is deliberate.
    again = form_values(response)
    assert again["expected_version"] == "2" and again["title"] == "第二个人的修改"
    assert client.post(url, again).status_code == 302
    assert Measure.objects.get(pk=measure.pk).title == "第二个人的修改"


def test_member_form_conflict_never_shows_a_full_id_number(client, city, people):
    member = city.member(city.branches["a"], name="王五", phone="13900000000")
    client.force_login(people["community"])
    url = f"/members/{member.pk}/edit/"
    first, second = form_values(client.get(url)), form_values(client.get(url))
    first["name"] = "王五甲"
    assert client.post(url, first).status_code == 302
    second["name"] = "王五乙"
    second["id_number"] = "11010519491231002X"
    response = client.post(url, second)
    assert response.status_code == 409
    page = response.content.decode()
    assert "王五甲" in page and "王五乙" in page
    assert member.id_number not in page and "13900000000" not in page
    member.refresh_from_db()
    assert (member.name, member.version) == ("王五甲", 2)
