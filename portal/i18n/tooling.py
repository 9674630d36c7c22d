"""Catalog tooling behind `make i18n` and `portal i18n …`: extract, update, compile, check.

Writes are deterministic: a catalog (or the template) is rewritten only when something other
than its timestamps changed, so engineers running `make i18n` in parallel do not conflict on
header dates alone.
"""

from __future__ import annotations

import gettext
import io
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from babel import Locale
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po, write_po

from portal.i18n import TAG_RE
from portal.i18n import gettext as _
from portal.settings import PROJECT_ROOT

PROJECT = "order-tracking-portal"
COPYRIGHT = "Order-tracking portal contributors"
COMMENT_TAGS = ("Translators:",)
PO_WIDTH = 76

# A conversion as Python's % operator reads one: `%(name)s`, `%s`, `%(n)05.1f`, `%%` … The text is
# matched against the source's exact conversions, so a width, a flag or another type is refused.
CONVERSION_RE = re.compile(r"%(?:\((?P<name>[^()]*)\)[-#0 +]*|[-#0+]*)(?:\*|\d+)?(?:\.(?:\*|\d*))?[hlL]?"
                           r"[diouxXeEfFgGcrsa%]")
_DATE_LINE = re.compile(rb'^"(?:POT-Creation-Date|PO-Revision-Date): .*$', re.MULTILINE)


# -- validation shared by shipped catalogs and merchant overrides -------------------------------

def conversions(text: str) -> tuple[list[re.Match[str]], bool]:
    """The %-conversions of a python-format string (not `%%`), and whether a lone `%` was found."""
    found = [m for m in CONVERSION_RE.finditer(text) if m.group(0) != "%%"]
    stray = "%" in CONVERSION_RE.sub("", text)
    return found, stray


def tags(text: str) -> list[str]:
    return TAG_RE.findall(text)


def validate_translation(source: str, text: str, *, plural_form: bool = False) -> list[str]:
    """Why `text` cannot stand in for `source` (empty when it can), in the active locale.

    Placeholders must be the source's, written exactly as the source writes them (a plural form may
    leave the count out, as "one second" does in many languages); a literal percent sign is `%%`;
    markup must be exactly the source's own tags, in order.
    """
    problems: list[str] = []
    wanted = {m.group(0): m.group("name") for m in conversions(source)[0]}
    by_name = {name: conversion for conversion, name in wanted.items() if name is not None}
    found, stray = conversions(text)
    written = {m.group(0): m.group("name") for m in found}
    if stray:
        problems.append(_("a lone %(percent)s must be written %(escaped)s") % {"percent": "%", "escaped": "%%"})
    for conversion, name in written.items():
        if conversion in wanted:
            continue
        if name in by_name:
            problems.append(_("%(found)s must be written exactly %(wanted)s")
                            % {"found": conversion, "wanted": by_name[name]})
        elif wanted:
            problems.append(_("unknown placeholder %(found)s (the source has %(wanted)s)")
                            % {"found": conversion, "wanted": ", ".join(sorted(wanted))})
        else:
            problems.append(_("unknown placeholder %(found)s (the source has none)") % {"found": conversion})
    # A placeholder written wrongly was named above, not also as missing.
    missing = sorted(conversion for conversion, name in wanted.items()
                     if conversion not in written and (name is None or name not in written.values()))
    if missing and not plural_form:
        problems.append(_("missing placeholder %(missing)s") % {"missing": ", ".join(missing)})
    if tags(text) != tags(source):
        allowed = " ".join(tags(source))
        problems.append(_("markup must be exactly the source's: %(tags)s") % {"tags": allowed} if allowed
                        else _("markup is not allowed"))
    elif "<" in TAG_RE.sub("", text) or ">" in TAG_RE.sub("", text):
        problems.append(_("broken markup: a stray %(lt)s or %(gt)s") % {"lt": "<", "gt": ">"})
    return problems


# -- extraction ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Paths:
    root: Path = PROJECT_ROOT

    @property
    def locales(self) -> Path:
        return self.root / "locales"

    @property
    def template(self) -> Path:
        return self.locales / "messages.pot"

    def catalog(self, locale: str) -> Path:
        return self.locales / locale / "LC_MESSAGES" / "messages.po"

    def shipped(self) -> list[str]:
        if not self.locales.is_dir():
            return []
        return sorted(p.parent.parent.name for p in self.locales.glob("*/LC_MESSAGES/messages.po"))


def mappings(pyproject: Path) -> tuple[list[tuple[str, str]], dict[str, dict[str, str]]]:
    """[[tool.babel.mappings]] as extract_from_dir's method and options maps (Babel's own reader
    of this table is private and was renamed in Babel 2.19, so it is read here)."""
    with pyproject.open("rb") as handle:
        entries = tomllib.load(handle).get("tool", {}).get("babel", {}).get("mappings", [])
    method_map: list[tuple[str, str]] = []
    options_map: dict[str, dict[str, str]] = {}
    for entry in entries:
        options = dict(entry)
        method, patterns = options.pop("method"), options.pop("pattern")
        for pattern in [patterns] if isinstance(patterns, str) else patterns:
            method_map.append((pattern, method))
            options_map[pattern] = {key: str(value) for key, value in options.items()}
    return method_map, options_map


