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
