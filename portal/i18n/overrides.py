"""Merchant translation overrides: set one, export and import a locale as .po or CSV.

Every text is checked against its source string before anything is stored (placeholders exactly
as the source writes them, markup, size), and again when loaded, so one stored under older rules
never reaches a page; an import is all-or-nothing and names the line of each refused entry.
Changing an override bumps the merchant's version, which is what the render cache keys on.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.plurals import get_plural
from babel.messages.pofile import PoFileError, read_po, write_po
from sqlmodel import Session

from portal import i18n, inputs
from portal.i18n import gettext, ngettext
from portal.i18n.tooling import PO_WIDTH, validate_translation
from portal.store import queries
from portal.store.models import Merchant, TranslationOverride, utcnow

log = logging.getLogger(__name__)

# Characters per text (each plural form): a long paragraph, never a page's worth.
MAX_TEXT = 2000
MAX_FILE_BYTES = 512_000
CSV_HEADER = ["msgctxt", "msgid", "msgid_plural", "translation"]


class OverrideError(ValueError):
    """Texts that cannot be stored, one reason per entry ("line 12: unknown placeholder …")."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = list(problems)


@dataclass(frozen=True)
class Source:
    """One string of the shipped template (locales/messages.pot)."""

    msgid: str
    msgctxt: str = ""
    plural: str | None = None
    comment: str = ""

    @property
    def key(self) -> str:
        return i18n.override_key(self.msgid, self.msgctxt or None)


@dataclass(frozen=True)
class Entry:
    """A text for one source string, as a form or a file supplies it."""

    source: Source
    forms: tuple[str, ...]
    line: int | None = None


@lru_cache(maxsize=4)
def _sources(template: Path) -> tuple[Source, ...]:
    if not template.is_file():
        log.warning("%s is missing: no string can be overridden (run `make i18n`)", template)
        return ()
    with template.open("rb") as handle:
        catalog = read_po(handle)
    return tuple(
        Source(msgid=m.id[0] if m.pluralizable else m.id, msgctxt=m.context or "",
               plural=m.id[1] if m.pluralizable else None, comment=" ".join(m.auto_comments))
        for m in catalog if m.id
    )


def sources(locales_dir: Path) -> tuple[Source, ...]:
    return _sources(Path(locales_dir) / "messages.pot")


def source_index(locales_dir: Path) -> dict[tuple[str, str], Source]:
    return {(s.msgctxt, s.msgid): s for s in sources(locales_dir)}


def plural_count(locale: str) -> int:
    return get_plural(locale).num_plurals


def shipped_text(catalogs: i18n.Catalogs, locale: str, source: Source, n: int = 1) -> str:
    translations = catalogs.translations(locale)
    if source.plural is not None:
        if source.msgctxt:
            return translations.npgettext(source.msgctxt, source.msgid, source.plural, n)
        return translations.ngettext(source.msgid, source.plural, n)
    if source.msgctxt:
        return translations.pgettext(source.msgctxt, source.msgid)
    return translations.gettext(source.msgid)


# -- loading (what pages.activate installs) ---------------------------------------------------------

def load(session: Session, merchant_id: int, locales_dir: Path) -> dict[str, dict[str, str | tuple[str, ...]]]:
    """Every override of a merchant that passes today's rules: locale -> {key: text or plural forms}.

    A text stored before a rule existed is left out (the catalog's text shows) and logged; one for
    a string the portal no longer has is left out silently, as nothing asks for it."""
    rows = queries.translation_overrides(session, merchant_id)
    index = source_index(locales_dir) if rows else {}
    found: dict[str, dict[str, str | tuple[str, ...]]] = {}
    for row in rows:
        source = index.get((row.msgctxt or "", row.msgid))
        if source is None:
            continue
        forms = tuple(row.plural_forms) if row.plural_forms else (row.text,)
        problems = text_problems(source, forms)
        if problems:
            log.warning("merchant %s: the %s override of %r is not applied: %s",
                        merchant_id, row.locale, row.msgid, "; ".join(problems))
            continue
        found.setdefault(row.locale, {})[source.key] = forms if row.plural_forms else row.text
    return found


# -- validation and storing ---------------------------------------------------------------------

