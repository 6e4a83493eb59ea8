"""Issue 7.3: every audit action written anywhere is declared with a label; the audit page
shows the label and filters by it; before/after are taken the same way everywhere."""

import ast
import re
from pathlib import Path

import pytest

from dangjian.core import audit
from dangjian.core.models import AuditEntry
from dangjian.testing import make_user

SOURCE = Path(audit.__file__).resolve().parent.parent


def _record_calls():
    """(file:line, action expression) of every `record(...)`/`audit.record(...)` outside tests."""
    for path in sorted(SOURCE.rglob("*.py")):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            owner = getattr(func.value, "id", "") if isinstance(func, ast.Attribute) else ""
            if name != "record" or (isinstance(func, ast.Attribute) and owner != "audit"):
                continue
            action = next((kw.value for kw in node.keywords if kw.arg == "action"), None)
            yield f"{path.relative_to(SOURCE)}:{node.lineno}", action


def _strings(expr):
    """The string constants an action expression can evaluate to (a literal or a conditional)."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return [expr.value]
    if isinstance(expr, ast.IfExp):
        body, orelse = _strings(expr.body), _strings(expr.orelse)
        return None if body is None or orelse is None else body + orelse
    return None


def test_every_recorded_action_is_declared():
    calls = list(_record_calls())
    assert len(calls) > 40, "the scan found the call sites"
    undeclared, opaque = [], []
    for where, expr in calls:
        values = _strings(expr) if expr is not None else None
        if values is None:
            opaque.append(where)
            continue
        undeclared += [f"{where} {value!r}" for value in values if not audit.is_declared(value)]
    assert not opaque, f"audit actions must be literal strings so this test can check them: {opaque}"
    assert not undeclared, f"declare these audit actions with core.audit.declare(): {undeclared}"


def test_the_lists_actions_carry_labels():
    for code in ("publish", "unpublish", "report_progress", "accept", "send_back", "sweep"):
        assert audit.is_declared(code)
        assert str(audit.action_label(code)) != code


def test_record_refuses_an_undeclared_action(db):
    with pytest.raises(ValueError, match="undeclared audit action"):
        audit.record(actor=None, action="frobnicate", object_type="test.thing")
    assert not AuditEntry.objects.exists()


def test_the_audit_page_shows_labels_and_filters_by_them(client, city):
    reader = make_user("auditor", "audit_admin", city.city)
    audit.record(actor=None, action="publish", object_type="lists.list", object_repr="公示的清单")
    audit.record(actor=None, action="send_back", object_type="lists.measure", object_repr="退回的措施")
    client.force_login(reader)
    page = client.get("/accounts/audit/", {"action": "publish"}).content.decode()
    assert "公示的清单" in page and "退回的措施" not in page
    assert '<option value="publish" selected>公示</option>' in page
    assert re.search(r"<td[^>]*>公示</td>", page) and not re.search(r"<td[^>]*>publish</td>", page)
    page = client.get("/accounts/audit/").content.decode()
    assert re.search(r"<td[^>]*>退回</td>", page)


def test_an_org_move_records_the_old_path_before(city):
    from dangjian.orgs import services

    branch = city.branches["a"]
    old_path, old_parent = branch.path, city.communities["a"].pk
    moved = services.org_move(actor=None, org=branch, new_parent=city.communities["b"])
    entry = AuditEntry.objects.filter(action="move").latest("id")
    assert entry.before == {"parent": old_parent, "path": old_path}
    assert entry.after == {"parent": city.communities["b"].pk, "path": moved.path}
    assert old_path != moved.path


def test_one_snapshot_for_relations_and_columns(city):
    org = city.branches["a"]
    data = audit.snapshot(org, ("name", "area", "area_id"))
    assert data == {"name": org.name, "area": org.area_id, "area_name": org.area.name, "area_id": org.area_id}
    assert audit.changes(data, dict(data)) == set()
    assert audit.changes(data, dict(data, name="新名称")) == {"name"}
