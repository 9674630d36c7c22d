"""Tests for portal.carriers.

Fixture numbers are our own: serials are invented and check digits are computed
here by small independent implementations of the published algorithms (plus the
well-known UPS documentation sample 1Z999AA10123456784).
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from portal import carriers
from portal.carriers import CarrierMatch, carrier_code, carrier_display_name, cli_lines, detect
from portal.carriers import normalise_number, tracking_url

ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


# ---------------------------------------------------------- check digit helpers
def _val(ch: str) -> int:
    return int(ch) if ch.isdigit() else (ord(ch) - 3) % 10


def mod10(serial: str, even_w: int, odd_w: int) -> str:
    """even_w weights positions 0, 2, 4...; odd_w positions 1, 3, 5..."""
    total = sum(_val(c) * (even_w if i % 2 == 0 else odd_w) for i, c in enumerate(serial))
    return str((10 - total % 10) % 10)


def weighted_mod11(serial: str, weights: list[int]) -> str:
    return str(sum(int(c) * w for c, w in zip(serial, weights)) % 11 % 10)


def luhn(serial: str) -> str:
    total = 0
    for i, c in enumerate(reversed(serial)):
        d = int(c) * (2 if i % 2 == 0 else 1)
        total += d // 10 + d % 10
    return str((10 - total % 10) % 10)


def s10(serial: str) -> str:
    r = sum(int(c) * w for c, w in zip(serial, [8, 6, 4, 2, 3, 5, 9, 7])) % 11
    return str({0: 5, 1: 0}.get(r, 11 - r))


def mod37_36(serial: str) -> str:
    p = 36
    for c in serial:
        p = (p + ALNUM.index(c)) % 36
        p = (36 if p == 0 else p) * 2 % 37
    return ALNUM[(37 - p) % 36]


def bump(ch: str) -> str:
    """A different check character of the same kind."""
    return str((int(ch) + 1) % 10) if ch.isdigit() else ALNUM[(ALNUM.index(ch) + 1) % 36 or 10]


W_FEDEX12 = [3, 1, 7] * 4
W_FEDEX34 = [1, 7, 3] * 5


def _fedex12(s11: str) -> str:
    return s11 + weighted_mod11(s11, W_FEDEX12)


DPD28 = "0012345" "01234567890123" "101" "276"  # zip, parcel number, service, country

# (valid number, carrier, index of the check character) -- index None: format-only family
CHECKED = {
    "ups_1z_doc_sample": ("1Z999AA10123456784", "ups", -1),
    "ups_1z": ("1Z4E7A1903" + "4455667" + mod10("4E7A19034455667", 1, 2), "ups", -1),
    "ups_waybill": ("H" + "730215548" + mod10("730215548", 1, 2), "ups", -1),
    "fedex_12": (_fedex12("79341250086"), "fedex", -1),
    "fedex_ground_15": ("61234509876" "543" + mod10("61234509876543", 1, 3), "fedex", -1),
    "fedex_sscc18": ("00" + "731245500071234" + mod10("731245500071234", 3, 1), "fedex", -1),
    "fedex_34": ("1043217650000" "12" "90210" "4455667788990"
                 + weighted_mod11("4455667788990", W_FEDEX34), "fedex", -1),
    "fedex_astra": ("3000111122223333" + _fedex12("78123456789") + "0201", "fedex", 27),
    "usps_20": ("7123456789012345678" + mod10("7123456789012345678", 3, 1), "usps", -1),
    "usps_impb_22": ("940011120777777777777" + mod10("940011120777777777777", 3, 1), "usps", -1),
    "s10": ("LZ" + "31415926" + s10("31415926") + "SE", "s10", 10),
    "dhl_express_10": ("271828182" + str(271828182 % 7), "dhl", -1),
    "dhl_express_11": ("5511223344" + str(5511223344 % 7), "dhl", -1),
    "ontrac_c": ("C" + "1200345678901" + mod10("41200345678901", 1, 2), "ontrac", -1),
    "ontrac_d": ("D" + "1009876543210" + mod10("51009876543210", 1, 2), "ontrac", -1),
    "canada_post": ("101234500987654" + mod10("101234500987654", 3, 1), "canada_post", -1),
    "purolator_12": ("21357924680" + luhn("21357924680"), "purolator", -1),
    "dpd_28": (DPD28 + mod37_36(DPD28), "dpd", -1),
    "dpd_14": ("01234567890123" + mod37_36("01234567890123"), "dpd", -1),
    "old_dominion": ("0721234567" + luhn("0721234567"), "old_dominion", -1),
    "old_dominion_guaranteed": ("8012345678" + luhn("8012345678"), "old_dominion", -1),
}

FORMAT_ONLY = {
    "amazon_tba": ("TBA123456789012", "amazon"),
    "amazon_tbc": ("TBC987654321098", "amazon"),
    "amazon_international": ("C2003004005", "amazon"),
    "lasership_lx": ("LX15551234", "lasership"),
    "lasership_1ls7_15": ("1LS712345678901", "lasership"),
    "lasership_1ls7_18": ("1LS7123012543210-1", "lasership"),
    "lasership_1lscx": ("1LSCXAB12CD34EF", "lasership"),
    "dhl_piece_id": ("JJD0012345678", "dhl"),
    "dhl_ecommerce": ("GM6054321987654321", "dhl"),
    "dhl_ecommerce_14": ("51234567890123", "dhl"),
    "purolator_alpha": ("QRS123456789", "purolator"),
    "canpar": ("D123450000000000123001", "canpar"),
    "yodel_jd": ("JD0001234567890123", "yodel"),
    "yodel_jjd": ("JJD0009876543210987", "yodel"),
    "landmark": ("LTN12345678N1", "landmark"),
    "gofo": ("GFUS12345678901234", "gofo"),
    "speedee": ("SP012345678901234567", "speedee"),
    "yunexpress": ("YT1234567890123456", "yunexpress"),
}


@pytest.mark.parametrize("key", sorted(CHECKED))
def test_checked_families_valid_and_invalid(key):
    number, carrier, idx = CHECKED[key]
    m = detect(number)
    assert (m.carrier, m.valid) == (carrier, True), (key, number, m)
    assert m.number == number.replace("-", "")
    chars = list(number)
    chars[idx] = bump(chars[idx])
    bad = "".join(chars)
    mb = detect(bad)
    assert not (mb.carrier == carrier and mb.valid), (key, bad, mb)
    assert detect(bad, carrier=carrier).valid is False  # right format, wrong check digit


@pytest.mark.parametrize("key", sorted(FORMAT_ONLY))
def test_format_only_families(key):
    number, carrier = FORMAT_ONLY[key]
    m = detect(number)
    assert (m.carrier, m.valid) == (carrier, True), (key, m)


@pytest.mark.parametrize("number", ["LX95551234", "1LS732345678901", "1LSCZAB12CD34EF", "LTN12345678N2",
                                    "GFUS1234567890123", "SX012345678901234567", "YT123456789012345",
                                    "JC0001234567890123", "M123450000000000123001", "TBB123456789012"])
def test_wrong_format_is_not_detected_as_valid(number):
    assert detect(number).valid is False


def test_ups_doc_sample_url_and_name():
    m = detect("1Z999AA10123456784")
    assert m == CarrierMatch("1Z999AA10123456784", "ups", "UPS", True,
                             "https://wwwapps.ups.com/WebTracking/track?track=yes&trackNums=1Z999AA10123456784")


def test_spaces_dashes_and_case_tolerated():
    assert normalise_number(" 1z 999-aa1\u00a00123 456\u2013784\n") == "1Z999AA10123456784"
    a, b = detect("1z999aa1 0123-4567 84"), detect("1Z999AA10123456784")
    assert a == b and a.valid
    number = CHECKED["canada_post"][0]
    spaced = " ".join(number[i:i + 4] for i in range(0, 16, 4))
    assert detect(spaced).carrier == "canada_post"


def test_explicit_carrier_wins():
    valid_ups = CHECKED["ups_1z"][0]
    ups_like = valid_ups[:-1] + bump(valid_ups[-1])  # fails the UPS check digit
    assert detect(ups_like).carrier == "ups" and not detect(ups_like).valid
    m = detect(ups_like, carrier="USPS")
    assert m.carrier == "usps" and m.carrier_name == "USPS" and m.valid  # platform trusted
    assert m.tracking_url == "https://tools.usps.com/go/TrackConfirmAction?tLabels=" + ups_like
    given = "https://tools.usps.com/go/TrackConfirmAction_input?qtc_tLabels1=" + ups_like
    assert detect(ups_like, carrier="United States Postal Service", tracking_url=given).tracking_url == given
    # explicit carrier whose format matches: valid reflects the check digit
    fedex = CHECKED["fedex_12"][0]
    assert detect(fedex, carrier="FedEx").valid is True
    assert detect(fedex[:-1] + bump(fedex[-1]), carrier="fedex").valid is False
    # carrier with no known number format: trusted, template URL
    m = detect("00340434161234567890", carrier="GLS")
    assert (m.carrier, m.valid, m.carrier_name) == ("gls", True, "GLS")
    assert m.tracking_url == "https://gls-group.com/GROUP/en/parcel-tracking?match=00340434161234567890"


def test_national_posts_accept_s10():
    number = "RR" + "27182818" + s10("27182818") + "GB"
    m = detect(number, carrier="Royal Mail")
    assert (m.carrier, m.valid) == ("royal_mail", True)
    assert detect(number[:10] + bump(number[10]) + "GB", carrier="royal_mail").valid is False
    auto = detect(number)
    assert auto.carrier == "s10" and auto.tracking_url.startswith("https://www.royalmail.com/")


def test_unknown_and_placeholder_carriers():
    m = detect("ZZ-1234", carrier="Acme Freight")
    assert m == CarrierMatch("ZZ1234", None, "Acme Freight", True, None)
    m = detect("ZZ-1234", carrier="Acme Freight", tracking_url="https://acme.example/t/ZZ1234")
    assert m.tracking_url == "https://acme.example/t/ZZ1234"
    # "Other" means no carrier: fall back to detection
    assert detect("1Z999AA10123456784", carrier="Other").carrier == "ups"
    assert detect("hello world") == CarrierMatch("HELLOWORLD", None, None, False, None)
    assert detect("").carrier is None


def test_carrier_from_tracking_url_host():
    m = detect("ABC123", tracking_url="https://www.royalmail.com/track-your-item#/tracking-results/ABC123")
    assert m.carrier == "royal_mail" and m.tracking_url.endswith("ABC123")


@pytest.mark.parametrize("name,code", [
    ("USPS", "usps"), ("United States Postal Service", "usps"), ("FedEx", "fedex"), ("UPS", "ups"),
    ("Canada Post", "canada_post"), ("DHL Express", "dhl"), ("DHL eCommerce", "dhl_ecommerce"),
    ("Royal Mail", "royal_mail"), ("PostNord", "postnord"), ("PostNord Sweden", "postnord"),
    ("Bring", "bring"), ("Posten", "bring"), ("Blue Dart", "bluedart"), ("BlueDart", "bluedart"),
    ("Delhivery", "delhivery"), ("India Post", "india_post"), ("GLS", "gls"), ("DPD UK", "dpd"),
    ("dpd", "dpd"), ("canada-post", "canada_post"), ("Amazon Logistics US", "amazon"),
    ("Other", None), ("", None), (None, None), ("Acme Freight", None),
])
def test_carrier_code(name, code):
    assert carrier_code(name) == code


def test_display_names():
    assert carrier_display_name("canada_post") == "Canada Post"
    assert carrier_display_name("ups") == "UPS"
    assert carrier_display_name("bluedart") == "Blue Dart"
    assert carrier_display_name("mystery_co") == "mystery_co"


@pytest.mark.parametrize("code,prefix", [
    ("postnord", "https://tracking.postnord.com/"), ("bring", "https://tracking.bring.com/"),
    ("gls", "https://gls-group.com/"), ("dhl_ecommerce", "https://webtrack.dhlecs.com/"),
    ("royal_mail", "https://www.royalmail.com/"), ("bluedart", "https://www.bluedart.com/"),
    ("delhivery", "https://www.delhivery.com/"), ("india_post", "https://www.indiapost.gov.in/"),
    ("ups", "https://wwwapps.ups.com/"), ("fedex", "https://www.fedex.com/"),
    ("usps", "https://tools.usps.com/"), ("dhl", "http://www.dhl.com/"),
    ("canada_post", "https://www.canadapost-postescanada.ca/"), ("dpd", "https://www.dpdgroup.com/"),
    ("yodel", "https://www.yodel.co.uk/"), ("purolator", "https://www.purolator.com/"),
])
def test_tracking_url_templates(code, prefix):
    url = tracking_url(code, "ab 12/3&x")
    assert url.startswith(prefix)
    assert "AB12%2F3%26X" in url and "%s" not in url


def test_tracking_url_free_text_and_unknown():
    assert tracking_url("Blue Dart", "123") == tracking_url("bluedart", "123")
    assert tracking_url("Acme", "123") is None
    assert tracking_url(None, "123") is None
    assert tracking_url("amazon", "TBA123456789012") is None  # no public template


def test_cli_lines_shape():
    lines = list(cli_lines(["1z999aa10123456784", "nope"]))
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert set(first) == {"number", "carrier", "valid", "tracking_url"}
    assert first["number"] == "1Z999AA10123456784" and first["carrier"] == "ups" and first["valid"] is True
    assert second == {"number": "NOPE", "carrier": None, "valid": False, "tracking_url": None}
    assert all("\n" not in line for line in lines)


VECTORS = Path(__file__).resolve().parents[1] / ".." / "shared" / "reference" / "tracking-number-vectors.json"


@pytest.mark.skipif(not VECTORS.exists(), reason="reference vectors not present")
def test_accuracy_against_reference_vectors():
    vectors = json.loads(VECTORS.read_text())
    agree = url_ok = url_total = 0
    for v in vectors:
        m = detect(v["number"])
        hit = m.carrier == v["courier_code"] and m.valid
        agree += hit if v["valid"] else not hit
        if v["valid"] and v.get("tracking_url"):
            url_total += 1
            url_ok += m.tracking_url == v["tracking_url"].replace("%s", m.number)
    assert agree / len(vectors) >= 0.97, (agree, len(vectors))
    assert url_ok == url_total
