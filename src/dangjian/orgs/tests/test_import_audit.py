"""Issue 7.3: an import appends its audit entries at the end of its transaction, so the
chain lock (and with it every login) waits only for that moment, not for the whole import."""

from dangjian.core import audit
from dangjian.core.models import AuditEntry
from dangjian.orgs import services
from dangjian.orgs import spreadsheets as io

from .test_io import ORG_HEADER, org_path_text, sheet_of, xlsx_bytes


def test_an_org_import_appends_its_entries_at_the_end(city, users, monkeypatch):
    parent = org_path_text(city.communities["a"])
    rows = [ORG_HEADER] + [[f"新建第{n}网格党支部", "", "党支部", "城市社区", parent, "", "", "", "", "", ""]
                           for n in range(3, 7)]
    seen = []
    create = services.org_create

    def counting_create(**kwargs):
        seen.append(AuditEntry.objects.count())  # entries visible inside the import's transaction
        return create(**kwargs)

    monkeypatch.setattr(services, "org_create", counting_create)
    before = AuditEntry.objects.count()
    result = io.import_orgs(actor=users["a"], sheet=sheet_of(xlsx_bytes(rows), "orgs.xlsx"))
    assert result.ok and result.created == 4
    assert seen == [before] * 4, "nothing is appended to the chain while the import runs"
    actions = list(AuditEntry.objects.order_by("id").values_list("action", flat=True)[before:])
    assert actions == ["create"] * 4 + ["import"]
    assert audit.verify_chain() == []


def test_a_streamed_member_export_is_audited_inside_its_request(client, city, users):
    from django.urls import reverse

    city.member(city.branches["a"], name="李四")
    client.force_login(users["a"])
    response = client.post(reverse("orgs_io:member_export"), {"format": "csv"}, REMOTE_ADDR="198.51.100.4")
    assert response.status_code == 200 and response.streaming
    entry = AuditEntry.objects.get(action="export", object_type="orgs.member")
    assert entry.request_id and entry.request_id == response["X-Request-ID"]
    assert entry.client_ip == "198.51.100.4" and entry.row_count == 1
    assert "李四" in b"".join(response.streaming_content).decode("utf-8-sig")
