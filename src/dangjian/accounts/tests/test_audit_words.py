"""The audit page shows actions and object types in words, in each language (issue 9
item 6): the declared action's label and the model's verbose name, never `view_pii` or
`orgs.member`; the object type filter offers the models by name."""

import pytest
from django.utils import translation

from dangjian.core import audit
from dangjian.orgs.models import Member

pytestmark = pytest.mark.django_db


@pytest.fixture
def entries(city, admins):
    member = city.member(city.communities["a"], name="李四")
    audit.record(actor=admins["security"], action="view_pii", obj=member, org=member.org)
    return member


@pytest.mark.parametrize("language", ["zh-hans", "zh-hant", "en"])
def test_audit_page_names_actions_and_object_types(client, admins, entries, language):
    client.force_login(admins["audit"])
    client.cookies["django_language"] = language
    page = client.get("/accounts/audit/").content.decode()
    with translation.override(language):
        action, model = str(audit.action_label("view_pii")), str(Member._meta.verbose_name)
    assert f'data-label="{_label(language, "动作")}">{action}<' in page
    assert f'>{model}<' in page
    assert "view_pii" not in page.replace('value="view_pii"', "")  # the filter's option value only
    assert "orgs.member<" not in page


def test_object_type_filter_offers_models_by_name_and_filters(client, admins, entries):
    client.force_login(admins["audit"])
    page = client.get("/accounts/audit/?object_type=orgs.member").content.decode()
    assert '<option value="orgs.member" selected>党员</option>' in page
    assert "李四" in page
    assert "李四" not in client.get("/accounts/audit/?object_type=orgs.org").content.decode()


def _label(language, text):
    with translation.override(language):
        return translation.gettext(text)
