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


@pytest.mark.parametrize("css", [
    '.a { background: image-set("http://x.example/a.png" 1x) }',
    '.a { background: -webkit-image-set("http://x.example/a.png" 1x, "https://x.example/b.png" 2x) }',
    '.a { background: IMAGE-SET("//x.example/a.png" 1x) }',
    '.a { background: im\\61ge-set("http://x.example/a.png" 1x) }',
    '.a { background: image-set("a.png" 1x) }',
    '.a { background: cross-fade(src("http://x.example/a.png"), url(https://x.example/b.png)) }',
    '.a { background: -webkit-cross-fade("http://x.example/a.png", "https://x.example/b.png", 50%) }',
    '.a { background: src("http://x.example/a.png") }',
    '.a { background: image("http://x.example/a.png") }',
    '.a { list-style: image-set(url(http://x.example/a.png) 1x) }',
])
def test_every_function_that_loads_an_image_takes_https_only(css):
    assert "is not allowed; use an https:// address" in refused(css)


def test_https_image_functions_survive():
    css = '.a { background: image-set("https://cdn.example/a.png" 1x, url(/static/b.png) 2x) }'
    assert filter_css(css) == css


@pytest.mark.parametrize("css", [
    '.a { content: "\\3c /style\\3e \\3c script\\3e alert(1)" }',
    ".a { font-family: \\3c /style\\3e }",
    ".\\3c x { color: red }",
    ".a { --x: \\3c !important }",
    '.a { content: "\\2d\\2d\\3e" }',
])
def test_escapes_cannot_produce_markup(css):
    message = refused(css)
    assert "'<' and '-->' are not allowed" in message and message.startswith("line 1:")


def test_served_stylesheet_never_holds_markup_even_from_old_rows(client, factory):
    # Rows saved before today's rules: served with each rule checked again, failing rules left out.
    old = '.a{content:"</style><script>alert(1)</script>"}\n.b{color:red}\n' \
          '.c{background:image-set("http://x.example/a.png" 1x)}\n.d{margin:0}'
    factory.merchant("acme", theme_settings={"custom_css": old})
    served = client.get("/acme/theme.css")
    assert served.status_code == 200
    assert "<" not in served.text and "http://x.example" not in served.text
    assert ".b{color:red}" in served.text and ".d{margin:0}" in served.text


def test_problems_are_listed_in_the_order_of_their_lines():
    with pytest.raises(CustomCssError) as refused:
        filter_css(".a { color: red }\n.b { behavior: url(x.htc) }\n.c::after { content: '<' }")
    lines = [error.split(":")[0] for error in refused.value.errors]
    assert lines == sorted(lines, key=lambda where: int(where.split()[1])) and lines[0] == "line 2"
