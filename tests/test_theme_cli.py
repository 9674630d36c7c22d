"""`portal merchant set SLUG theme=… theme.<setting>=…`, `portal theme list`, `portal theme check`."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from portal.cli import main
from portal.store import queries
from portal.store.db import session_scope

THEMES = Path(__file__).resolve().parent.parent / "themes"


@pytest.fixture
def run(settings, monkeypatch):
    monkeypatch.setenv("PORTAL_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("PORTAL_SECRET_KEY", settings.secret_key)

    def invoke(*args: str):
        return CliRunner().invoke(main, list(args), catch_exceptions=False)
    return invoke


def stored(portal, slug="acme"):
    with session_scope(portal.engine) as session:
        return queries.merchant_by_slug(session, slug)


def test_set_theme_and_settings(run, factory, portal):
    factory.merchant("acme")
    result = run("merchant", "set", "acme", "theme=bold", "theme.tagline=Gear for the long way round",
                 "theme.hero_colour=#0B3D2E", "support_phone=+1 555 0100")
    assert result.exit_code == 0, result.output
    merchant = stored(portal)
    assert merchant.theme == "bold"
    assert merchant.theme_settings == {"tagline": "Gear for the long way round", "hero_colour": "#0b3d2e"}
    assert merchant.support_phone == "+1 555 0100"


@pytest.mark.parametrize("args, message", [
    (("theme=neon",), "'neon' is not an installed theme"),
    (("theme.accent_colour=#ffff00",), "accent_colour: #ffff00 has contrast"),
    (("theme.font=papyrus",), "font: 'papyrus' is not an available font"),
    (("theme.custom_css=.a{background:url(javascript:x)}",), "url(javascript:…) is not allowed"),
    (("theme.logo=/no/such/file.png",), "logo: cannot read '/no/such/file.png'"),
    (("theme=bold", "theme.corners=round"), "corners: this theme has no such setting"),
    (("support_url=ftp://x", "theme.font=humanist"), "support_url"),
])
def test_bad_values_exit_non_zero_and_change_nothing(run, factory, portal, args, message):
    factory.merchant("acme", theme_settings={"font": "system"})
    result = run("merchant", "set", "acme", *args)
    assert result.exit_code != 0
    assert message in result.output
    merchant = stored(portal)
    assert (merchant.theme, merchant.theme_settings, merchant.support_url) == ("classic", {"font": "system"}, None)


def test_logo_from_a_file(run, factory, portal, tmp_path):
    factory.merchant("acme")
    path = tmp_path / "logo.png"
    Image.new("RGBA", (300, 100), (10, 60, 200, 255)).save(path)
    assert run("merchant", "set", "acme", f"theme.logo={path}").exit_code == 0
    ref = stored(portal).theme_settings["logo"]
    assert ref.endswith(".png") and len(ref) == 68
    not_image = tmp_path / "logo.txt"
    not_image.write_text("hello")
    result = run("merchant", "set", "acme", f"theme.logo={not_image}")
    assert result.exit_code != 0 and "not an image we accept" in result.output
    assert stored(portal).theme_settings["logo"] == ref


def test_theme_list_and_check(run, tmp_path):
    listing = run("theme", "list")
    assert listing.exit_code == 0
    names = [line.split("\t")[0] for line in listing.output.splitlines()]
    assert {"classic", "minimal", "bold"} <= set(names)
    ok = run("theme", "check", str(THEMES / "bold"))
    assert ok.exit_code == 0 and ok.output.startswith("ok: bold v1:")
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "theme.toml").write_text('name = "bad"\n[settings.x]\ntype = "colour"\npalette = "accent"\ndefault = "red"\n')
    bad = run("theme", "check", str(tmp_path / "bad"))
    assert bad.exit_code == 1
    assert "default 'red' is not allowed" in bad.output
