"""The `sheets` command line: options, output and exit codes; the work happens elsewhere.

Exit codes: 0 clean, 1 problems (or a blocked handout), 2 bad usage.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from .errors import Problem, SheetsError
from .languages import LANGUAGES, SOURCE_LANGUAGE, TRANSLATED

app = typer.Typer(
    help="Build source-checked, print-ready handouts about benefit data and immigration "
    "enforcement, one per state and language. No source, no print.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
catalog_app = typer.Typer(help="Translation catalogs (gettext .po) for translators.",
                          no_args_is_help=True)
app.add_typer(catalog_app, name="catalog")


class Format(StrEnum):
    text = "text"
    json = "json"


class Paper(StrEnum):
    letter = "letter"
    a4 = "a4"


RootOpt = Annotated[Path, typer.Option(
    "--root", help="Project folder (holds sheets/, translations/, templates/).",
    file_okay=False)]
StateOpt = Annotated[list[str] | None, typer.Option(
    "--state", "-s", help="Two-letter state code; repeat for several. Default: all states.")]
LangOpt = Annotated[list[str] | None, typer.Option(
    "--lang", "-l", help="Language code; repeat for several. Default: every configured one.")]
TodayOpt = Annotated[str | None, typer.Option(
    "--today", envvar="SHEETS_TODAY", metavar="YYYY-MM-DD",
    help="Check as of this date instead of the calendar's (re-check dates, future dates).")]


def _today(value: str | None) -> dt.date:
    if value is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)",
                                 param_hint="--today") from None


def _langs(values: list[str] | None) -> list[str]:
    if not values:
        return list(LANGUAGES)
    unknown = [v for v in values if v not in LANGUAGES]
    if unknown:
        raise typer.BadParameter(f"unknown language {', '.join(unknown)}; configured: "
                                 f"{', '.join(LANGUAGES)}", param_hint="--lang")
    return list(dict.fromkeys(values))


def _states(values: list[str] | None, all_states: bool = False) -> list[str] | None:
    if all_states or not values:
        return None
    bad = [v for v in values if not re.fullmatch(r"[A-Za-z]{2}", v)]
    if bad:
        raise typer.BadParameter(f"{', '.join(map(repr, bad))} is not a two-letter state code",
                                 param_hint="--state")
    return list(dict.fromkeys(v.upper() for v in values))


def _print_problems(problems: list[Problem]) -> None:
    seen = set()
    for problem in sorted(problems, key=lambda p: (p.path, p.line, p.rule, p.message)):
        text = problem.format()
        if text not in seen:
            seen.add(text)
            typer.echo(text, err=problem.severity == "error")


@contextmanager
def _progress_bar(disabled: bool) -> Iterator[tuple[Callable[[int], None],
                                                   Callable[[object], None]]]:
    """A progress bar on an interactive terminal; silent in CI, pipes and tests."""
    if disabled or not sys.stderr.isatty():
        yield (lambda _total: None), (lambda _target: None)
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("{task.fields[last]}"), transient=True) as bar:
        task = bar.add_task("rendering", total=0, last="")

        def planned(total: int) -> None:
            bar.update(task, total=total)

        def advance(target: object) -> None:
            bar.update(task, advance=1, last=getattr(target, "relpath", lambda: "")())

        yield planned, advance


def _fail(exc: SheetsError) -> typer.Exit:
    typer.echo(f"error: {exc}", err=True)
    return typer.Exit(1)


@app.command()
def check(
    state: StateOpt = None,
    lang: LangOpt = None,
    fmt: Annotated[Format, typer.Option("--format", help="text: one line per problem "
                                        "(path:line: error[rule]: message); json: a list.")]
    = Format.text,
    today: TodayOpt = None,
    root: RootOpt = Path("."),
) -> None:
    """Check content and translations; print every problem; exit 1 if any error."""
    from .check import check_project

    try:
        report = check_project(root, _states(state), _langs(lang), _today(today)).report
    except SheetsError as exc:
        raise _fail(exc) from exc
    if fmt is Format.json:
        unique = {p.format(): p.as_dict() for p in report.sorted()}
        typer.echo(json.dumps(list(unique.values()), indent=2, ensure_ascii=False))
    else:
        _print_problems(report.problems)
        errors, warnings = len(report.errors), len(report.warnings)
        typer.echo(f"{errors} error(s), {warnings} warning(s)", err=True)
    raise typer.Exit(1 if report.errors else 0)


@app.command()
def build(
    state: StateOpt = None,
    all_states: Annotated[bool, typer.Option("--all", help="Build every state.")] = False,
    lang: LangOpt = None,
    paper: Annotated[list[Paper] | None, typer.Option(
        "--paper", help="Paper size; repeat for both. Default: letter.")] = None,
    jobs: Annotated[int, typer.Option(
        "--jobs", "-j", min=1, help="Handouts rendered in parallel. Default: CPU count.")]
    = os.cpu_count() or 1,
    print_shop: Annotated[bool, typer.Option(
        "--print-shop", help="Add 0.125 in bleed and crop marks (files end in -printshop.pdf).")]
    = False,
    png: Annotated[bool, typer.Option(
        "--png", help="Also write page images under build/XX/preview/ (needs pdftoppm).")]
    = False,
    force: Annotated[bool, typer.Option(
        "--force", help="Rebuild every handout, even those whose inputs did not change.")]
    = False,
    quiet: Annotated[bool, typer.Option(
        "--quiet", "-q", help="Print only problems, blocked handouts and the summary.")] = False,
    fmt: Annotated[Format, typer.Option("--format", help="text, or json for CI.")]
    = Format.text,
    release: Annotated[bool, typer.Option(
        "--release", help="Refuse languages whose translation no qualified translator has "
        "reviewed yet (for handouts to be published).")] = False,
    today: TodayOpt = None,
    root: RootOpt = Path("."),
) -> None:
    """Check, then write one PDF per state × language × paper under build/.

    A handout that any error touches is blocked: it is not written, and an older copy of it is
    removed. Exit 1 if anything requested was blocked.
    """
    from .build import build_handouts

    if not state and not all_states:
        raise typer.BadParameter("name a state with --state XX, or use --all",
                                 param_hint="--state")
    papers = [p.value for p in paper] if paper else [Paper.letter.value]
    langs = _langs(lang)
    if release:
        unreviewed = [code for code in langs if not LANGUAGES[code].reviewed]
        if unreviewed:
            typer.echo(f"error: --release refuses unreviewed translations: "
                       f"{', '.join(unreviewed)} (record the review in languages.py, or "
                       "choose --lang)", err=True)
            raise typer.Exit(1)
    with _progress_bar(quiet or fmt is Format.json) as (planned, advance):
        try:
            result = build_handouts(root, _states(state, all_states), langs,
                                    list(dict.fromkeys(papers)), _today(today), jobs,
                                    print_shop, png, force, advance, planned)
        except SheetsError as exc:
            raise _fail(exc) from exc
    if fmt is Format.json:
        typer.echo(json.dumps({
            "problems": [p.as_dict() for p in result.report.sorted()],
            "outputs": [{"path": o.target.relpath(), "state": o.target.state,
                         "lang": o.target.lang, "paper": o.target.paper,
                         "status": "unchanged" if o.unchanged else "written" if o.written
                         else "blocked", "pages": o.pages, "type_step": o.fit,
                         "problems": len(o.blockers)} for o in result.outcomes]},
            indent=2, ensure_ascii=False))
        raise typer.Exit(0 if result.ok else 1)
    _print_problems(result.report.problems)
    counts = {"written": 0, "unchanged": 0, "blocked": 0}
    for outcome in result.outcomes:
        rel = outcome.target.relpath()
        if outcome.unchanged:
            counts["unchanged"] += 1
            if not quiet:
                typer.echo(f"unchanged {rel}")
        elif outcome.written:
            counts["written"] += 1
            smaller = f", type step {outcome.fit}" if outcome.fit else ""
            if not quiet:
                typer.echo(f"wrote   {rel} ({outcome.pages} pages{smaller})")
                for image in outcome.previews:
                    typer.echo(f"preview {image.relative_to(root)}")
        else:
            counts["blocked"] += 1
            why = f"{len(outcome.blockers)} problem(s)"
            extra = "; removed the older copy" if outcome.removed_stale else ""
            typer.echo(f"blocked {rel}: {why}{extra}", err=True)
    typer.echo(", ".join(f"{n} {label}" for label, n in counts.items()), err=True)
    raise typer.Exit(0 if result.ok else 1)


@app.command()
def doctor() -> None:
    """Report what this machine lacks: Pango, fonts per language, HarfBuzz subsetting."""
    from .doctor import diagnose

    missing_required = False
    for finding in diagnose():
        mark = "ok  " if finding.ok else ("MISS" if finding.required else "warn")
        typer.echo(f"{mark} {finding.name}: {finding.detail}")
        if not finding.ok:
            typer.echo(f"     fix: {finding.fix}")
            missing_required |= finding.required
    raise typer.Exit(1 if missing_required else 0)


@app.command()
def site(
    state: StateOpt = None,
    lang: LangOpt = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, help="Handouts at a time.")]
    = os.cpu_count() or 1,
    today: TodayOpt = None,
    root: RootOpt = Path("."),
) -> None:
    """Build the handouts (Letter and A4), then write build/site/: a home page, a page per state
    and language in that language with its PDFs and web edition, sources pages, a zip per state.

    Blocked editions say "being updated" on the site; why they are blocked is printed here.
    """
    from .build import build_handouts
    from .site import write_site

    try:
        langs = _langs(lang)
        result = build_handouts(root, _states(state), langs, ["letter", "a4"], _today(today),
                                jobs)
        index = write_site(result.project, result, langs)
    except SheetsError as exc:
        raise _fail(exc) from exc
    _print_problems([p for p in result.report.problems if p.severity == "error"])
    blocked = [o for o in result.outcomes if not o.written]
    for outcome in blocked:
        typer.echo(f"blocked {outcome.target.relpath()}: {len(outcome.blockers)} problem(s) "
                   "(the site says it is being updated)", err=True)
    typer.echo(f"wrote {index.relative_to(root)} ({len(result.outcomes) - len(blocked)} PDFs, "
               f"{len(blocked)} blocked)")


@app.command()
def serve(
    state: Annotated[str | None, typer.Option(
        "--state", "-s", help="State to preview. Default: the first one.")] = None,
    lang: Annotated[str | None, typer.Option(
        "--lang", "-l", help="Language to preview. Default: en.")] = None,
    host: Annotated[str, typer.Option(help="Address to listen on (loopback by default).")]
    = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port; 0 picks a free one.")]
    = 8000,
    today: TodayOpt = None,
    root: RootOpt = Path("."),
) -> None:
    """Live preview for editors: the web edition and a PDF of one handout, rebuilt on every
    save of a sheet, catalog or template; the browser reloads itself. Problems show on the page
    with their file and line. Ctrl-C stops it."""
    from .serve import Preview, run_server

    (code,) = _langs([lang]) if lang else [SOURCE_LANGUAGE]
    states = _states([state]) if state else None
    try:
        preview = Preview(root, states[0] if states else None, code, _today(today))
        server = run_server(preview, host, port)
    except SheetsError as exc:
        raise _fail(exc) from exc
    except OSError as exc:
        typer.echo(f"error: cannot listen on {host}:{port}: {exc.strerror or exc}", err=True)
        raise typer.Exit(1) from exc
    bound_host, bound_port = server.server_address[:2]
    address = f"http://{bound_host!s}:{bound_port}/"
    typer.echo(f"serving {preview.state} {preview.lang} at {address} (Ctrl-C stops)")
    typer.echo(preview.summary(), err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        preview.stop()


@app.command("verify-sources")
def verify_sources_command(
    state: StateOpt = None,
    timeout: Annotated[float, typer.Option(help="Seconds per request.")] = 15.0,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, help="Requests at a time.")] = 4,
    report: Annotated[Path, typer.Option(help="Where to write the JSON report.")]
    = Path("build/verify-sources.json"),
    update: Annotated[bool, typer.Option(
        "--update-accessed", help="Set `accessed` to today on sources whose every quote was "
        "found (edits only that line; comments are kept).")] = False,
    today: TodayOpt = None,
    root: RootOpt = Path("."),
) -> None:
    """Fetch every cited page (needs the internet) and check that each quote is still there.

    Never part of build or check. Exit 1 if a quote is not found or a page is unreachable.
    """
    from .loader import load_project
    from .verify import update_accessed, verify_sources, write_report

    try:
        project = load_project(root, _states(state))
    except SheetsError as exc:
        raise _fail(exc) from exc
    result = verify_sources(project, _states(state), timeout, jobs)
    for finding in result.findings:
        text = f"{finding.path}:{finding.line}: {finding.result}: {finding.claim} <{finding.url}>"
        if finding.detail:
            text += f" ({finding.detail})"
        typer.echo(text, err=finding.result in ("quote-not-found", "unreachable"))
        if finding.closest:
            typer.echo(f"    closest: {finding.closest[:200]}", err=True)
    write_report(result, root / report)
    typer.echo(f"report: {report}")
    if update:
        for source_id in update_accessed(project, result, _today(today)):
            typer.echo(f"accessed updated: {source_id}")
    raise typer.Exit(1 if result.failed else 0)


@app.command()
def schema(
    check_only: Annotated[bool, typer.Option(
        "--check", help="Write nothing; exit 1 if a schema is out of date.")] = False,
    root: RootOpt = Path("."),
) -> None:
    """Write JSON Schemas of the content files to schemas/ (for editors and CI)."""
    from .schemas import outdated_schemas, write_schemas

    if check_only:
        stale = outdated_schemas(root)
        for path in stale:
            typer.echo(f"{path.relative_to(root)}: out of date; run `sheets schema`")
        raise typer.Exit(1 if stale else 0)
    for path in write_schemas(root):
        typer.echo(f"wrote {path.relative_to(root)}")


@catalog_app.command("extract")
def catalog_extract(
    check_only: Annotated[bool, typer.Option(
        "--check", help="Write nothing; exit 1 if messages.pot is out of date.")] = False,
    root: RootOpt = Path("."),
) -> None:
    """Write translations/messages.pot from every sheet and template."""
    from .catalogs import extract_messages, pot_is_current, pot_path, write_catalog
    from .loader import load_project

    try:
        project = load_project(root)
        template = extract_messages(project)
    except SheetsError as exc:
        raise _fail(exc) from exc
    path = pot_path(root)
    if check_only:
        current = pot_is_current(root, template)
        typer.echo(f"{path.relative_to(root)}: {'up to date' if current else 'OUT OF DATE'}")
        raise typer.Exit(0 if current else 1)
    write_catalog(path, template)
    typer.echo(f"wrote {path.relative_to(root)} ({len(template)} messages)")


@catalog_app.command("init")
def catalog_init(
    lang: Annotated[str, typer.Argument(help="A language configured in languages.py.")],
    root: RootOpt = Path("."),
) -> None:
    """Create the catalog of a newly configured language from the current template."""
    from .catalogs import extract_messages, init_catalog
    from .loader import load_project

    (code,) = _langs([lang])
    if code == SOURCE_LANGUAGE:
        raise typer.BadParameter("English is the source language; it has no catalog")
    try:
        path = init_catalog(root, code, extract_messages(load_project(root)))
    except SheetsError as exc:
        raise _fail(exc) from exc
    typer.echo(f"created {path.relative_to(root)}")


@catalog_app.command("update")
def catalog_update(
    lang: LangOpt = None,
    check_only: Annotated[bool, typer.Option(
        "--check", help="Write nothing; exit 1 if any catalog is out of date (for CI).")] = False,
    root: RootOpt = Path("."),
) -> None:
    """Extract, then merge the template into each catalog (creating missing ones).

    Translations are never lost: a changed English string keeps its old translation, marked
    fuzzy with the previous English; strings no longer used are kept as obsolete (#~).
    """
    from .catalogs import extract_messages, outdated, plan_updates, update_catalogs
    from .loader import load_project

    langs = [code for code in _langs(lang) if code != SOURCE_LANGUAGE] if lang else TRANSLATED
    try:
        template = extract_messages(load_project(root))
        if check_only:
            stale = outdated(plan_updates(root, template, langs))
            for path in stale:
                typer.echo(f"{path.relative_to(root)}: out of date; run `sheets catalog update`")
            raise typer.Exit(1 if stale else 0)
        changed = update_catalogs(root, template, langs)
    except SheetsError as exc:
        raise _fail(exc) from exc
    for path in changed:
        typer.echo(f"updated {path.relative_to(root)}")
    if not changed:
        typer.echo("all catalogs up to date")


@catalog_app.command("stats")
def catalog_stats(
    lang: LangOpt = None,
    state: StateOpt = None,
    today: TodayOpt = None,
    root: RootOpt = Path("."),
) -> None:
    """Per language and state: translated, fuzzy and missing strings, and whether that
    handout can print now."""
    from .catalogs import count_entries, printed_messages
    from .check import check_project

    langs = [code for code in _langs(lang) if code != SOURCE_LANGUAGE]
    try:
        checked = check_project(root, _states(state), langs, _today(today))
        project, report, ui = checked.project, checked.report, checked.ui
        typer.echo(f"{'lang':<8} {'state':<5} {'translated':>10} {'fuzzy':>6} {'missing':>8}"
                   "  printable")
        for code in langs:
            catalog = checked.catalogs.get(code)
            for st in project.state_codes():
                counts = count_entries(catalog, printed_messages(project, st, ui))
                printable = "yes" if not report.blockers(st, code) else "NO"
                typer.echo(f"{code:<8} {st:<5} {counts.translated:>10} {counts.fuzzy:>6} "
                           f"{counts.missing:>8}  {printable}")
    except SheetsError as exc:
        raise _fail(exc) from exc


def main() -> None:
    # Typer maps click's usage errors to exit 2; our own errors are exit 1 (see _fail).
    os.environ.setdefault("PYTHONIOENCODING", "utf-8")
    app(prog_name="sheets")
    sys.exit(0)
