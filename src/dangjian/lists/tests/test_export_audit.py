"""Issue 7.3: a streamed CSV export is audited before the response is sent, with the
request's id and the client's address (it used to be recorded when the first chunk left,
after the request's context had gone)."""

from dangjian.core.models import AuditEntry

from .conftest import make_list, make_measure


def test_a_csv_export_is_audited_inside_its_request(client, city, people):
    lst = make_list(people["street"], city.streets["a"])
    make_measure(people["street"], lst, city.streets["a"])
    client.force_login(people["street"])
    response = client.get(f"/lists/{lst.pk}/export.csv", REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 200 and response.streaming
    entry = AuditEntry.objects.get(action="export", object_type="lists.list", object_id=str(lst.pk))
    assert entry.request_id == response["X-Request-ID"] and entry.request_id
    assert entry.client_ip == "203.0.113.7" and entry.row_count == 1
    b"".join(response.streaming_content)  # sending the file writes nothing more
    assert AuditEntry.objects.filter(action="export", object_type="lists.list").count() == 1
