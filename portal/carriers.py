"""Tracking number -> carrier, check-digit validity and tracking URL.

Engine and data
---------------
* The PyPI package ``tracking-numbers`` supplies the bundled 2022 copy of
  jkeen/tracking_number_data (UPS 1Z, FedEx, USPS, DHL Express, S10, OnTrac C)
  and its evaluator (``TrackingNumberDefinition.test``).
* ``carrier_data/definitions.json`` holds our own definitions, in the same
  courier format, for formats the package lacks (UPS waybill, FedEx ASTRA and
  newer 34-digit numbers, DHL piece id / eCommerce, Amazon, OnTrac D, LaserShip,
  Canada Post, Purolator, Canpar, DPD, Yodel, Landmark, GOFO, Spee-Dee,
  YunExpress, Old Dominion).  The package cannot evaluate them itself (no
  ``luhn`` or ``mod_37_36`` checksum, integer-only check digits), so a small
  evaluator below handles that format.  A definition of ours with the same name
  as a bundled one replaces it; ``package_excluded`` in ``carriers.json`` drops
  bundled definitions the current dataset no longer has.
* ``carrier_data/carriers.json``: display names, tracking URL templates
  (``%s`` = URL-encoded number), free-text aliases and tracking-site hosts,
  including carriers known only by URL (PostNord, Bring, GLS, Royal Mail, ...).

Ambiguity rule
--------------
When a normalised number fully matches several definitions:

1. a candidate that validates (check digit and additional checks pass, or the
   format has no check digit) beats one that fails;
2. among equals, the most specific definition wins: specificity is the number of
   bits a random upper-case alphanumeric string of that length must "hit" to
   match -- every fixed character (e.g. ``1Z``, ``TBA``, ``LTN``) counts
   log2(36), a narrower character class counts more than ``[0-9]``, and a check
   digit counts log2(modulus).  So an anchored/longer fixed prefix or a verified
   check digit outranks a bare run of digits;
3. remaining ties keep definition order (ours first, then the package's).

A carrier given by the merchant/platform (code or free text) always wins over
detection; a given tracking URL wins over our template.
"""
from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from importlib import resources
from typing import Callable, Iterable, Iterator
from urllib.parse import quote, urlsplit

import interegular

try:
    from tracking_numbers import DEFINITIONS as _PACKAGE_DEFINITIONS
except ImportError:  # pragma: no cover - degrade to our own definitions only
    _PACKAGE_DEFINITIONS = []

__all__ = [
    "CarrierMatch", "normalise_number", "carrier_code", "carrier_display_name",
    "tracking_url", "detect", "cli_lines",
]


@dataclass(frozen=True)
class CarrierMatch:
    number: str               # normalised (upper-case, no spaces/dashes)
    carrier: str | None       # carrier code or None when unknown
    carrier_name: str | None  # human display name e.g. "UPS", "Canada Post"
    valid: bool               # check digit / format valid for that carrier
    tracking_url: str | None


# ---------------------------------------------------------------- data loading
def _load(name: str) -> dict:
    return json.loads(resources.files("portal").joinpath("carrier_data", name).read_text("utf-8"))


_REGISTRY = _load("carriers.json")
_CARRIERS: dict[str, dict] = _REGISTRY["carriers"]


