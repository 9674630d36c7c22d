"""Schemathesis against the served OpenAPI document: no 5xx, and the document tells the truth.

Every operation gets schema-valid bodies (which must be taken) and schema-invalid ones (which must
be refused with a 4xx), and every answer must match the document. The number of examples per
operation comes from the Hypothesis profile (tests/conftest.py: PORTAL_FUZZ_EXAMPLES).
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from portal import openapi, schemas, timestamps
from portal.orders.amounts import SUM_TOO_LARGE

BASE_URL = "http://testserver"

# Rules the document states in words only, because they tie one field to another or to the shop's
# own data: a schema-valid body may be refused (422) for these and for nothing else.
CROSS_FIELD_RULES = (
    "more decimals than",                                  # an amount and its currency
    "required when presentment_currency differs",          # presentment amounts
    "required with a discount when presentment_currency differs",  # a line's discount in both currencies
    "cancel_reason is only allowed when status is 'cancelled'",
    "is more than unit_price × quantity",                  # a line's discount and its price
    "unknown custom status",                               # the shop's own statuses
    timestamps.SKEW_MESSAGE,                               # a carrier event's time and now
    schemas.RANGE_MESSAGE,                                 # a delivery range's end and its start
    SUM_TOO_LARGE,                                         # a total left out and the amounts it adds up
)


@schemathesis.check
def schema_valid_bodies_are_taken(ctx, response, case):
    """positive_data_acceptance, less the cross-field rules above: 2xx, 404 (no such order or
    shipment in this shop) or 413 (over the body cap) for a schema-valid request."""
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return None
    if response.status_code == 422:
        errors = response.json().get("errors", [])
        unexplained = [e for e in errors if not any(rule in e["message"] for rule in CROSS_FIELD_RULES)]
        assert not unexplained, f"a schema-valid body was refused: {unexplained}"
    else:
        assert response.status_code < 300 or response.status_code in (404, 413), (
            f"a schema-valid request answered {response.status_code}: {response.text[:500]}")
    return None


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          negative_data_rejection, schema_valid_bodies_are_taken]

# The coverage phase walks every enum value and boundary of every field, unbounded by max_examples
# (minutes for OrderIn's 300 currencies and 2,000 locales): the fuzzing phase alone keeps to the budget.
CONFIG = schemathesis.Config.from_dict({"phases": {"coverage": {"enabled": False}}})
schema = schemathesis.openapi.from_dict(openapi.document(BASE_URL), config=CONFIG)


@pytest.fixture
def auth(factory, merchant):
    return {"Authorization": f"Bearer {factory.api_key(merchant)}"}


def test_the_fuzzed_document_is_the_served_one(client):
    assert client.get("/api/v1/openapi.json").json() == openapi.document(BASE_URL)


@schema.parametrize()
# One shop for all the examples of an operation: what one example stores, the next one meets.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow], deadline=None)
def test_api_keeps_to_its_document(case, app, auth):
    case.call_and_validate(app=app, headers=auth, checks=CHECKS)