def extract(paths: Paths = Paths()) -> Catalog:
    """Every translatable string in the sources, as pyproject.toml's [tool.babel] maps them."""
    method_map, options_map = mappings(paths.root / "pyproject.toml")
    template = Catalog(project=PROJECT, copyright_holder=COPYRIGHT, charset="utf-8", fuzzy=False)
    found = extract_from_dir(str(paths.root), method_map, options_map, comment_tags=COMMENT_TAGS,
                             strip_comment_tags=True)
    for _filename, _lineno, message, comments, context in found:
        template.add(message, None, [], auto_comments=comments, context=context)
    return template


def _serialise(catalog: Catalog, *, sort: bool = False) -> bytes:
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=PO_WIDTH, no_location=True, sort_output=sort, ignore_obsolete=True)
    return buffer.getvalue()


def _write_if_changed(path: Path, data: bytes) -> bool:
    if path.exists() and _DATE_LINE.sub(b"", path.read_bytes()) == _DATE_LINE.sub(b"", data):
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return True


def read_catalog(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale, abort_invalid=True)


def write_template(paths: Paths = Paths()) -> bool:
    return _write_if_changed(paths.template, _serialise(extract(paths), sort=True))


def update(paths: Paths = Paths(), locales: list[str] | None = None) -> list[str]:
    """Merge the template into every catalog (new strings empty, removed ones dropped)."""
    template = read_catalog(paths.template)
    changed = []
    for locale in locales or paths.shipped():
        path = paths.catalog(locale)
        if path.exists():
            catalog = read_catalog(path, locale)
        else:
            catalog = Catalog(locale=locale, project=PROJECT, copyright_holder=COPYRIGHT, fuzzy=False)
            catalog.language_team = Locale.parse(locale).english_name
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        follow_plural_rule(catalog, locale)
        if _write_if_changed(path, _serialise(catalog)):
            changed.append(locale)
    return changed


def follow_plural_rule(catalog: Catalog, locale: str) -> bool:
    """Give the catalog Babel's Plural-Forms for its locale (the rules follow CLDR and change between
    Babel releases: 2.19 gave es, fr, it and pt a form for millions and he a dual). Every translated
    plural form is carried over by the numbers it covers, so nothing already translated is lost."""
    rule = get_plural(locale)
    if (catalog.num_plurals, catalog.plural_expr) == (rule.num_plurals, rule.plural_expr):
        return False
    old, new = gettext.c2py(catalog.plural_expr), gettext.c2py(rule.plural_expr)
    samples: dict[int, int] = {}
    for n in [*range(1000), 10**6, 2 * 10**6]:
        samples.setdefault(new(n), n)
    for message in catalog:
        if message.id and message.pluralizable and isinstance(message.string, (list, tuple)):
            forms = tuple(message.string)
            message.string = tuple(forms[min(old(samples.get(i, 5)), len(forms) - 1)]
                                   for i in range(rule.num_plurals))
    catalog.mime_headers = [("Plural-Forms", rule.plural_forms)]
    return True


def compile_all(paths: Paths = Paths()) -> list[str]:
    """Write messages.mo next to every catalog (fuzzy entries left out); return the locales."""
    locales = paths.shipped()
    for locale in locales:
        catalog = read_catalog(paths.catalog(locale), locale)
        buffer = io.BytesIO()
        write_mo(buffer, catalog, use_fuzzy=False)
        paths.catalog(locale).with_suffix(".mo").write_bytes(buffer.getvalue())
    return locales


# -- completeness --------------------------------------------------------------------------------

def _key(message: Message) -> tuple[str | None, str]:
    msgid = message.id[0] if isinstance(message.id, (list, tuple)) else message.id
    return message.context, msgid


def check_catalog(catalog: Catalog, template: Catalog) -> Iterator[str]:
    """Every problem that keeps `catalog` from being complete against `template`."""
    locale = str(catalog.locale)
    expected_plurals = get_plural(locale)
    if catalog.num_plurals != expected_plurals.num_plurals or catalog.plural_expr != expected_plurals.plural_expr:
        yield f"Plural-Forms is {catalog.plural_forms!r}; {locale} needs {expected_plurals.plural_forms!r}"
    if catalog.fuzzy:
        yield "the header is marked fuzzy (pybabel compile would skip the whole catalog)"
    present = {_key(m): m for m in catalog if m.id}
    wanted = {_key(m): m for m in template if m.id}
    for key, source in wanted.items():
        where = f"{key[0]}|{key[1]!r}" if key[0] else repr(key[1])
        message = present.get(key)
        if message is None:
            yield f"{where}: missing (run `make i18n`)"
            continue
        if message.fuzzy:
            yield f"{where}: fuzzy"
        if source.pluralizable != message.pluralizable:
            yield f"{where}: plural forms differ from the template (run `make i18n`)"
            continue
        forms = message.string if message.pluralizable else (message.string,)
        if message.pluralizable and len(forms) != catalog.num_plurals:
            yield f"{where}: {len(forms)} plural forms, {locale} has {catalog.num_plurals}"
        for index, form in enumerate(forms):
            if not form:
                yield f"{where}: untranslated" + (f" (form {index})" if message.pluralizable else "")
                continue
            origin = source.id[min(index, 1)] if message.pluralizable else source.id
            for problem in validate_translation(origin, form, plural_form=message.pluralizable):
                yield f"{where}: {problem}"
    for key in present.keys() - wanted.keys():
        yield f"{key[1]!r}: no longer in the sources (run `make i18n`)"
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    if not buffer.getvalue():
        yield "does not compile"


def check_all(paths: Paths = Paths(), template: Catalog | None = None) -> dict[str, list[str]]:
    template = template or extract(paths)
    return {locale: list(check_catalog(read_catalog(paths.catalog(locale), locale), template))
            for locale in paths.shipped()}