def _key(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", text.casefold())


_ALIASES: dict[str, str] = {}
for _code, _info in _CARRIERS.items():
    for _alias in [_code, _info["name"], *_info.get("aliases", ())]:
        _ALIASES.setdefault(_key(_alias), _code)
_ALIASES_BY_LENGTH = sorted(_ALIASES.items(), key=lambda kv: -len(kv[0]))
_PLACEHOLDERS = {_key(p) for p in _REGISTRY.get("placeholders", ())}
_HOSTS = {h: code for code, info in _CARRIERS.items() for h in info.get("hosts", ())}
_S10_COUNTRY = _REGISTRY.get("s10_country_carrier", {})

# ------------------------------------------------------------------ checksums
_ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
# Longer than any tracking number: a format's specificity is counted on lengths up to this.
_MAX_COUNTED = 64


def _digit(ch: str) -> int:
    # letters map as in UPS 1Z numbers; only UPS-style serials contain letters
    return int(ch) if ch.isdigit() else (ord(ch) - 3) % 10


def _mod10(spec: dict) -> Callable[[str, str], bool]:
    odds, evens = spec.get("odds_multiplier") or 1, spec.get("evens_multiplier") or 1

    def check(serial: str, cd: str) -> bool:
        total = sum(_digit(c) * (evens if i % 2 == 0 else odds) for i, c in enumerate(serial))
        return cd.isdigit() and (10 - total % 10) % 10 == int(cd)
    return check


def _sum_product(spec: dict) -> Callable[[str, str], bool]:
    weights, m1, m2 = spec["weightings"], spec["modulo1"], spec["modulo2"]
    return lambda s, cd: cd.isdigit() and sum(_digit(c) * w for c, w in zip(s, weights)) % m1 % m2 == int(cd)


def _s10(serial: str, cd: str) -> bool:
    r = sum(int(c) * w for c, w in zip(serial, (8, 6, 4, 2, 3, 5, 9, 7))) % 11
    return cd.isdigit() and {0: 5, 1: 0}.get(r, 11 - r) == int(cd)


def _luhn(serial: str, cd: str) -> bool:
    total = 0
    for i, c in enumerate(reversed(serial)):
        d = int(c) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return cd.isdigit() and (10 - total % 10) % 10 == int(cd)


def _mod37_36(serial: str, cd: str) -> bool:  # ISO/IEC 7064 MOD 37,36
    p = 36
    for c in serial:
        p = ((p + _ALNUM.index(c)) % 36 or 36) * 2 % 37
    return _ALNUM[(37 - p) % 36] == cd


_CHECKSUMS: dict[str, tuple[Callable[[dict], Callable[[str, str], bool]], int]] = {
    "mod10": (_mod10, 10), "luhn": (lambda _: _luhn, 10), "mod7": (lambda _: lambda s, cd: cd.isdigit() and int(s) % 7 == int(cd), 7),
    "s10": (lambda _: _s10, 11), "sum_product_with_weightings_and_modulo": (_sum_product, 10),
    "mod_37_36": (lambda _: _mod37_36, 36),
}
_PACKAGE_CHECKSUM_MODULUS = {"Mod10": 10, "Mod7": 7, "S10": 11, "SumProductWithWeightsAndModulo": 10}


# --------------------------------------------------------------- specificity
def _shape(pattern: str) -> tuple[float, int, float]:
    """(specificity bits, min length, max length) of a pattern on normalised input.

    Specificity is how unlikely a random string of the pattern's length is to match it: the
    length's bits less those of the number of strings it accepts (counted on its automaton), for
    the least specific length it accepts. A more specific format wins when two both validate."""
    parsed = interegular.parse_pattern(pattern.replace(r"\s*", ""))
    lo, hi = parsed.lengths
    fsm = parsed.to_fsm()
    per_symbol = Counter(fsm.alphabet[c] for c in _ALNUM)  # input is upper-case letters and digits
    counts: dict = {fsm.initial: 1}
    bits = math.inf
    for n in range(min(hi if hi is not None else _MAX_COUNTED, _MAX_COUNTED) + 1):
        accepted = sum(c for state, c in counts.items() if state in fsm.finals)
        if n >= lo and accepted:
            bits = min(bits, n * math.log2(36) - math.log2(accepted))
        following: Counter = Counter()
        for state, c in counts.items():
            for symbol, ways in per_symbol.items():
                to = fsm.map.get(state, {}).get(symbol)
                if to is not None:
                    following[to] += c * ways
        counts = following
    return (bits if bits != math.inf else 0.0), lo, (hi if hi is not None else math.inf)


# ---------------------------------------------------------------- definitions
class _Definition:
    """One tracking number format: ours (dataset JSON) or a bundled package one."""

    __slots__ = ("courier", "name", "regex", "bits", "min_len", "max_len", "checksum",
                 "prepend", "additional", "package_def")

    def __init__(self, courier: str, name: str, pattern: str, modulus: int = 1) -> None:
        self.courier, self.name = courier, name
        self.regex = re.compile(pattern.replace(r"\s*", ""))  # input is normalised
        bits, self.min_len, self.max_len = _shape(pattern)
        self.bits = bits + (math.log2(modulus) if modulus > 1 else 0.0)
        self.checksum = self.prepend = self.package_def = None
        self.additional: list[tuple[str, list[Callable[[str], bool]]]] = []

    @classmethod
    def from_spec(cls, courier: str, spec: dict) -> "_Definition":
        pattern = spec["regex"] if isinstance(spec["regex"], str) else "".join(spec["regex"])
        validation = spec.get("validation") or {}
        checksum = validation.get("checksum") or {}
        maker, modulus = _CHECKSUMS.get(checksum.get("name"), (None, 1))
        d = cls(courier, spec["name"], pattern.replace("(?<", "(?P<").replace("(?P<=", "(?<=").replace("(?P<!", "(?<!"), modulus)
        d.checksum = maker(checksum) if maker else None
        prepend = (validation.get("serial_number_format") or {}).get("prepend_if")
        if prepend:
            d.prepend = (re.compile(prepend["matches_regex"]), prepend["content"])
        for extra in spec.get("additional") or ():
            matchers = [(lambda v, x=m["matches"]: v == x) if "matches" in m
                        else (lambda v, r=re.compile(m["matches_regex"]): bool(r.match(v)))
                        for m in extra.get("lookup", ())]
            d.additional.append((extra["regex_group_name"], matchers))
        return d

    @classmethod
    def from_package(cls, pkg) -> "_Definition":
        modulus = _PACKAGE_CHECKSUM_MODULUS.get(type(pkg.checksum_validator).__name__, 1)
        d = cls(pkg.courier.code, pkg.product.name, pkg.number_regex.pattern, modulus)
        d.package_def = pkg
        return d

    def test(self, number: str) -> bool | None:
        """None when the format does not match, else whether the number validates."""
        m = self.regex.fullmatch(number)
        if m is None:
            return None
        if self.package_def is not None:  # the package's own evaluator decides
            try:
                found = self.package_def.test(number)
            except ValueError:  # the package does int() on a check digit that may be a letter
                return False
            return None if found is None else found.valid
        groups = m.groupdict()
        if self.checksum is not None:
            serial, cd = groups.get("SerialNumber"), groups.get("CheckDigit")
            if not serial or not cd:
                return False
            if self.prepend and self.prepend[0].match(serial):
                serial = self.prepend[1] + serial
            if not self.checksum(serial, cd):
                return False
        return all(any(f(groups.get(g) or "") for f in fs) for g, fs in self.additional)


def _build_definitions() -> list[_Definition]:
    ours = [_Definition.from_spec(c["courier_code"], spec)
            for c in _load("definitions.json")["couriers"] for spec in c["tracking_numbers"]]
    skip = {d.name for d in ours} | set(_REGISTRY.get("package_excluded", ()))
    return ours + [_Definition.from_package(p) for p in _PACKAGE_DEFINITIONS if p.product.name not in skip]


_DEFINITIONS = _build_definitions()
_BY_NAME = {d.name: d for d in _DEFINITIONS}
_FORMATS: dict[str, list[_Definition]] = {}
for _d in _DEFINITIONS:
    _FORMATS.setdefault(_d.courier, []).append(_d)
for _code, _info in _CARRIERS.items():
    _FORMATS.setdefault(_code, []).extend(_BY_NAME[n] for n in _info.get("formats", ()) if n in _BY_NAME)


_MAX_INDEXED = 64
_BY_LENGTH: list[list[_Definition]] = [
    [d for d in _DEFINITIONS if d.min_len <= n <= d.max_len] for n in range(_MAX_INDEXED + 1)]
_LONG = [d for d in _DEFINITIONS if d.max_len > _MAX_INDEXED]


def _best(number: str, definitions: Iterable[_Definition] | None = None) -> tuple[_Definition, bool] | None:
    """Best (definition, valid) among ``definitions`` (default: all) by the ambiguity rule."""
    n = len(number)
    if definitions is None:
        definitions = _BY_LENGTH[n] if n <= _MAX_INDEXED else _LONG
    best: tuple[_Definition, bool] | None = None
    for d in definitions:
        if not d.min_len <= n <= d.max_len:
            continue
        valid = d.test(number)
        if valid is not None and (best is None or (valid, d.bits) > (best[1], best[0].bits)):
            best = (d, valid)
    return best


# ------------------------------------------------------------------ public API
_STRIP = re.compile(r"[\s\-\u00ad\u2010-\u2015\u2212\u200b-\u200d\u2060\ufeff]+")


def normalise_number(raw: str) -> str:
    """Upper-case and drop whitespace, dashes and zero-width characters."""
    return _STRIP.sub("", raw or "").upper()


def carrier_code(name: str | None) -> str | None:
    """Free-text/platform carrier name or code -> our carrier code; None if empty, a placeholder
    such as "Other", or unknown."""
    key = _key(name or "")
    if not key or key in _PLACEHOLDERS:
        return None
    if key in _ALIASES:
        return _ALIASES[key]
    # regional variants: "PostNord Sweden", "DHL Express UK", "Amazon Logistics US"
    for alias, code in _ALIASES_BY_LENGTH:
        if len(alias) >= 3 and key.startswith(alias):
            return code
    return None


def carrier_display_name(code: str) -> str:
    info = _CARRIERS.get(code) or _CARRIERS.get(carrier_code(code) or "")
    return info["name"] if info else code


def _template(code: str | None, number: str) -> str | None:
    info = _CARRIERS.get(code or "")
    return info.get("tracking_url") if info else None


def tracking_url(carrier: str | None, number: str) -> str | None:
    """The carrier's tracking page for a number (URL-encoded); None if no template is known."""
    code = carrier if carrier in _CARRIERS else carrier_code(carrier)
    num = normalise_number(number)
    if code == "s10" and num[-2:] in _S10_COUNTRY:
        code = _S10_COUNTRY[num[-2:]]
    template = _template(code, num)
    return template.replace("%s", quote(num, safe="")) if template and num else None


_url_for = tracking_url  # detect() shadows the name with its parameter


def _host_carrier(url: str) -> str | None:
    host = (urlsplit(url).hostname or "").lower()
    while host:
        if host in _HOSTS:
            return _HOSTS[host]
        host = host.partition(".")[2]
    return None


def detect(number: str, carrier: str | None = None, tracking_url: str | None = None) -> CarrierMatch:
    """Identify the carrier of ``number``.

    A given carrier (code or free text) wins; a given tracking URL wins over our template.
    With a known carrier, ``valid`` reflects the check digit when the number matches one of that
    carrier's formats, and is True (we trust the platform) when it matches none.  A carrier name we
    do not know is kept as display name with ``carrier=None``.  Without a carrier, the carrier is
    inferred from a given tracking URL's host, else detected from the number (see module docstring);
    no match gives ``carrier=None, valid=False``.  A detected number that fails its check digit keeps
    the carrier (``valid=False``) but gets no template URL.
    """
    num = normalise_number(number)
    given_url = (tracking_url or "").strip() or None
    given = (carrier or "").strip()
    code = carrier_code(given) if given else None
    if given and code is None and _key(given) not in _PLACEHOLDERS:
        return CarrierMatch(num, None, given, True, given_url)
    if code is None and given_url:
        code = _host_carrier(given_url)
    if code is not None:
        found = _best(num, _FORMATS.get(code, ()))
        valid = found[1] if found else True
        return CarrierMatch(num, code, carrier_display_name(code), valid,
                            given_url or _url_for(code, num))
    found = _best(num) if num else None
    if found is None:
        return CarrierMatch(num, None, None, False, given_url)
    d, valid = found
    url = given_url or (_url_for(d.courier, num) if valid else None)
    return CarrierMatch(num, d.courier, carrier_display_name(d.courier), valid, url)


def cli_lines(numbers: Iterable[str]) -> Iterator[str]:
    """One JSON object per number: {"number", "carrier", "valid", "tracking_url"}."""
    for raw in numbers:
        m = detect(raw)
        yield json.dumps({"number": m.number, "carrier": m.carrier, "valid": m.valid,
                          "tracking_url": m.tracking_url})
