"""Issue 9.5: any user sends a complaint or suggestion about the platform from every page's
footer; it reaches the system administrators' inbox, and only theirs."""

from django.urls import reverse

from dangjian.core import inbox
from dangjian.core.models import AuditEntry, Feedback
from dangjian.testing import PASSWORD, make_user


def test_footer_link_on_every_page(client, city):
    make_user("sec", "secretary", city.communities["a"])
    client.login(username="sec", password=PASSWORD)
    for url in (reverse("home"), reverse("inbox"), reverse("orgs:member_list")):
        html = client.get(url).content.decode()
        assert 'data-testid="feedback-link"' in html, url
    client.logout()
    assert 'data-testid="feedback-link"' in client.get(reverse("accounts:login")).content.decode()


def test_feedback_reaches_the_system_administrators_inbox(client, city):
    admin = make_user("sysadmin", "system_admin", city.city)
    secretary = make_user("sec", "secretary", city.city)
    client.login(username="sec", password=PASSWORD)
    response = client.post(reverse("feedback"), {"kind": "complaint", "text": "手机上表格太窄", "page": "/lists/"})
    assert response.status_code == 302 and response["Location"] == "/lists/"
    item = Feedback.objects.get()
    assert item.author == secretary and item.kind == "complaint" and item.page == "/lists/"
    assert AuditEntry.objects.filter(action="feedback", object_id=str(item.pk)).exists()
    sections = {s.key: s for s in inbox.sections(admin, entries=True)}
    assert sections["feedback"].count == 1 and "手机上表格太窄" in sections["feedback"].entries[0].title
    assert "feedback" not in {s.key for s in inbox.sections(secretary, entries=False)}
    # Only the system administrator reads the list and marks it handled.
    assert client.get(reverse("feedback_list")).status_code == 403
    client.login(username="sysadmin", password=PASSWORD)
    assert "手机上表格太窄" in client.get(reverse("feedback_list")).content.decode()
    client.post(reverse("feedback_list"), {"id": item.pk})
    item.refresh_from_db()
    assert item.handled_at is not None
    assert "feedback" not in {s.key for s in inbox.sections(admin, entries=False)}


def test_empty_or_foreign_input_changes_nothing(client, city):
    response = client.post(reverse("feedback"), {"kind": "complaint", "text": "  ", "page": "https://evil.example/"})
    assert response.status_code == 400 and "field-errors" in response.content.decode()
    assert not Feedback.objects.exists()
    # Signed out is allowed; a page outside the site is not followed back.
    response = client.post(reverse("feedback"), {"kind": "suggestion", "text": "加一个夜间模式",
                                                 "page": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == reverse("feedback")
    assert Feedback.objects.get().author is None
