"""The `portal` command line: merchants, users, API keys, carriers, demo data."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlmodel import func, select

from portal import carriers
from portal.cli import main
from portal.store import queries
from portal.store.db import session_scope
from portal.store.models import Merchant, Order, Shipment


@pytest.fixture
def run(settings, monkeypatch):
    monkeypatch.setenv("PORTAL_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("PORTAL_SECRET_KEY", settings.secret_key)
    monkeypatch.setenv("PORTAL_INSTANCE_DIR", str(settings.instance_dir))

    def invoke(*args: str, input: str | None = None):
        return CliRunner().invoke(main, list(args), input=input)

    return invoke


def test_migrate(run):
    result = run("migrate")
    assert result.exit_code == 0 and "up to date" in result.output


def test_merchant_create_and_set(run, portal):
    assert run("merchant", "create", "fjord", "--name", "Fjord Goods", "--currency", "nok",
               "--locale", "nb").exit_code == 0
    result = run("merchant", "set", "fjord", "timezone=Europe/Oslo", "support_email=hjelp@fjord.example",
                 "locales=nb,en")
    assert result.exit_code == 0, result.output
    with session_scope(portal.engine) as session:
        fjord = queries.merchant_by_slug(session, "fjord")
        assert (fjord.currency, fjord.default_locale, fjord.timezone) == ("NOK", "nb", "Europe/Oslo")
        assert fjord.enabled_locales == "nb,en"


@pytest.mark.parametrize("args, message", [
    (("merchant", "create", "Bad Slug!", "--name", "X"), "slug"),
    (("merchant", "create", "admin", "--name", "X"), "reserved"),
    (("merchant", "create", "ok", "--name", "X", "--currency", "XXQ"), "unknown currency"),
    (("merchant", "set", "nobody", "currency=EUR"), "no merchant"),
    (("merchant", "set", "acme", "support_email=help@"), "not an e-mail address"),
    (("merchant", "set", "acme", "support_email=help@acme"), "not an e-mail address"),
])
def test_bad_merchant_input_is_refused(run, merchant, args, message):
    result = run(*args)
    assert result.exit_code != 0
    assert message in result.output


def test_bad_setting_changes_nothing(run, portal):
    run("merchant", "create", "fjord", "--name", "Fjord")
    result = run("merchant", "set", "fjord", "currency=EUR", "timezone=Mars/Olympus", "colour=red")
    assert result.exit_code != 0
    assert "timezone" in result.output and "unknown setting" in result.output
    with session_scope(portal.engine) as session:
        assert queries.merchant_by_slug(session, "fjord").currency == "USD"


def test_user_and_api_key(run, client):
    run("merchant", "create", "fjord", "--name", "Fjord")
    assert run("user", "create", "fjord", "Owner@Fjord.example", input="long enough password\n").exit_code == 0
    assert run("user", "create", "fjord", "x@fjord.example", input="short\n").exit_code != 0
    key = run("apikey", "create", "fjord").output.strip()
    assert key.startswith("ptk_")
    response = client.post("/api/v1/orders", headers={"Authorization": f"Bearer {key}"},
                           json={"number": "1", "currency": "NOK"})
    assert response.status_code == 201


def test_carrier_json(run):
    result = run("carrier", "1Z999AA10123456784", "nonsense", "--json")
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert lines[0]["carrier"] == "ups" and lines[0]["valid"] is True and lines[0]["tracking_url"]
    assert lines[1] == {"number": "NONSENSE", "carrier": None, "valid": False, "tracking_url": None}


def test_carrier_reads_standard_input(run):
    result = run("carrier", "-", "--json", input="1Z999AA10123456784\n\n9400111202555842332669\n")
    assert [json.loads(line)["carrier"] for line in result.output.splitlines()] == ["ups", "usps"]


def test_demo_seeds_shops_and_is_idempotent(run, portal):
    first = run("demo")
    assert first.exit_code == 0, first.output
    assert "/acme/orders/" in first.output and "/nordlys/track" in first.output
    with session_scope(portal.engine) as session:
        merchants = session.exec(select(Merchant)).all()
        count = session.exec(select(func.count()).select_from(Order)).one()
    assert len(merchants) >= 3 and len({m.currency for m in merchants}) >= 3
    assert len({m.default_locale for m in merchants}) >= 3
    assert count >= 60
    assert run("demo").exit_code == 0
    with session_scope(portal.engine) as session:
        assert session.exec(select(func.count()).select_from(Order)).one() == count
        shipments = session.exec(select(Shipment)).all()
    # Demo parcels look like real ones: each passes its carrier's check digit.
    assert shipments and all(carriers.detect(s.tracking_number, s.carrier).valid for s in shipments)
