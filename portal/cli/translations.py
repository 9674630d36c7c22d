"""`portal i18n`: the shipped catalogs (extract, update, compile, check) and a shop's own texts
(export, import)."""

from __future__ import annotations

from pathlib import Path

import click

from portal.cli.common import find_merchant, load_settings, open_engine


@click.group()
def i18n() -> None:
    """Translation catalogs: extract, update, compile, check (`make i18n` runs the first three)."""


@i18n.command("extract")
def i18n_extract() -> None:
    """Write locales/messages.pot from the sources (Python, base and theme templates)."""
    from portal.i18n import tooling

    changed = tooling.write_template()
    click.echo("locales/messages.pot " + ("updated" if changed else "unchanged"))


@i18n.command("update")
@click.option("--init", "new_locales", multiple=True, help="Also start a catalog for this locale (repeatable).")
def i18n_update(new_locales: tuple[str, ...]) -> None:
    """Merge messages.pot into every catalog: new strings arrive empty, removed ones go."""
    from portal.i18n import tooling

    paths = tooling.Paths()
    extra = [_locale_code(code) for code in new_locales]
    changed = tooling.update(paths, sorted(set(paths.shipped()) | set(extra)))
    click.echo(f"updated {', '.join(changed)}" if changed else "every catalog is up to date")


@i18n.command("compile")
def i18n_compile() -> None:
    """Compile every catalog to messages.mo (not committed; the build makes them)."""
    from portal.i18n import tooling

    locales = tooling.compile_all()
    click.echo(f"compiled {len(locales)} catalogs")


@i18n.command("check")
def i18n_check() -> None:
    """Fail unless every catalog is complete: no missing, empty or fuzzy entry, placeholders kept."""
    from portal.i18n import tooling

    report = tooling.check_all()
    bad = {locale: problems for locale, problems in report.items() if problems}
    for locale, problems in bad.items():
        for problem in problems:
            click.echo(f"{locale}: {problem}", err=True)
    if bad:
        raise click.ClickException(f"{len(bad)} of {len(report)} catalogs are incomplete")
    click.echo(f"{len(report)} catalogs complete")


@i18n.command("export")
@click.argument("slug")
@click.argument("locale")
@click.option("--csv", "as_csv", is_flag=True, help="CSV instead of .po.")
def i18n_export(slug: str, locale: str, as_csv: bool) -> None:
    """Print a merchant's texts for LOCALE (their overrides, else the shipped ones)."""
    from portal import i18n as portal_i18n
    from portal.i18n import overrides
    from portal.store.db import session_scope

    settings = load_settings()
    code = _locale_code(locale)
    catalogs = portal_i18n.Catalogs(settings.locales_dir)
    with session_scope(open_engine(settings)) as session:
        merchant = find_merchant(session, slug)
        if as_csv:
            click.echo(overrides.export_csv(session, merchant, code, settings.locales_dir, catalogs), nl=False)
        else:
            click.echo(overrides.export_po(session, merchant, code, settings.locales_dir, catalogs), nl=False)


@i18n.command("import")
@click.argument("slug")
@click.argument("locale")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def i18n_import(slug: str, locale: str, file: str) -> None:
    """Store a merchant's texts for LOCALE from a .po or .csv file: all of it, or nothing."""
    from pathlib import Path

    from portal import i18n as portal_i18n
    from portal.i18n import overrides
    from portal.i18n.merchant_texts import enable_locale
    from portal.store.db import session_scope

    settings = load_settings()
    code = _locale_code(locale)
    catalogs = portal_i18n.Catalogs(settings.locales_dir)
    try:
        with session_scope(open_engine(settings)) as session:
            merchant = find_merchant(session, slug)
            changed = overrides.import_file(session, merchant, code, file, Path(file).read_bytes(),
                                            settings.locales_dir, catalogs)
            if code not in catalogs.available():
                enable_locale(session, merchant, code)
    except overrides.OverrideError as exc:
        for problem in exc.problems:
            click.echo(problem, err=True)
        raise click.ClickException(f"nothing was imported ({len(exc.problems)} problems)") from None
    click.echo(f"{changed} texts changed for {slug} in {code}")


def _locale_code(value: str) -> str:
    from portal.i18n import normalise_locale

    code = normalise_locale(value)
    if code is None:
        raise click.BadParameter(f"{value!r} is not a locale Babel knows", param_hint="LOCALE")
    return code