def check(entry: Entry, locale: str) -> list[str]:
    """Why an entry cannot be stored for `locale`, in the active locale (the console's)."""
    source = entry.source
    if not any(entry.forms):
        return []  # an empty text removes the override
    where = _line(entry.line) if entry.line else ""
    needed = plural_count(locale)
    if source.plural is not None and len(entry.forms) != needed:
        return [f"{where}{source.msgid!r}: "
                + ngettext("%(num)s plural form is needed in this language, not %(got)s",
                           "%(num)s plural forms are needed in this language, not %(got)s", needed)
                % {"num": needed, "got": len(entry.forms)}]
    return [where + problem for problem in text_problems(source, entry.forms)]


def text_problems(source: Source, forms: Sequence[str]) -> list[str]:
    """Why these texts (one, or one per plural form) cannot stand in for `source`."""
    problems = []
    for index, form in enumerate(forms):
        origin = source.msgid if source.plural is None or index == 0 else source.plural
        label = repr(source.msgid)
        if source.plural is not None:
            label += " (" + gettext("form %(form)s") % {"form": index} + ")"
        if not form.strip():
            problems.append(f"{label}: " + gettext("the text is empty"))
        elif len(form) > MAX_TEXT:
            problems.append(f"{label}: " + gettext("at most %(max)s characters") % {"max": MAX_TEXT})
        elif inputs.NUL in form:
            problems.append(f"{label}: {inputs.NUL_PROBLEM}")
        problems += [f"{label}: {p}"
                     for p in validate_translation(origin, form, plural_form=source.plural is not None)]
    return problems


def apply(session: Session, merchant: Merchant, locale: str, entries: Iterable[Entry]) -> int:
    """Validate every entry, then store all of them or none. Returns how many changed."""
    entries = list(entries)
    problems = [problem for entry in entries for problem in check(entry, locale)]
    if problems:
        raise OverrideError(problems)
    changed = 0
    for entry in entries:
        changed += _store(session, merchant, locale, entry)
    if changed:
        merchant.version += 1
        session.add(merchant)
    session.flush()
    return changed


def _store(session: Session, merchant: Merchant, locale: str, entry: Entry) -> int:
    source = entry.source
    row = queries.translation_override(session, merchant.id, locale, source.msgctxt, source.msgid)
    if not any(entry.forms):
        if row is None:
            return 0
        session.delete(row)
        return 1
    plural_forms = list(entry.forms) if source.plural is not None else []
    if row is not None and row.text == entry.forms[0] and row.plural_forms == plural_forms:
        return 0
    row = row or TranslationOverride(merchant_id=merchant.id, locale=locale, msgctxt=source.msgctxt,
                                     msgid=source.msgid, text="")
    row.text, row.plural_forms, row.updated_at = entry.forms[0], plural_forms, utcnow()
    session.add(row)
    return 1


def override_locales(session: Session, merchant_id: int) -> list[str]:
    return sorted({row.locale for row in queries.translation_overrides(session, merchant_id)})


# -- files ----------------------------------------------------------------------------------------

def export_po(session: Session, merchant: Merchant, locale: str, locales_dir: Path,
              catalogs: i18n.Catalogs) -> bytes:
    """Every string of the locale: the merchant's text where they have one, else the shipped one."""
    mine = load(session, merchant.id, locales_dir).get(locale, {})
    catalog = Catalog(locale=locale, project=f"{merchant.name} ({merchant.slug})", fuzzy=False,
                      charset="utf-8")
    for source in sources(locales_dir):
        text = mine.get(source.key)
        if source.plural is None:
            string: str | tuple[str, ...] = text if isinstance(text, str) else shipped_text(catalogs, locale, source)
        else:
            string = tuple(text) if isinstance(text, tuple) else shipped_forms(catalogs, locale, source)
        catalog.add((source.msgid, source.plural) if source.plural else source.msgid, string,
                    context=source.msgctxt or None, auto_comments=[source.comment] if source.comment else [])
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=PO_WIDTH, no_location=True)
    return buffer.getvalue()


def shipped_forms(catalogs: i18n.Catalogs, locale: str, source: Source) -> tuple[str, ...]:
    # One example number per plural form, found by walking small numbers through the rule.
    examples: dict[int, int] = {}
    for n in range(0, 200):
        examples.setdefault(i18n.plural_index(locale, n), n)
    return tuple(shipped_text(catalogs, locale, source, examples.get(i, 1)) for i in range(plural_count(locale)))


