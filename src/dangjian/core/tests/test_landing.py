"""Issue 9.3: landing pages by role. The three separated administrators (三员) land on their
own pages, a grid branch's secretary on the branch; the others keep the overview."""

import pytest
from django.urls import reverse

from dangjian.testing import make_user


@pytest.mark.parametrize("role, page, text", [
    ("system_admin", "accounts:user_list", "新建账号"),
    ("security_admin", "accounts:user_list", "账号"),
    ("audit_admin", "accounts:audit_list", "审计"),
])
def test_separated_admins_land_on_their_own_page(client, city, role, page, text):
    admin = make_user("admin", role, city.city)
    client.force_login(admin)
    response = client.get("/")
    assert response.status_code == 302 and response.url == reverse(page)
    landed = client.get(response.url)
    assert landed.status_code == 200 and text in landed.content.decode()


def test_a_grid_branch_secretary_lands_on_the_branch(client, city):
    client.force_login(make_user("grid_sec", "secretary", city.branches["a"]))
    response = client.get("/")
    assert response.status_code == 302 and response.url == reverse("orgs:org_detail", args=[city.branches["a"].pk])
    assert city.branches["a"].name in client.get(response.url).content.decode()
    # the overview is still there when asked for
    assert client.get("/", {"root": city.branches["a"].pk}).status_code == 200


def test_others_keep_the_overview_and_an_account_without_grant_is_told_why(client, city):
    client.force_login(make_user("community_sec", "secretary", city.communities["a"]))
    response = client.get("/")
    assert response.status_code == 200 and "工作台" in response.content.decode()
    client.force_login(make_user("nobody"))
    page = client.get("/").content.decode()
    assert "还没有任何党组织的授权" in page and "组织部管理员" in page


def test_an_empty_approvals_page_says_what_comes_there(client, city):
    client.force_login(make_user("sec_admin", "security_admin", city.city))
    page = client.get(reverse("accounts:approvals")).content.decode()
    assert "由安全管理员批准或驳回" in page
