"""The console's CSV upload (/admin/import): dry run, import, CSRF, size cap, non-CSV files, and
row errors in the console user's language."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from portal.app import create_app
from portal.store import queries
from portal.store.db import session_scope
from tests.conftest import console_login, html, order_data, text_of
from tests.test_console_language import choose
from tests.test_csv_import import BAD, GOOD


def upload(client, token, content: bytes | str, filename="orders.csv", dry_run=True, content_type="text/csv"):
    data = {"csrf_token": token, **({"dry_run": "1"} if dry_run else {})}
    body = content.encode() if isinstance(content, str) else content
    return client.post("/admin/import", data=data, files={"file": (filename, body, content_type)})


def orders_of(portal, merchant) -> list[str]:
    with session_scope(portal.engine) as session:
        return [o.number for o in queries.search_orders(session, merchant.id).orders]


def test_needs_a_login(client):
    response = client.get("/admin/import")
    assert response.status_code == 303 and response.headers["location"].endswith("/admin/login")


def test_page_documents_the_columns(client, factory, merchant):
    console_login(client, factory, merchant)
    page = html(client.get("/admin/import"))
    columns = [text_of(row.find("td")) for row in page.select(".import-columns tbody tr")]
    assert columns[0] == "number" and "item_title" in columns and "tracking_number" in columns
    assert page.find("input", {"name": "dry_run"}).has_attr("checked")
    assert page.select_one("form.import-form")["enctype"] == "multipart/form-data"


def test_dry_run_lists_bad_rows_and_saves_nothing(client, factory, merchant, portal):
    token = console_login(client, factory, merchant)
    response = upload(client, token, BAD)
    assert response.status_code == 422
    page = html(response)
    rows = [[text_of(cell) for cell in row.find_all("td")] for row in page.select(".import-errors tbody tr")]
    assert rows[0][:3] == ["3", "item_quantity", "#2001"]
    assert [row[0] for row in rows] == ["3", "4", "4", "5", "6", "7", "8", "10"]
    # The rejected orders in the file's order (#2003's decimals are refused after the others' checks).
    rejected = [text_of(p) for p in page.select(".import-list") if text_of(p).startswith("Rejected")]
    assert rejected == ["Rejected: #2001, #2002, #2003, #2004, #2005, #2006"]
    assert "nothing was saved" in text_of(page.select_one(".import-summary"))
    assert orders_of(portal, merchant) == []


def test_import_then_reimport(client, factory, merchant, portal):
    token = console_login(client, factory, merchant)
    first = upload(client, token, GOOD, dry_run=False)
    assert first.status_code == 200
    assert "2 orders were created" in text_of(html(first).select_one(".import-summary"))
    assert sorted(orders_of(portal, merchant)) == ["#1001", "#1002"]
    again = html(upload(client, token, GOOD, dry_run=False))
    assert "2 unchanged" in text_of(again.select_one(".import-summary"))
    assert not again.find(id="import-error")


def test_csrf_is_required(client, factory, merchant, portal):
    console_login(client, factory, merchant)
    response = upload(client, "forged", GOOD, dry_run=False)
    assert response.status_code == 403
    assert orders_of(portal, merchant) == []


@pytest.mark.parametrize("filename, content, content_type, message", [
    ("orders.xlsx", b"PK\x03\x04...", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
     "is not a CSV file"),
    ("orders.csv", b"PK\x03\x04...", "text/csv", "spreadsheet workbook"),
    ("photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00", "image/png", "is not a CSV file"),
])
def test_non_csv_files_are_refused(client, factory, merchant, filename, content, content_type, message):
    token = console_login(client, factory, merchant)
    response = upload(client, token, content, filename, content_type=content_type)
    assert response.status_code == 415
    assert message in text_of(html(response).find(id="import-error"))


@pytest.fixture
def small_caps(settings):
    """An app whose CSV cap (4 kB) is above its general body cap (1 kB)."""
    app = create_app(settings.model_copy(update={"max_body_bytes": 1000, "import_max_bytes": 4000}))
    with TestClient(app, follow_redirects=False) as client:
        yield app, client


def test_upload_cap_is_its_own(small_caps, factory, merchant):
    app, client = small_caps
    factory.portal = app.state.portal
    token = console_login(client, factory, merchant)
    fits = GOOD + "".join(f"#9{i:03d},,,,,USD,1,0,1,,Cap,,1,1.00,,,\n" for i in range(40))
    assert 1000 < len(fits) < 4000
    assert upload(client, token, fits).status_code == 200  # above the app-wide cap, below the import cap
    too_big = upload(client, token, fits * 3)
    assert too_big.status_code == 413
    assert "larger than 0.004 MB" in text_of(html(too_big).find(id="import-error"))


# A bad e-mail, an empty order number, a postal code over its 32 characters and an amount with more
# decimals than the currency has (refused after the shape checks, where the amounts are worked out).
MIXED = (
    "number,email,postal_code,item_title,item_quantity,item_unit_price\n"
    "#3001,not-an-email,,Mug,1,1.00\n"
    ",x@example.com,,Mug,1,1.00\n"
    f"#3002,y@example.com,{'9' * 33},Mug,1,1.00\n"
    "#3003,z@example.com,,Mug,1,1.999\n"
)


def problems(response) -> list[list[str]]:
    rows = html(response).select(".import-errors tbody tr")
    return [[text_of(cells[0]), text_of(cells[1]), text_of(cells[3])] for cells in (row.find_all("td") for row in rows)]


def test_row_errors_are_in_the_console_users_language(client, factory, merchant):
    token = console_login(client, factory, merchant)
    assert choose(client, "de").status_code == 303
    response = upload(client, token, MIXED)
    assert response.status_code == 422
    assert problems(response) == [
        ["2", "email", "ist keine E-Mail-Adresse"],
        ["3", "number", "die Bestellnummer ist leer"],
        ["4", "postal_code", "ist zu lang: höchstens 32 Zeichen"],
        ["5", "item_unit_price", "'1.999' hat mehr Nachkommastellen, als USD erlaubt (2)"],
    ]
    assert "Probelauf: nichts wurde gespeichert" in text_of(html(response).select_one(".import-summary"))


def test_row_errors_stay_english_for_an_english_login(client, factory, merchant):
    token = console_login(client, factory, merchant)
    assert problems(upload(client, token, MIXED)) == [
        ["2", "email", "is not an e-mail address"],
        ["3", "number", "the order number is empty"],
        ["4", "postal_code", "is too long: at most 32 characters"],
        ["5", "item_unit_price", "'1.999' has more decimals than USD allows (2)"],
    ]


def test_unreadable_files_are_explained_in_the_console_users_language(client, factory, merchant):
    token = console_login(client, factory, merchant)
    assert choose(client, "de").status_code == 303
    response = upload(client, token, b"number\n#1\n#2 \xff\n")
    assert response.status_code == 415
    assert text_of(html(response).find(id="import-error")) == (
        "Zeile 3 ist kein UTF-8-Text: Speichern Sie die Datei als „CSV UTF-8“.")


def test_the_api_still_answers_in_english_whatever_the_browser_asks(client, factory, merchant):
    auth = {"Authorization": f"Bearer {factory.api_key(merchant)}", "Accept-Language": "de"}
    response = client.post("/api/v1/orders", headers=auth, json=order_data(email="not-an-email", postal_code="9" * 33))
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "email", "message": "is not an e-mail address"},
        {"field": "postal_code", "message": "String should have at most 32 characters"},
    ]
    wrong = order_data(line_items=[{"title": "Mug", "quantity": 1, "unit_price": "1.999"}])
    assert client.post("/api/v1/orders", headers=auth, json=wrong).json()["errors"] == [
        {"field": "line_items.0.unit_price", "message": "'1.999' has more decimals than USD allows (2)"}]
