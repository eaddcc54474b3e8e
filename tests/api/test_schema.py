"""schemathesis against /api/openapi.json (issue 15 §2): every operation, examples drawn from the
schema, no server error and no response that breaks the schema.

The schema is loaded from the Django app itself through WSGI, with a write token of a firm that has
a client, an invoice and a case; ids in generated paths are pointed at those rows (a random id
would only ever meet a 404), so request bodies reach the forms and services behind them.
Derandomized, with a bounded number of examples per operation: the same run every time, well under
two minutes on SQLite.
"""

from collections import defaultdict

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from parting.api.tokens import token_create
from parting.cases.services import case_open
from tests.factories import ClientFactory, InvoiceFactory, MembershipFactory


def name_of(operation) -> str:
    return f"{operation.method.upper()} {operation.path}"


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES = 10


@pytest.fixture
def wsgi_app():
    """The Django app as a WSGI server runs it, but keeping the test's database connection open (a
    request's end closes old connections; the test client stops that the same way)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.django_db
def test_every_operation_answers_within_its_schema(firm, wsgi_app):
    member = MembershipFactory(firm=firm)
    acme = ClientFactory(firm=firm, name="Acme")
    invoice = InvoiceFactory(client=acme)
    case = case_open(client=acme, by=member.user, against_advice="A pattern of late payments")
    _token, secret = token_create(membership=member, name="schemathesis", scope="write")
    headers = {"Authorization": f"Bearer {secret}"}
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", wsgi_app, headers=headers)
    real = {"client_id": acme.pk, "case_id": case.pk, "item_id": invoice.pk}

    failures = []
    statuses = defaultdict(set)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 30

    def runner(operation, key):
        """One hypothesis test for one operation (built here, not in the loop, so each binds its own
        operation and name: @given refuses a function with default arguments)."""

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case):
            for name, value in real.items():
                if case.path_parameters and name in case.path_parameters:
                    case.path_parameters[name] = value
            response = case.call_and_validate(headers=headers, checks=CHECKS)
            statuses[key].add(response.status_code)

        return run

    for operation in operations:
        key = name_of(operation)
        try:
            runner(operation, key)()
        except Exception as error:  # one line per failing operation, all of them listed at the end
            failures.append(f"{key}: {str(error)[:2000]}")
    assert not failures, "\n\n".join(failures)
    # Every operation was called; and the ids pointed at real rows let some writes through.
    assert len(statuses) == len(operations)
    assert any(code in (200, 201) for op, codes in statuses.items() for code in codes if op.startswith("POST"))


def test_every_schema_name_stands_for_one_shape_so_an_imports_problems_match_their_schema():
    """The import's problems (file, line, column, reason) and an error response's RFC 9457 Problem
    were both called "Problem": the components kept one, and a failed import's 202 answer broke its
    own schema (found by the test above, when it happened to post an empty file)."""
    from parting.api.api import api

    components = api.get_openapi_schema()["components"]["schemas"]
    errors = components["ImportOut"]["properties"]["errors"]["items"]["$ref"].rsplit("/", 1)[1]
    assert set(components[errors]["properties"]) == {"file", "line", "column", "reason"}
    assert {"title", "status"} <= set(components["Problem"]["properties"])