def export_csv(session: Session, merchant: Merchant, locale: str, locales_dir: Path,
               catalogs: i18n.Catalogs) -> str:
    catalog = read_po(io.BytesIO(export_po(session, merchant, locale, locales_dir, catalogs)), locale=locale)
    out = io.StringIO()
    writer = csv.writer(out)
    forms = plural_count(locale)
    writer.writerow(CSV_HEADER + [f"translation[{i}]" for i in range(1, forms)])
    for message in catalog:
        if not message.id:
            continue
        if message.pluralizable:
            writer.writerow([message.context or "", message.id[0], message.id[1], *message.string])
        else:
            writer.writerow([message.context or "", message.id, "", message.string])
    return out.getvalue()


def _line(number: int) -> str:
    return gettext("line %(line)s") % {"line": number} + ": "


def _unknown(msgid: str) -> str:
    return gettext("%(text)s is not a string of the portal") % {"text": repr(msgid)}


def _decode(data: bytes) -> str:
    if len(data) > MAX_FILE_BYTES:
        raise OverrideError([gettext("the file is larger than %(size)s kB") % {"size": MAX_FILE_BYTES // 1000}])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise OverrideError([_line(line) + gettext("not UTF-8 text")]) from None


def parse_po(data: bytes, locale: str, locales_dir: Path) -> tuple[list[Entry], list[str]]:
    text = _decode(data)
    try:
        catalog = read_po(io.StringIO(text), locale=locale, abort_invalid=True)
    except PoFileError as exc:
        # Babel counts lines from 0 ("… on 2"); people count from 1.
        reason, _, line = str(exc).rpartition(" on ")
        where = _line(int(line) + 1) if line.isdigit() else ""
        problem = gettext("not a valid .po file (%(reason)s)") % {"reason": reason or exc}
        raise OverrideError([where + problem]) from None
    index = source_index(locales_dir)
    entries, problems = [], []
    for message in catalog:
        if not message.id:
            continue
        msgid = message.id[0] if message.pluralizable else message.id
        source = index.get((message.context or "", msgid))
        if source is None:
            problems.append(_line(message.lineno) + _unknown(msgid))
            continue
        if message.fuzzy:
            continue  # a translator's "needs review" is not a decision to publish
        forms = tuple(message.string) if message.pluralizable else (message.string,)
        entries.append(Entry(source, forms, message.lineno))
    return entries, problems


def parse_csv(data: bytes, locale: str, locales_dir: Path) -> tuple[list[Entry], list[str]]:
    reader = csv.reader(io.StringIO(_decode(data), newline=""))
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        raise OverrideError([_line(1) + gettext("the header row is missing")]) from None
    if [h.strip() for h in header[:4]] != CSV_HEADER:
        raise OverrideError([_line(1) + gettext("the header must start with %(header)s")
                             % {"header": ",".join(CSV_HEADER)}])
    index = source_index(locales_dir)
    entries, problems = [], []
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            row += [""] * (4 - len(row))
            source = index.get((row[0], row[1]))
            if source is None:
                problems.append(_line(reader.line_num) + _unknown(row[1]))
                continue
            forms = tuple(row[3:]) if source.plural is not None else (row[3],)
            entries.append(Entry(source, forms, reader.line_num))
    except csv.Error as exc:
        problems.append(_line(reader.line_num) + str(exc))
    return entries, problems


def import_file(session: Session, merchant: Merchant, locale: str, filename: str, data: bytes,
                locales_dir: Path, catalogs: i18n.Catalogs) -> int:
    """Store a .po or .csv of texts for `locale`. Texts equal to the shipped ones are not kept."""
    parse = parse_csv if filename.lower().endswith(".csv") else parse_po
    entries, problems = parse(data, locale, locales_dir)
    problems += [problem for entry in entries for problem in check(entry, locale)]
    if problems:
        raise OverrideError(problems)
    shipped = locale in catalogs.available()
    kept = []
    for entry in entries:
        if shipped and any(entry.forms) and _is_shipped(catalogs, locale, entry):
            entry = Entry(entry.source, ("",) * len(entry.forms), entry.line)  # drop a stale override
        kept.append(entry)
    return apply(session, merchant, locale, kept)


def _is_shipped(catalogs: i18n.Catalogs, locale: str, entry: Entry) -> bool:
    if entry.source.plural is None:
        return entry.forms[0] == shipped_text(catalogs, locale, entry.source)
    return entry.forms == shipped_forms(catalogs, locale, entry.source)
