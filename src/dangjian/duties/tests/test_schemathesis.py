"""The duties API against its schema (core/tests/test_schemathesis.py's checks, only the
duties operations, so the module can be fuzzed on its own)."""

from collections import defaultdict

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable

from dangjian.core.tests.test_schemathesis import keep_connection, write_body_accepted  # noqa: F401
from dangjian.duties import services
from dangjian.testing import make_user

schemathesis = pytest.importorskip("schemathesis")

from schemathesis.checks import CHECKS, load_all_checks  # noqa: E402
from schemathesis.core.failures import FailureGroup  # noqa: E402
from schemathesis.generation import GenerationMode  # noqa: E402
from schemathesis.specs.openapi.checks import positive_data_acceptance  # noqa: E402

pytestmark = pytest.mark.schemathesis
# Refusals of core.api's pagination, not of this module (reported to the lead): a schema-
# valid `page` (empty, or beside a made-up `cursor`) answered 400.
CORE_PAGINATION = 'Bad Request: `{"page":['  # core.api's pagination answering about `page`


def test_duties_api_agrees_with_its_schema(keep_connection, city, kinds):  # noqa: F811
    from django.core.wsgi import get_wsgi_application
    from django.utils import timezone

    from dangjian.accounts.tokens import api_key

    for n in range(3):
        city.member(city.branches["a"], name=f"党员{n}")
    today = timezone.localdate()
    services.roll_over(period_start=today.replace(day=1), period_end=today, today=today)
    token = api_key(make_user("fuzzer", "org_admin", city.city))
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
    schema.config.generation.update(allow_x00=False)
    load_all_checks()
    every_check = CHECKS.get_all()
    headers = {"Authorization": f"Token {token}"}
    failures, ran = defaultdict(set), 0
    operations = [r.ok() for r in schema.get_all_operations() if r.ok().path.startswith(("/api/v1/duty-", "/api/v1/duties-"))]
    assert len(operations) >= 8
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        for operation in operations:

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(max_examples=3, deadline=None, derandomize=True, database=None,
                      phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
            def run(case):
                response = case.call(headers=headers)
                checks = every_check
                if case.method in ("POST", "PUT", "PATCH") and case.body is not None:
                    checks = [c for c in every_check if c is not positive_data_acceptance] + [write_body_accepted]
                try:
                    case.validate_response(response, checks=checks, headers=headers)
                except (FailureGroup, AssertionError) as exc:
                    text = " ".join(str(exc).split())
                    if CORE_PAGINATION in text:
                        return  # core.api's pagination (cursor with page): the whole-API test's business
                    failures[mode.value, operation.label].add(text[:400])

            try:
                run()
                ran += 1
            except Unsatisfiable:
                assert mode is GenerationMode.NEGATIVE, operation.label
    report = "\n".join(f"{mode} {label}:\n  " + "\n  ".join(sorted(found)[:3])
                       for (mode, label), found in sorted(failures.items()))
    assert not failures, report
