"""The words of a theme that merchants read: its label and description, and each setting's label,
help and choice names.

They are written in English in theme.toml. `extract` hands them to Babel (registered in
pyproject.toml's [[tool.babel.mappings]], so `make i18n` puts them in the catalogs), and the
console shows them through `translate`; a theme's words that are not in the catalog show as written.
"""

from __future__ import annotations

import tomllib
from collections.abc import Collection, Iterator, Mapping
from typing import IO, Any

from portal.i18n import gettext


def choice_name(value: str) -> str:
    """How the console names a choice: its value, e.g. `old_style` -> "Old style"."""
    return value.replace("_", " ").capitalize()


def translate(text: str) -> str:
    """A theme's word in the console's language (as written when the catalog does not have it)."""
    return gettext(text) if text else ""  # gettext("") is the catalog's header


def choice(value: str) -> str:
    """A choice's name in the console's language."""
    return translate(choice_name(value))


def messages(manifest: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """Each word of a parsed theme.toml a person reads, with a note for translators."""
    for key, note in (("label", "theme name"), ("description", "theme description")):
        if isinstance(manifest.get(key), str):
            yield manifest[key], note
    settings = manifest.get("settings")
    for name, setting in (settings.items() if isinstance(settings, Mapping) else ()):
        if not isinstance(setting, Mapping):
            continue
        # Without a label the console shows the setting's name, as schema.py does.
        yield str(setting.get("label", name.replace("_", " ").capitalize())), "theme setting label"
        if setting.get("help"):
            yield str(setting["help"]), "theme setting help text"
        choices = setting.get("choices")
        if isinstance(choices, (list, Mapping)):
            for value in choices:
                yield choice_name(str(value)), f"theme setting choice ({setting.get('label', name)})"


def extract(fileobj: IO[bytes], keywords: Collection[str], comment_tags: Collection[str],
            options: Mapping[str, Any]) -> Iterator[tuple[int, str, str, list[str]]]:
    """Babel extraction method for theme.toml: `(lineno, funcname, message, comments)`."""
    source = fileobj.read().decode("utf-8")
    lines = source.splitlines()
    for text, note in messages(tomllib.loads(source)):
        # tomllib keeps no positions: the first line holding the text (a choice's value) will do.
        lineno = next((i for i, line in enumerate(lines, 1) if text.lower() in line.lower()), 1)
        yield lineno, "gettext", text, [note]
