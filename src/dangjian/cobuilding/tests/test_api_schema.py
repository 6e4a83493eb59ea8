"""schemathesis over the co-building operations only (the whole API is fuzzed by
core/tests/test_schemathesis.py): every check, positive and negative data, on a city
with units, reports, an agreement and an instructor."""

import datetime
from collections import defaultdict

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable

from dangjian.cobuilding import services

schemathesis = pytest.importorskip("schemathesis")

from dangjian.core.tests.test_schemathesis import api_schema, keep_connection, token, write_body_accepted  # noqa: E402,F401,I001
from schemathesis.checks import CHECKS, load_all_checks  # noqa: E402
from schemathesis.core.failures import FailureGroup  # noqa: E402
from schemathesis.generation import GenerationMode  # noqa: E402
from schemathesis.specs.openapi.checks import positive_data_acceptance  # noqa: E402

pytestmark = pytest.mark.schemathesis


def test_cobuilding_api_agrees_with_its_schema(api_schema, token, city, units):  # noqa: F811
    services.unit_report_register(actor=None, unit=units["own"], community=city.communities["a"])
    services.agreement_create(actor=None, org=city.communities["a"], title="共建协议", start_on=datetime.date(2026, 1, 1),
                              end_on=datetime.date(2026, 12, 31), parties=[units["own"]])
    services.instructor_create(actor=None, org=city.streets["a"], appointed_on=datetime.date(2026, 1, 1),
                               person_name="王指导员")
    load_all_checks()
    every_check = CHECKS.get_all()
    headers = {"Authorization": f"Token {token}"}
    failures, ran = defaultdict(set), 0
    operations = [r.ok() for r in api_schema.get_all_operations() if "/cobuilding/" in r.ok().path]
    assert len(operations) >= 15
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        for operation in operations:

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(max_examples=3, deadline=None, derandomize=True, database=None,
                      phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
            def run(case):
                response = case.call(headers=headers)
                query = case.query or {}
                if response.status_code == 400 and "cursor" in query and "page" in query:
                    return  # core.api.pagination refuses cursor with page (b17e89a); the schema cannot say so
                checks = every_check
                if case.method in ("POST", "PUT", "PATCH") and case.body is not None:
                    checks = [c for c in every_check if c is not positive_data_acceptance] + [write_body_accepted]
                try:
                    case.validate_response(response, checks=checks, headers=headers)
                except (FailureGroup, AssertionError) as exc:
                    failures[mode.value, operation.label].add(" ".join(str(exc).split())[:600])

            try:
                run()
                ran += 1
            except Unsatisfiable:
                assert mode is GenerationMode.NEGATIVE, operation.label
    report = "\n".join(f"{mode} {label}:\n  " + "\n  ".join(sorted(found)[:3])
                       for (mode, label), found in sorted(failures.items()))
    assert not failures, report
    assert ran > len(operations)
