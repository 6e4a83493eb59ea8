"""Labels a reader sees are in the page's language (issue 9 item 6): the import page's
column list (the header as files write it, its meaning and format translated beside it)
and the programme domains (rows that keep their Simplified Chinese name)."""

import pytest

from dangjian.lists.models import ProgrammeDomain
from dangjian.testing import make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language, header, fmt", [
    ("en", "Organisation name", "Text, at most 120 characters"),
    ("zh-hant", "組織名稱", "文本，最多120字"),
])
def test_import_page_column_list_in_the_readers_language(client, city, language, header, fmt):
    client.force_login(make_user("exchange", "org_admin", city.city))
    client.cookies["django_language"] = language
    page = client.get("/io/orgs/import/").content.decode()
    assert "组织名称" in page  # the header as the file must write it
    assert header in page and fmt in page


def test_programme_domains_in_the_readers_language():
    from django.utils import translation

    domain = ProgrammeDomain.objects.get(code="grassroots_governance")
    with translation.override("en"):
        assert str(domain) == "Grassroots governance"
    with translation.override("zh-hant"):
        assert str(domain) == "基層治理"
    assert domain.name == "基层治理"


def test_import_export_page_lists_columns_in_the_readers_language(client, city):
    client.force_login(make_user("exchange", "org_admin", city.city))
    client.cookies["django_language"] = "en"
    page = client.get("/io/").content.decode()
    assert "Organisation name, Short name" in page
    assert "组织名称" not in page
