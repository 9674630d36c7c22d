"""Merchants' custom CSS: parsed with tinycss2, checked node by node, and re-serialised.

Only what the parser understood is served (never the merchant's raw text), so nothing can break
out of the stylesheet, load other resources through @import, or run script through legacy hooks.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import tinycss2
from tinycss2 import ast

from portal.i18n import gettext, ngettext

MAX_CHARS = 20_000
NESTING_AT_RULES = {"media", "supports", "container", "layer"}
SAFE_URL_RE = re.compile(r"^(?:https://[^\s\"'()\\]+|/(?!/)[^\s\"'()\\]*|data:image/(?:png|jpeg|gif|webp)[;,][^\s\"'()\\]*)$",
                         re.IGNORECASE)
SCRIPT_URL_RE = re.compile(r"^\s*(?:javascript|vbscript|livescript)\s*:", re.IGNORECASE)
RAW_SCRIPT_URL_RE = re.compile(r"url\(\s*['\"]?\s*(?P<scheme>javascript|vbscript|livescript)\s*:", re.IGNORECASE)
# Properties that bound script to elements in old browsers; never useful in a stylesheet today.
FORBIDDEN_PROPERTIES = {"behavior", "behaviour", "-moz-binding", "-ms-behavior"}
FORBIDDEN_FUNCTIONS = {"expression", "javascript"}
# Functions that load what they are given (vendor prefix dropped first): their strings are URLs too.
URL_FUNCTIONS = {"url", "src", "image", "image-set", "cross-fade"}
VENDOR_PREFIX_RE = re.compile(r"^-(?:webkit|moz|ms|o)-")


class CustomCssError(ValueError):
    """Every problem of a stylesheet, each as "line N: reason" in the active (console) language."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


def _at(where: object, problem: str) -> str:
    """`problem` found on a line (a number, or a parsed node that knows its line)."""
    line = where if isinstance(where, int) else getattr(where, "source_line", "?")
    # Translators: where a problem is in the merchant's custom CSS; %(problem)s says what is wrong there.
    return gettext("line %(line)s: %(problem)s") % {"line": line, "problem": problem}


def _markup() -> str:
    # The characters are filled in: catalogs may hold only well-formed markup.
    # Translators: %(lt)s and %(end)s are '<' and '-->'; %(examples)s is "</style>, <!--".
    return (gettext("%(lt)s and %(end)s are not allowed in CSS (e.g. %(examples)s)")
            % {"lt": "'<'", "end": "'-->'", "examples": "</style>, <!--"})


def _script_url(scheme: str) -> str:
    # Lower-cased, so `JaVaScRiPt:` found twice (in the raw line and the parsed URL) is listed once.
    return (gettext("url(%(scheme)s:…) is not allowed: a stylesheet cannot run script")
            % {"scheme": scheme.strip().lower()})


def _check_url(url: str, node: object, errors: list[str], function: str = "url") -> None:
    if SCRIPT_URL_RE.match(url):
        errors.append(_at(node, _script_url(url.split(":")[0])))
    elif not SAFE_URL_RE.match(url.strip()):
        errors.append(_at(node, gettext("%(function)s(%(url)s) is not allowed; use an https:// address, a path on "
                                        "this site, or a data:image URL") % {"function": function, "url": url[:60]}))


def _check_values(tokens: Iterable[ast.Node], errors: list[str]) -> None:
    for token in tokens:
        if isinstance(token, ast.ParseError):
            errors.append(_at(token, token.message))  # tinycss2's own words, in English
        elif isinstance(token, ast.URLToken):
            _check_url(token.value, token, errors)
        elif isinstance(token, ast.StringToken) and SCRIPT_URL_RE.match(token.value):
            errors.append(_at(token, gettext("\"%(text)s…\" is not allowed: a stylesheet cannot run script")
                              % {"text": token.value[:20]}))
        elif isinstance(token, ast.FunctionBlock):
            name = VENDOR_PREFIX_RE.sub("", token.lower_name)
            if name in FORBIDDEN_FUNCTIONS:
                errors.append(_at(token, gettext("%(function)s() is not allowed: it runs script in old browsers")
                                  % {"function": name}))
                continue
            strings = [t for t in token.arguments if isinstance(t, ast.StringToken)]
            if name in ("url", "src") and not strings:
                _check_url(tinycss2.serialize(token.arguments), token, errors, name)
            elif name in URL_FUNCTIONS:
                for string in strings:
                    _check_url(string.value, string, errors, name)
            _check_values(token.arguments, errors)
        elif isinstance(token, (ast.SquareBracketsBlock, ast.ParenthesesBlock, ast.CurlyBracketsBlock)):
            _check_values(token.content, errors)


