"""axe-core on every built-in theme, light and dark, lookup and order pages: zero violations."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.themed_shops import THEMES

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        targets = ", ".join(str(node["target"]) for node in violation["nodes"][:5])
        summary = violation["nodes"][0].get("failureSummary", "").replace("\n", " ")
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} -> {targets}; {summary}")
    return "\n".join(lines)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("theme", THEMES)
def test_axe_finds_no_violations(new_page, themed_shop, app, screenshot_dir, theme, scheme):
    assert AXE.exists(), f"{AXE} is missing: `make assets` installs axe-core from package.json"
    # The CSP allows no inline script, and axe is injected as one: this context alone bypasses it.
    page = new_page(color_scheme=scheme, bypass_csp=True)
    shop = themed_shop(theme)
    dark_bg = app.state.portal.themes.get(theme).palette["dark"]["bg"]
    for name in ("lookup", "order"):
        page.goto(getattr(shop, name))
        if scheme == "dark":
            background = page.evaluate("getComputedStyle(document.body).backgroundColor")
            assert "#" + "".join(f"{int(c):02x}" for c in background[4:-1].split(",")) == dark_bg
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
        assert result["violations"] == [], f"{theme} {scheme} {name}:\n" + describe(result["violations"])
        if scheme == "dark":
            (screenshot_dir / "themes").mkdir(exist_ok=True)
            page.screenshot(path=screenshot_dir / "themes" / f"{theme}-{name}-desktop-dark.png", full_page=True)


def test_the_scan_catches_what_it_should(new_page, themed_shop):
    """The harness itself: custom CSS that ruins contrast is reported (the built-ins really pass)."""
    shop = themed_shop("classic", custom_css="h1 { color: #d0d0d0 }")
    page = new_page(bypass_csp=True)
    page.goto(shop.lookup)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    assert [v["id"] for v in result["violations"]] == ["color-contrast"]
