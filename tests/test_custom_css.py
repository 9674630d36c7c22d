"""Custom CSS: parsed with tinycss2; hostile input refused with the line and the reason."""

from __future__ import annotations

import pytest

from portal.theming.custom_css import MAX_CHARS, CustomCssError, filter_css


def refused(css: str) -> str:
    with pytest.raises(CustomCssError) as caught:
        filter_css(css)
    return str(caught.value)


def test_ordinary_css_survives_re_serialised():
    css = """/* brand tweaks */
.brand { letter-spacing: .05em; color: var(--color-accent) !important }
@media (max-width: 40rem) { .hero h1 { font-size: 2rem } }
@supports (display: grid) { .items { display: grid } }
@keyframes pulse { from { opacity: 1 } to { opacity: .8 } }
.card { background: url("https://cdn.example.com/paper.png") repeat, url(/static/x.png) }
"""
    out = filter_css(css)
    assert "brand tweaks" not in out  # comments dropped
    assert ".brand { letter-spacing: .05em; color: var(--color-accent) !important }" in out
    assert "@media (max-width: 40rem)" in out and "@keyframes pulse" in out
    assert 'url("https://cdn.example.com/paper.png")' in out


def test_unclosed_block_is_closed_not_left_open():
    assert filter_css(".a { color: red") == ".a { color: red}"


@pytest.mark.parametrize("css, message", [
    ('@import url("https://evil.example/x.css");', "@import is not allowed"),
    ("@IMPORT 'x.css';", "@import is not allowed"),
    (".a { background: url(javascript:alert(1)) }", "url(javascript:…) is not allowed"),
    ('.a { background: url( "JaVaScRiPt:alert(1)" ) }', "url(javascript:…) is not allowed"),
    (".a { background: url(data:text/html,hi) }", "url(data:text/html,hi) is not allowed"),
    (".a { width: expression(alert(1)) }", "expression() is not allowed"),
    (".a { width: \\65 xpression(alert(1)) }", "expression() is not allowed"),
    (".a { behavior: url(x.htc) }", "the behavior property is not allowed"),
    (".a { -moz-binding: url(x.xml#a) }", "the -moz-binding property is not allowed"),
    (".a { color: red } </style><script>alert(1)</script>", "'<' and '-->' are not allowed"),
    ("<!-- .a { color: red } -->", "'<' and '-->' are not allowed"),
    ("@font-face { font-family: x; src: url(https://x.example/f.woff) }", "@font-face is not allowed"),
    (".a { color: red } } .b { color: blue }", "Unmatched }"),
    (".a { @media print { color: red } }", "@media inside a rule is not allowed"),
])
def test_hostile_css_is_refused(css, message):
    assert message in refused(css)


def test_errors_carry_line_numbers():
    message = refused(".ok { color: red }\n\n.bad { width: expression(1) }")
    assert message.startswith("line 3:")


def test_size_cap():
    assert f"at most {MAX_CHARS}" in refused("a{}" * (MAX_CHARS // 3 + 1))