def _check_declarations(content: list[ast.Node], errors: list[str]) -> None:
    for item in tinycss2.parse_declaration_list(content, skip_comments=True, skip_whitespace=True):
        if isinstance(item, ast.ParseError):
            errors.append(_at(item, item.message))
        elif isinstance(item, ast.AtRule):
            errors.append(_at(item, gettext("@%(rule)s inside a rule is not allowed")
                              % {"rule": item.lower_at_keyword}))
        elif isinstance(item, ast.Declaration):
            if item.lower_name in FORBIDDEN_PROPERTIES:
                errors.append(_at(item, gettext("the %(property)s property is not allowed: it runs script")
                                  % {"property": item.lower_name}))
            _check_values(item.value, errors)


def _check_rules(rules: Iterable[ast.Node], errors: list[str], in_keyframes: bool = False) -> None:
    for rule in rules:
        if isinstance(rule, ast.ParseError):
            errors.append(_at(rule, rule.message))
        elif isinstance(rule, ast.AtRule):
            name = rule.lower_at_keyword
            if name == "import":
                errors.append(_at(rule, gettext("@import is not allowed: custom CSS cannot load other stylesheets")))
            elif name in NESTING_AT_RULES or name.endswith("keyframes"):
                _check_values(rule.prelude, errors)
                if rule.content is not None:
                    nested = tinycss2.parse_rule_list(rule.content, skip_comments=True, skip_whitespace=True)
                    _check_rules(nested, errors, in_keyframes=name.endswith("keyframes"))
            else:
                errors.append(_at(rule, gettext("@%(rule)s is not allowed (allowed: @media, @supports, @container, "
                                                "@layer, @keyframes)") % {"rule": name}))
        elif isinstance(rule, ast.QualifiedRule):
            _check_values(rule.prelude, errors)
            _check_declarations(rule.content, errors)


def _rule_errors(rule: ast.Node) -> list[str]:
    errors: list[str] = []
    _check_rules([rule], errors)
    if errors:
        return errors
    # An escape (`\3c`, `\3e`) spells '<' or '-->' only once parsed: look at what would be served.
    served = rule.serialize()
    return [_at(rule, _markup())] if "<" in served or "-->" in served else []


def filter_css(text: str) -> str:
    """The merchant's CSS, re-serialised from the parse tree; CustomCssError lists every problem."""
    if len(text) > MAX_CHARS:
        raise CustomCssError([ngettext("custom CSS is %(length)s character long; at most %(limit)s are allowed",
                                       "custom CSS is %(length)s characters long; at most %(limit)s are allowed",
                                       len(text)) % {"length": len(text), "limit": MAX_CHARS}])
    found: list[tuple[int, str]] = []  # (line, error): listed in the order of the lines
    for number, line in enumerate(text.splitlines(), start=1):
        # Never anything that looks like markup: `</style>`, `<!--` … would end a <style> element.
        if "<" in line or "-->" in line:
            found.append((number, _at(number, _markup())))
        script = RAW_SCRIPT_URL_RE.search(line)
        if script:
            found.append((number, _at(number, _script_url(script["scheme"]))))
        if "\x00" in line:
            found.append((number, _at(number, gettext("NUL characters are not allowed"))))
    rules = tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True)
    said = {error for _, error in found}
    for rule in rules:
        for error in _rule_errors(rule):
            if error not in said:  # a script URL is found in its line and again in the parsed rule
                said.add(error)
                found.append((rule.source_line, error))
    if found:
        raise CustomCssError([error for _, error in sorted(found, key=lambda pair: pair[0])])
    return "\n".join(rule.serialize() for rule in rules)


def served_css(stored: str) -> str:
    """Stored custom CSS as it is served: each rule checked again under today's rules (a row saved
    before a rule was added must not serve what it now refuses); a rule that fails is left out."""
    rules = tinycss2.parse_stylesheet(stored, skip_comments=True, skip_whitespace=True)
    return "\n".join(rule.serialize() for rule in rules if not _rule_errors(rule))
