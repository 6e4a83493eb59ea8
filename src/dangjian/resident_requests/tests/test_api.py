"""The requests API: the scope matrix covers list/detail (test_views); here the steps through
the API, and schemathesis over this app's operations only (the whole-API run is the lead's)."""

from collections import defaultdict

import pytest
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections

from dangjian.resident_requests.models import Request, Status

from .conftest import submit


def test_steps_through_the_api(client, world):
    request = submit(world)
    client.force_login(world.grid_worker)
    response = client.post(f"/api/v1/requests/{request.pk}/accept/", {}, content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "accepted"
    response = client.post(f"/api/v1/requests/{request.pk}/dispatch/", {"unit": world.unit_b.pk},
                           content_type="application/json")
    assert response.status_code == 400 and "unit" in response.json()
    response = client.post(f"/api/v1/requests/{request.pk}/dispatch/", {"unit": world.property.pk},
                           content_type="application/json")
    assert response.status_code == 200 and response.json()["unit_name"] == "幸福物业"
    response = client.post(f"/api/v1/requests/{request.pk}/resolve/", {"resolution": ""},
                           content_type="application/json")
    assert response.status_code == 400 and "resolution" in response.json()
    response = client.post(f"/api/v1/requests/{request.pk}/resolve/", {"resolution": "修好了"},
                           content_type="application/json")
    assert response.json()["status"] == Status.RESOLVED and response.json()["public_status"] == "已办结，请您确认"
    events = client.get(f"/api/v1/requests/{request.pk}/events/").json()
    assert [e["kind"] for e in events] == ["submitted", "accepted", "dispatched", "resolved"]
    body = client.get(f"/api/v1/requests/{request.pk}/").json()
    assert "tracking_code" not in body and "phone_encrypted" not in body
    response = client.post("/api/v1/requests/", {"category": world.category.pk, "area": world.city.grids["a"][0].pk,
                                                 "description": "电话反映", "channel": "phone"},
                           content_type="application/json")
    assert response.status_code == 201 and response.json()["channel"] == "phone"
    assert Request.objects.count() == 2
    assert [c["code"] for c in client.get("/api/v1/request-categories/").json()] == ["repair"]
    assert "乙区物业" not in {u["name"] for u in client.get("/api/v1/request-units/").json()}


def test_figures_through_the_api(client, world):
    request = submit(world)
    submit(world, "b")
    client.force_login(world.community_sec)
    body = client.get("/api/v1/requests-figures/").json()
    assert body["total"]["received"] == 1 and body["by_category"][0]["label"] == "物业维修"
    assert body["by_grid"][0]["grid"] == request.grid_id
    assert client.get(f"/api/v1/requests-figures/?within={world.city.communities['b'].pk}").status_code == 404
    assert client.get("/api/v1/requests-figures/?start=2026-13-01").status_code == 400
    assert client.get("/api/v1/requests-figures/?start=0001-01-01&end=9999-12-31").json()["total"]["received"] == 1


schemathesis = pytest.importorskip("schemathesis")


@pytest.fixture
def keep_connection():
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.schemathesis
def test_requests_api_agrees_with_its_schema(keep_connection, world):
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis.errors import Unsatisfiable
    from schemathesis.checks import CHECKS, load_all_checks
    from schemathesis.core.failures import FailureGroup
    from schemathesis.generation import GenerationMode
    from schemathesis.specs.openapi.checks import positive_data_acceptance

    from dangjian.accounts.tokens import api_key
    from dangjian.testing import make_user

    submit(world)
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
    schema.config.generation.update(allow_x00=False)
    token = api_key(make_user("fuzzer", "org_admin", world.city.city))
    load_all_checks()
    every_check = CHECKS.get_all()
    headers = {"Authorization": f"Token {token}"}
    accepted = {200, 201, 204, 400, 401, 403, 404, 409, 412, 429}

    def write_body_accepted(ctx, response, case):
        if case.meta is not None and case.meta.generation.mode.is_positive and response.status_code not in accepted:
            raise AssertionError(f"a schema-valid write answered {response.status_code}")

    failures = defaultdict(set)
    operations = [r.ok() for r in schema.get_all_operations()]
    operations = [op for op in operations if op.path.startswith(("/api/v1/request"))]
    assert len(operations) >= 15, [op.label for op in operations]
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        for operation in operations:
            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(max_examples=3, deadline=None, derandomize=True, database=None,
                      phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
            def run(case):
                response = case.call(headers=headers)
                checks = every_check
                query = case.query or {}
                if "cursor" in query and "page" in query:
                    # core.api.pagination refuses cursor and page together (400) though the schema
                    # allows both: a core matter (reported to the lead), not this app's.
                    checks = [c for c in every_check if c is not positive_data_acceptance]
                if case.method in ("POST", "PUT", "PATCH") and case.body is not None:
                    checks = [c for c in every_check if c is not positive_data_acceptance] + [write_body_accepted]
                try:
                    case.validate_response(response, checks=checks, headers=headers)
                except (FailureGroup, AssertionError) as exc:
                    failures[mode.value, operation.label].add(" ".join(str(exc).split())[:400])

            try:
                run()
            except Unsatisfiable:
                assert mode is GenerationMode.NEGATIVE
    report = "\n".join(f"{mode} {label}:\n  " + "\n  ".join(sorted(found)[:3])
                       for (mode, label), found in sorted(failures.items()))
    assert not failures, report
