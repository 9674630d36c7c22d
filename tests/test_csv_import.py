"""CSV import: `portal import SLUG FILE.csv [--dry-run]` and the rules it shares with the API."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from portal.cli import main
from portal.orders.as_json import order_json
from portal.orders.upsert import number_key
from portal.store import queries
from portal.store.db import session_scope
from tests.conftest import html, text_of

HEADER = ("number,email,placed_at,payment_status,fulfillment_status,currency,subtotal,shipping,total,tags,"
          "item_title,item_variant,item_quantity,item_unit_price,tracking_number,carrier,shipment_status\n")
GOOD = (
    HEADER
    + '#1001,ana@example.com,2026-11-02T10:30:00Z,paid,fulfilled,USD,59.00,5.00,64.00,"vip, gift",'
      "Trail mug,Blue,2,24.50,1Z999AA10123456784,UPS,InTransit\n"
    + "#1001,,,,,,,,,,Socks,,1,10.00,1Z999AA10123456784,,\n"
    + "#1002,bo@example.com,2026-11-03T09:00:00Z,pending,unfulfilled,USD,12.00,0,12.00,,Cap,,1,12.00,,,\n"
)
BAD = (
    HEADER
    + "#2001,ok@example.com,2026-11-02T10:30:00Z,paid,unfulfilled,USD,10,0,10,,Mug,,1,10.00,,,\n"
    + "#2001,,,,,,,,,,Plate,,two,5.00,,,\n"                        # line 3: bad quantity sinks #2001
    + "#2002,not-an-email,,kinda paid,unfulfilled,USD,1,0,1,,Cap,,1,1.00,,,\n"  # line 4: two bad fields
    + ",x@example.com,,,,,,,,,,,,,,,\n"                              # line 5: no order number
    + "#2003,c@example.com,,paid,unfulfilled,USD,1,0,1.999,,Cap,,1,1.00,,,\n"  # line 6: 3 decimals in USD
    + "#2004,d@example.com,,paid,unfulfilled,USD,1,0,1,,Cap,,1,1.00,,,Teleported\n"  # line 7: shipment w/o number
    + "#2005,e@example.com,,paid\n"                                  # line 8: too few fields
    + "#2006,f@example.com,,paid,unfulfilled,USD,1,0,1,,Cap,,1,1.00,,,\n"  # fine
    + "#2006,g@example.com,,,,,,,,,Hat,,1,1.00,,,\n"                 # line 10: e-mail differs from line 9
    + "#2007,h@example.com,,paid,unfulfilled,USD,1,0,1,,Cap,,1,1.00,,,\n"  # fine
)


@pytest.fixture
def run(settings, monkeypatch, tmp_path):
    monkeypatch.setenv("PORTAL_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("PORTAL_SECRET_KEY", settings.secret_key)
    monkeypatch.setenv("PORTAL_INSTANCE_DIR", str(settings.instance_dir))

    def invoke(content: str | bytes, *options: str):
        path = tmp_path / "orders.csv"
        path.write_bytes(content.encode() if isinstance(content, str) else content)
        return CliRunner().invoke(main, ["import", "acme", str(path), *options])

    return invoke


def stored(portal, merchant, number: str):
    with session_scope(portal.engine) as session:
        order = queries.order_by_number_key(session, merchant.id, number_key(number))
        if order is None:
            return None
        body = order_json(session, order)
        body["timeline"] = len(queries.timeline(session, order.id, shopper_only=False))
        return body


def error_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("line ")]


def test_dry_run_reports_every_bad_row_and_saves_nothing(run, portal, merchant):
    result = run(BAD, "--dry-run")
    assert result.exit_code == 1
    assert error_lines(result.output) == [
        "line 3, item_quantity (order #2001): must be a whole number",
        "line 4, email (order #2002): is not an e-mail address",
        "line 4, payment_status (order #2002): must be one of 'pending', 'authorized', 'partially_paid', 'paid', "
        "'partially_refunded', 'refunded', 'voided', or 'expired'",
        "line 5, number: the order number is empty",
        "line 6, total (order #2003): '1.999' has more decimals than USD allows (2)",
        "line 7, tracking_number (order #2004): shipment columns need a tracking_number",
        "line 8 (order #2005): has 4 fields but the header has 17",
        "line 10, email (order #2006): 'g@example.com' differs from 'f@example.com' on line 9",
    ]
    assert "0 would be updated" in result.output and "1 orders would be created" in result.output
    assert "Dry run: nothing was saved." in result.output
    assert stored(portal, merchant, "#2007") is None


def test_import_is_all_or_nothing_per_order(run, portal, merchant):
    result = run(BAD)
    assert result.exit_code == 1
    assert "1 orders were created" in result.output and "6 rejected" in result.output
    assert stored(portal, merchant, "#2007")["line_items"][0]["title"] == "Cap"
    # #2001's first row was fine, but its second was not: none of #2001 is written.
    for number in ("#2001", "#2002", "#2003", "#2004", "#2005", "#2006"):
        assert stored(portal, merchant, number) is None, number


def test_rows_of_one_order_become_one_order_with_its_items_and_parcel(run, portal, merchant, client, factory):
    result = run(GOOD)
    assert result.exit_code == 0, result.output
    assert "2 orders were created" in result.output
    order = stored(portal, merchant, "#1001")
    assert [(i["title"], i["quantity"], i["unit_price"]) for i in order["line_items"]] == [
        ("Trail mug", 2, "24.50"), ("Socks", 1, "10.00")]
    assert order["totals"]["total"] == "64.00" and order["tags"] == ["vip", "gift"]
    assert order["source"] == "csv"
    [shipment] = order["shipments"]
    assert (shipment["carrier"], shipment["status"]) == ("ups", "in_transit")

    with session_scope(portal.engine) as session:
        model = queries.order_by_number_key(session, merchant.id, "1001")
    page = html(client.get(factory.link(merchant, model)))
    items = text_of(page.find(id="panel-items"))
    assert "Trail mug" in items and "Socks" in items and "$64.00" in items
    assert "In transit" in text_of(page.find(id="panel-shipments"))


def test_the_documented_example_without_a_subtotal_shows_the_items_sum(run, portal, merchant, client, factory):
    page = (Path(__file__).resolve().parent.parent / "docs" / "csv-import.md").read_text()
    example = page.split("```csv\n", 1)[1].split("```", 1)[0]
    assert "subtotal" not in example.splitlines()[0]
    result = run(example)
    assert result.exit_code == 0, result.output
    totals = stored(portal, merchant, "#1001")["totals"]
    assert (totals["subtotal"], totals["total"]) == ("59.00", "64.00")  # the total given is kept
    with session_scope(portal.engine) as session:
        model = queries.order_by_number_key(session, merchant.id, "1002")
    totals = html(client.get(factory.link(merchant, model) + "?lang=en")).select(".totals > div")
    assert [text_of(row) for row in totals][0] == "Subtotal $12.00"
    assert "Total $12.00" in [text_of(row) for row in totals]


def test_importing_the_same_file_again_changes_nothing(run, portal, merchant):
    assert run(GOOD).exit_code == 0
    before = {n: stored(portal, merchant, n) for n in ("#1001", "#1002")}
    again = run(GOOD)
    assert again.exit_code == 0
    assert "0 orders were created, 0 were updated, 2 unchanged" in again.output
    assert {n: stored(portal, merchant, n) for n in ("#1001", "#1002")} == before


def test_a_reimport_does_not_take_a_parcel_back_from_what_its_carrier_said(run, portal, merchant, client, factory):
    """The file says "in transit"; the carrier has since said "delivered". Importing the same
    file again leaves the parcel delivered and the order as it was."""
    assert run(GOOD).exit_code == 0
    auth = {"Authorization": f"Bearer {factory.api_key(merchant)}"}
    delivered = {"tracking_number": "1Z999AA10123456784", "at": "2026-11-05T10:00:00Z", "status": "Delivered"}
    assert client.post("/api/v1/events", json={"events": [delivered]}, headers=auth).json()["added"] == 1
    before = stored(portal, merchant, "#1001")
    assert before["shipments"][0]["status"] == "delivered"
    again = run(GOOD)
    assert "0 orders were created, 0 were updated, 2 unchanged" in again.output
    assert stored(portal, merchant, "#1001") == before


def test_changed_rows_update_their_order_only(run, portal, merchant):
    run(GOOD)
    result = run(GOOD.replace("Cap,,1,12.00", "Cap,,3,12.00"))
    assert "0 orders were created, 1 were updated, 1 unchanged" in result.output
    assert stored(portal, merchant, "#1002")["line_items"][0]["quantity"] == 3
    assert stored(portal, merchant, "#1002")["version"] == 2


def test_spreadsheet_dialects(run, portal, merchant):
    text = "\ufeffNumber;E-mail;Item Title;Item Unit Price\n#3001;x@example.com;Mug;1.50\n".replace("E-mail", "email")
    result = run(text)
    assert result.exit_code == 0, result.output
    order = stored(portal, merchant, "#3001")
    assert order["currency"] == "USD"  # the shop's currency when the file has none
    assert order["line_items"][0]["unit_price"] == "1.50"


@pytest.mark.parametrize("content, message", [
    ("number,emial\n#1,x@example.com\n", "unknown column 'emial' (did you mean 'email'?)"),
    ("number," + ",".join(f"stray{i}" for i in range(1000)) + "\n", "'stray9', …. The columns are listed"),
    ("email\nx@example.com\n", "the column 'number' is required"),
    ("number,email,email\n", "'email' appears more than once"),
    (b"PK\x03\x04rest-of-a-workbook", "spreadsheet workbook (.xlsx), not CSV"),
    (b"number\n#1\n#2 \xff\n", "Line 3 is not UTF-8 text"),
    (b"", "The file is empty"),
])
def test_unusable_files_are_refused_whole(run, merchant, content, message):
    result = run(content, "--dry-run")
    assert result.exit_code == 1
    assert message in result.output


def test_import_is_scoped_to_the_shop(run, portal, merchant, factory):
    rival = factory.merchant("rival")
    factory.order(rival, number="#1001", email="rival@example.com")
    run(GOOD)
    with session_scope(portal.engine) as session:
        theirs = queries.order_by_number_key(session, rival.id, "1001")
        assert theirs.email == "rival@example.com" and theirs.version == 1


def test_docs_document_every_column():
    from portal.ingest.csv_columns import COLUMNS

    page = (Path(__file__).resolve().parent.parent / "docs" / "csv-import.md").read_text()
    assert [column.name for column in COLUMNS if f"| `{column.name}` |" not in page] == []


def test_a_rule_across_columns_is_said_without_an_internal_name(run, merchant):
    rows = "number,email,status,cancel_reason,item_title,item_unit_price\n#2101,a@example.com,open,fraud,Mug,1.00\n"
    result = run(rows, "--dry-run")
    assert error_lines(result.output) == [
        "line 2 (order #2101): cancel_reason is only allowed when status is 'cancelled'"]
