"""The kit's generic views and tables, through small views on real orgs: the scope
cannot be skipped, refusals write nothing, a stale edit answers 409, and a table sorts
only on declared columns and says why it is empty."""

import pytest
from django import forms
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import ValidationError
from django.http import Http404
from django.test import RequestFactory

from dangjian.core.exceptions import ConflictError
from dangjian.core.generic_views import ObjectActionView, ObjectDetailView, ObjectEditView
from dangjian.core.tables import Column, Table
from dangjian.orgs.models import Org


class NameForm(forms.Form):
    name = forms.CharField()


def rename(*, actor, org, name):
    if name == "冲突":
        raise ConflictError(changes={"name": ("冲突", "他人改的名")})
    if name == "重名":
        raise ValidationError({"name": "名称重复。"})
    Org.objects.filter(pk=org.pk).update(name=name)
    return org


class RenameView(ObjectEditView):
    queryset = Org.objects.all()
    form_class = NameForm
    service = rename
    template_name = "orgs/form.html"

    def service_kwargs(self, form):
        return {"org": self.object, **form.cleaned_data}

    def get_cancel_url(self):
        return "/"

    def get_success_url(self, result):
        return "/done/"

    def permission_org(self, obj):
        return obj


class ShowView(ObjectDetailView):
    queryset = Org.objects.all()
    template_name = "404.html"

    def get_queryset(self):
        # A subclass that narrows the queryset still cannot skip the scope.
        return Org.objects.filter(pk__gt=0)


class PokeView(ObjectActionView):
    queryset = Org.objects.all()
    service = rename

    def permission_org(self, obj):
        return obj


def _request(user, method="get", data=None):
    request = getattr(RequestFactory(), method)("/x/", data or {})
    request.user = user
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def test_detail_outside_the_scope_is_404_even_when_the_queryset_is_narrowed(city, users):
    with pytest.raises(Http404):
        ShowView.as_view()(_request(users["a"]), pk=city.communities["b"].pk)
    assert ShowView.as_view()(_request(users["a"]), pk=city.communities["a"].pk).status_code == 200


def test_edit_refusals_write_nothing_and_a_stale_edit_answers_409(city, users, make_read_only):
    own, sibling = city.communities["a"], city.communities["b"]
    view = RenameView.as_view()
    with pytest.raises(Http404):
        view(_request(users["a"], "post", {"name": "越权"}), pk=sibling.pk)
    with pytest.raises(Exception) as refused:
        view(_request(make_read_only, "post", {"name": "越权"}), pk=own.pk)
    assert refused.typename == "PermissionDenied"
    conflict = view(_request(users["a"], "post", {"name": "冲突"}), pk=own.pk)
    assert conflict.status_code == 409 and "该记录已被他人修改" in conflict.content.decode()
    invalid = view(_request(users["a"], "post", {"name": "重名"}), pk=own.pk)
    assert invalid.status_code == 200 and "名称重复。" in invalid.content.decode()
    assert Org.objects.filter(name__in=["越权", "冲突", "重名"]).count() == 0
    done = view(_request(users["a"], "post", {"name": "新名称"}), pk=own.pk)
    assert done.status_code == 302 and Org.objects.get(pk=own.pk).name == "新名称"


def test_action_views_take_post_only(city, users):
    response = PokeView.as_view()(_request(users["a"]), pk=city.communities["a"].pk)
    assert response.status_code == 405


@pytest.fixture
def make_read_only(city):
    from dangjian.testing import make_user

    return make_user("grid_reader", "grid_worker", city.districts["a"])


class OrgNames(Table):
    columns = [Column("name", "名称", order_by=("name", "pk")), Column("kind", "类别", accessor="get_kind_display")]
    paginate_by = 3


def test_table_sorts_on_declared_columns_only_and_keeps_the_filters(city, users):
    rows = Org.objects.visible_to(users["city_admin"]).order_by("path")
    table = OrgNames(rows, request=_request(users["city_admin"], data={"sort": "-name", "kind": "branch"}))
    names = [row["cells"][0]["html"] for row in table.rows]
    assert names == sorted(Org.objects.values_list("name", flat=True), reverse=True)[:3]
    assert table.headers[0]["aria_sort"] == "descending" and "sort=name" in table.headers[0]["url"]
    assert "kind=branch" in table.headers[0]["url"] and table.headers[1]["url"] is None
    assert "kind=branch" in table.query and "page" not in table.query
    unsorted = OrgNames(rows, request=_request(users["city_admin"], data={"sort": "kind"}))  # not sortable
    assert unsorted.sort == "" and [r["row"] for r in unsorted.rows] == list(rows[:3])


def test_table_empty_state_says_why(city, users):
    none = Org.objects.none()
    assert "没有任何党组织的授权" in str(OrgNames(none, request=_request(users["none"]), no_scope=True).empty_message)
    assert "可清除筛选" in str(OrgNames(none, request=_request(users["a"]), filtered=True).empty_message)
    assert str(OrgNames(none, request=_request(users["a"])).empty_message) == "没有记录。"
