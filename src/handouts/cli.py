"""The `sheets` command line: options, output and exit codes; the work happens elsewhere.

Exit codes: 0 clean, 1 problems (or a blocked handout), 2 bad usage. Translations merely
missing or fuzzy after an English change withhold their handouts and are summarized with the
next step, but exit 0 unless ``--require-translations`` (implied by ``--release``).
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
from typing import TYPE_CHECKING, Annotated

import typer

from .errors import Problem, SheetsError, shown
from .languages import SOURCE_LANGUAGE, languages_of

if TYPE_CHECKING:
    from .build import BuildResult, Outcome
    from .check import Report
    from .loader import Project

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
    "--today", metavar="YYYY-MM-DD",
    help="What if it were this date (re-check dates, future dates)? Another date than today's "
    "is a dry run: nothing under build/ is written or removed.")]


RequireOpt = Annotated[bool, typer.Option(
    "--require-translations", help="Missing or fuzzy translations are errors (exit 1) instead "
    "of withholding their handouts.")]
ReleaseOpt = Annotated[bool, typer.Option(
    "--release", help="For handouts to be published: every printed entry needs a matching "
    "review record (`sheets review`); implies --require-translations.")]


def _clock() -> dt.date:
    """Today: the calendar's, or ``SHEETS_TODAY`` (a CI run or a test pinned to one date)."""
    pinned = os.environ.get("SHEETS_TODAY", "").strip()
    if pinned:
        try:
            return dt.date.fromisoformat(pinned)
        except ValueError:
            raise typer.BadParameter(f"SHEETS_TODAY={pinned!r} is not a date (YYYY-MM-DD)"
                                     ) from None
    return dt.date.today()


def _today(value: str | None) -> dt.date:
    if value is None:
        return _clock()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)",
                                 param_hint="--today") from None


def _what_if(today: dt.date) -> bool:
    """A ``--today`` other than the real date is a what-if: it writes nothing under build/."""
    return today != _clock()


def _langs(values: list[str] | None, root: Path = Path(".")) -> list[str]:
    """The requested languages; by default every published one (drafts only on request)."""
    languages = languages_of(root)
    if not values:
        return languages.published
    unknown = [v for v in values if v not in languages.by_code]
    if unknown:
        raise typer.BadParameter(f"unknown language {', '.join(unknown)}; configured in "
                                 f"translations/languages.yaml: {', '.join(languages.by_code)}",
                                 param_hint="--lang")
    return list(dict.fromkeys(values))


def _states(values: list[str] | None, all_states: bool = False) -> list[str] | None:
    if all_states or not values:
        return None
    bad = [v for v in values if not re.fullmatch(r"[A-Za-z]{2}", v)]
    if bad:
        raise typer.BadParameter(f"{', '.join(map(repr, bad))} is not a two-letter state code",
                                 param_hint="--state")
    return list(dict.fromkeys(v.upper() for v in values))


def _print_problems(problems: list[Problem], report: Report | None = None) -> None:
    """One line per problem, each with its "fix:"; pending translations (see
    :meth:`Report.fails`) are left to :func:`_print_pending`'s summary."""
    from .hints import fix_for

    seen = set()
    # A draft state's problems are shown (its author needs them) though they do not fail.
    pending = ({p for p in report.pending if p.state not in report.draft_states}
               if report is not None else set())
    for problem in sorted(problems, key=lambda p: (p.path, p.line, p.rule, p.message)):
        if problem in pending:
            continue
        text = problem.format()
        if text not in seen:
            seen.add(text)
            typer.echo(text, err=problem.severity == "error")
            typer.echo(f"    fix: {fix_for(problem)}", err=problem.severity == "error")


def _print_pending(report: Report, states: list[str], langs: list[str]) -> None:
    from .summary import pending_summary

    for line in pending_summary(report, states, langs):
        typer.echo(line, err=True)


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
    typer.echo(f"error: {shown(exc, 2000)}", err=True)
    return typer.Exit(1)


def _write_failed(exc: OSError) -> typer.Exit:
    """A write refused by the system (read-only folder, full disk): one line, exit 1."""
    where = f" {shown(exc.filename)}" if exc.filename else ""
    typer.echo(f"error: cannot write{where}: {shown(exc.strerror or exc)}", err=True)
    return typer.Exit(1)


@app.command()
def check(
    state: StateOpt = None,
    lang: LangOpt = None,
    fmt: Annotated[Format, typer.Option("--format", help="text: one line per problem "
                                        "(path:line: error[rule]: message) and each "
                                        "handout's reading level; json: {problems: [...], "
                                        "reading_level: {state: ...}}.")]
    = Format.text,
    require_translations: RequireOpt = False,
    release: ReleaseOpt = False,
    list_rules: Annotated[bool, typer.Option(
        "--list-rules", help="Print every rule id with its meaning and what to do; check "
        "nothing.")] = False,
    today: TodayOpt = None,
    root: RootOpt = Path("."),
) -> None:
    """Check content and translations; print every problem with its fix; exit 1 if any error.

    Translations merely missing or fuzzy are summarized (their handouts are withheld) and do
    not fail, unless --require-translations or --release.
    """
    from .check import RULES, check_project, reading_levels
    from .hints import fix_for

    if list_rules:
        for rule, meaning in RULES.items():
            typer.echo(f"{rule}: {meaning}\n    fix: {fix_for(Problem('', 0, rule, ''))}")
        raise typer.Exit(0)
    day = _today(today)
    langs = _langs(lang, root)
    try:
        with _frozen_if(_what_if(day)):
            checked = check_project(root, _states(state), langs, day,
                                    require_translations=require_translations, release=release)
    except SheetsError as exc:
        raise _fail(exc) from exc
    report, levels = checked.report, reading_levels(checked.project)
    if fmt is Format.json:
        unique = {p.format(): {**p.as_dict(), "fix": fix_for(p), "fails": report.fails(p)}
                  for p in report.sorted()}
        typer.echo(json.dumps({
            "problems": list(unique.values()),
            "reading_level": {level.state: {"grade": level.grade, "claims": level.claims}
                              for level in levels},
        }, indent=2, ensure_ascii=False))
    else:
        _print_problems(report.problems, report)
        _print_pending(report, checked.project.state_codes(), langs)
        for level in levels:
            typer.echo(f"{level.state}: reading level grade {level.grade:.1f} "
                       f"(Flesch-Kincaid, {len(level.claims)} printed claims)", err=True)
        errors, warnings = len(report.errors), len(report.warnings)
        typer.echo(f"{errors} error(s), {warnings} warning(s)", err=True)
    raise typer.Exit(1 if report.errors else 0)


@contextmanager
def _frozen_if(what_if: bool) -> Iterator[None]:
    from . import memo

    if what_if:
        with memo.frozen():
            yield
    else:
        yield


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
    release: ReleaseOpt = False,
    require_translations: RequireOpt = False,
    today: TodayOpt = None,
    root: RootOpt = Path("."),
) -> None:
    """Check, then write one PDF per state × language × paper under build/.

    A handout that any error touches is blocked: it is not written, and an older copy of it is
    removed. Exit 1 on a content error; handouts withheld only for missing translations are
    listed and exit 0 (unless --require-translations or --release). With a --today other than
    the real date nothing is written or removed: it says what a build would do.
    """
    from .build import build_handouts

    if not state and not all_states:
        raise typer.BadParameter("name a state with --state XX, or use --all",
                                 param_hint="--state")
    papers = [p.value for p in paper] if paper else [Paper.letter.value]
    langs = _langs(lang, root)
    day = _today(today)
    what_if = _what_if(day)
    with _progress_bar(quiet or fmt is Format.json) as (planned, advance), _frozen_if(what_if):
        try:
            result = build_handouts(root, _states(state, all_states), langs,
                                    list(dict.fromkeys(papers)), day, jobs,
                                    print_shop, png, force, advance, planned, dry_run=what_if,
                                    require_translations=require_translations,
                                    release=release)
        except SheetsError as exc:
            raise _fail(exc) from exc
    if fmt is Format.json:
        typer.echo(json.dumps({
            "problems": [p.as_dict() for p in result.report.sorted()],
            "outputs": [{"path": o.target.relpath(), "state": o.target.state,
                         "lang": o.target.lang, "paper": o.target.paper,
                         "status": _status(result, o), "pages": o.pages, "type_step": o.fit,
                         "problems": len(o.blockers)} for o in result.outcomes]},
            indent=2, ensure_ascii=False))
        raise typer.Exit(0 if result.ok else 1)
    _print_problems(result.report.problems, result.report)
    if what_if:
        _print_dry_run(result, day, root)
        raise typer.Exit(0 if result.ok else 1)
    counts = {"written": 0, "unchanged": 0, "blocked": 0, "withheld": 0}
    for outcome in result.outcomes:
        rel = outcome.target.relpath()
        if outcome.blockers and result.withheld(outcome):
            counts["withheld"] += 1
            extra = "; removed the older copy" if outcome.removed_stale else ""
            typer.echo(f"withheld {rel}: translation pending{extra}", err=True)
        elif outcome.unchanged:
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
    _print_pending(result.report, sorted({o.target.state for o in result.outcomes}), langs)
    typer.echo(", ".join(f"{n} {label}" for label, n in counts.items()), err=True)
    raise typer.Exit(0 if result.ok else 1)


def _status(result: BuildResult, outcome: Outcome) -> str:
    if outcome.dry_run:
        return "would-write" if not outcome.blockers else (
            "would-withhold" if result.withheld(outcome) else "would-block")
    if outcome.unchanged:
        return "unchanged"
    if outcome.written:
        return "written"
    return "withheld" if result.withheld(outcome) else "blocked"


def _print_dry_run(result: BuildResult, day: dt.date, root: Path) -> None:
    """What a build on the real date would do with these inputs; nothing was touched."""
    typer.echo(f"what-if as of {day}: nothing under build/ was written or removed", err=True)
    for outcome in result.outcomes:
        rel = outcome.target.relpath()
        exists = (root / rel).exists()
        if not outcome.blockers:
            verb = "would keep " if outcome.unchanged else "would write"
        elif exists:
            verb = "would remove"
        else:
            verb = "would withhold" if result.withheld(outcome) else "would block"
        reason = f" ({outcome.blockers[0].rule})" if outcome.blockers else ""
        typer.echo(f"{verb} {rel}{reason}")


@app.command()
def doctor(root: RootOpt = Path(".")) -> None:
    """Report what this machine lacks: Pango, fonts per language, HarfBuzz subsetting."""
    from .doctor import diagnose

    missing_required = False
    for finding in diagnose(root):
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
    require_translations: RequireOpt = False,
    release: ReleaseOpt = False,
    today: TodayOpt = None,
    root: RootOpt = Path("."),
) -> None:
    """Build the handouts (Letter and A4), then write build/site/: a home page, a page per state
    and language in that language with its PDFs and web edition, sources pages, a zip per state.

    Blocked editions say "being updated" on the site; why they are blocked is printed here,
    and it exits 1 on a content error only (as `sheets build`).
    """
    from .build import build_handouts
    from .site import withheld_states, write_site

    day = _today(today)
    what_if = _what_if(day)
    try:
        langs = _langs(lang, root)
        with _frozen_if(what_if):
            # No replay: the site is written from the very snapshot its PDFs were made from.
            result = build_handouts(root, _states(state), langs, ["letter", "a4"], day, jobs,
                                    replay=False, dry_run=what_if,
                                    require_translations=require_translations,
                                    release=release)
        if what_if:
            _print_problems(result.report.problems, result.report)
            _print_dry_run(result, day, root)
            typer.echo("would write build/site/", err=True)
            raise typer.Exit(0 if result.ok else 1)
        index = write_site(result.project, result, langs)
    except SheetsError as exc:
        raise _fail(exc) from exc
    _print_problems(result.report.problems, result.report)
    withheld = [o for o in result.outcomes if result.withheld(o)]
    blocked = [o for o in result.outcomes if not o.written and not result.withheld(o)]
    for outcome in blocked:
        typer.echo(f"withheld {outcome.target.relpath()}: {len(outcome.blockers)} problem(s)",
                   err=True)
    for outcome in withheld:
        typer.echo(f"withheld {outcome.target.relpath()}: translation pending", err=True)
    for code in withheld_states(result.project, result):
        typer.echo(f"withheld {code}/sources.html: not published while its content is blocked",
                   err=True)
    _print_pending(result.report, result.project.state_codes(), langs)
    written = len(result.outcomes) - len(blocked) - len(withheld)
    held = f", {len(withheld)} withheld" if withheld else ""
    typer.echo(f"wrote {index.relative_to(root)} ({written} PDFs, {len(blocked)} blocked{held})")
    # As `sheets build`: exit 1 on a content error; handouts merely withheld for
    # translations still to do do not fail.
    raise typer.Exit(0 if result.ok else 1)


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
    unknown = [p for p in project.problems if p.rule == "unknown-state"]
    if unknown:
        _print_problems(unknown)
        raise typer.Exit(2)
    result = verify_sources(project, _states(state), timeout, jobs)
    for finding in result.findings:
        text = (f"{finding.path}:{finding.line}: {finding.result}: {finding.claim} "
                f"<{shown(finding.url, 120)}>")
        if finding.detail:
            text += f" ({shown(finding.detail)})"
        typer.echo(text, err=finding.result in ("quote-not-found", "unreachable"))
        if finding.closest:
            typer.echo(f"    closest: {shown(finding.closest)}", err=True)
    try:
        write_report(result, root / report)
    except OSError as exc:
        raise _write_failed(exc) from exc
    typer.echo(f"report: {report}")
    if update:
        try:
            updated = update_accessed(project, result, _today(today))
        except OSError as exc:
            raise _write_failed(exc) from exc
        for source_id in updated:
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
    try:
        written = write_schemas(root)
    except OSError as exc:
        raise _write_failed(exc) from exc
    for path in written:
        typer.echo(f"wrote {path.relative_to(root)}")


def _refuse_broken_content(problems: list[Problem]) -> None:
    """Catalogs are made from all the content or not at all (nothing is written)."""
    if problems:
        _print_problems(problems)
        typer.echo("error: the content does not load; fix the problems above (no catalog "
                   "was written)", err=True)
        raise typer.Exit(1)


@catalog_app.command("extract")
def catalog_extract(
    check_only: Annotated[bool, typer.Option(
        "--check", help="Write nothing; exit 1 if messages.pot is out of date.")] = False,
    root: RootOpt = Path("."),
) -> None:
    """Write translations/messages.pot from every sheet and template."""
    from .catalogs import (
        extract_messages,
        load_problems,
        pot_is_current,
        pot_path,
        write_catalog,
    )
    from .loader import load_project

    try:
        project = load_project(root)
        _refuse_broken_content(load_problems(project))
        template = extract_messages(project)
    except SheetsError as exc:
        raise _fail(exc) from exc
    path = pot_path(root)
    if check_only:
        current = pot_is_current(root, template)
        typer.echo(f"{path.relative_to(root)}: {'up to date' if current else 'OUT OF DATE'}")
        raise typer.Exit(0 if current else 1)
    try:
        write_catalog(path, template)
    except OSError as exc:
        raise _write_failed(exc) from exc
    typer.echo(f"wrote {path.relative_to(root)} ({len(template)} messages)")


@catalog_app.command("init")
def catalog_init(
    lang: Annotated[str, typer.Argument(
        help="A language configured in translations/languages.yaml.")],
    root: RootOpt = Path("."),
) -> None:
    """Create the catalog of a newly configured language from the current template."""
    from .catalogs import extract_messages, init_catalog
    from .loader import load_project

    (code,) = _langs([lang], root)
    if code == SOURCE_LANGUAGE:
        raise typer.BadParameter("English is the source language; it has no catalog")
    try:
        path = init_catalog(root, code, extract_messages(load_project(root)))
    except SheetsError as exc:
        raise _fail(exc) from exc
    except OSError as exc:
        raise _write_failed(exc) from exc
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
    Before merging, it records which English each current translation was made from
    (translations/<lang>/translated-from.yaml), so that clearing a fuzzy flag by hand cannot
    print a translation of outdated English. --check compares parsed catalogs: headers a
    gettext tool adds and re-wrapped lines pass; a different entry fails.
    """
    from .catalog_compare import differences_from
    from .catalogs import extract_messages, load_problems, plan_updates, update_catalogs
    from .loader import load_project
    from .provenance import record_all

    langs = ([code for code in _langs(lang, root) if code != SOURCE_LANGUAGE] if lang
             else languages_of(root).translated)
    try:
        project = load_project(root)
        _refuse_broken_content(load_problems(project))
        template = extract_messages(project)
        if check_only:
            stale = differences_from(root, plan_updates(root, template, langs))
            for path, why in stale.items():
                typer.echo(f"{path.relative_to(root)}: out of date ({why}); "
                           "run `sheets catalog update`")
            raise typer.Exit(1 if stale else 0)
        recorded = record_all(root, langs)
        changed = update_catalogs(root, template, langs)
    except SheetsError as exc:
        raise _fail(exc) from exc
    except OSError as exc:
        raise _write_failed(exc) from exc
    for path in recorded:
        typer.echo(f"recorded {path.relative_to(root)}")
    for path in changed:
        typer.echo(f"updated {path.relative_to(root)}")
    if not changed:
        typer.echo("all catalogs up to date")


@catalog_app.command("lock")
def catalog_lock(
    lang: LangOpt = None,
    root: RootOpt = Path("."),
) -> None:
    """Record the current translation of the "not yet reviewed" notice (the last step of a
    qualified translator's review): until recorded again, a changed one blocks its language."""
    from .catalogs import lock_translations

    langs = ([code for code in _langs(lang, root) if code != SOURCE_LANGUAGE] if lang
             else languages_of(root).translated)
    try:
        changed = lock_translations(root, langs)
    except SheetsError as exc:
        raise _fail(exc) from exc
    except OSError as exc:
        raise _write_failed(exc) from exc
    typer.echo(f"recorded: {', '.join(changed)}" if changed else "nothing to record")


@catalog_app.command("stats")
def catalog_stats(
    lang: LangOpt = None,
    state: StateOpt = None,
    today: TodayOpt = None,
    root: RootOpt = Path("."),
) -> None:
    """Per language and state: translated, fuzzy and missing strings; reviewed (a review
    record approves the exact text), unreviewed (no record) and outdated (a record whose
    English or translation has changed since); whether that handout can print now."""
    from .catalogs import count_entries, printed_messages
    from .check import check_project
    from .reviews import count_reviews, handout_entries, read_reviews

    langs = [code for code in _langs(lang, root) if code != SOURCE_LANGUAGE]
    day = _today(today)
    try:
        with _frozen_if(_what_if(day)):
            checked = check_project(root, _states(state), langs, day)
        project, report, ui = checked.project, checked.report, checked.ui
        typer.echo(f"{'lang':<8} {'state':<5} {'translated':>10} {'fuzzy':>6} {'missing':>8}"
                   f" {'reviewed':>9} {'unreviewed':>10} {'outdated':>8}  printable")
        for code in langs:
            catalog = checked.catalogs.get(code)
            reviews = read_reviews(root, code)
            for st in project.state_codes():
                counts = count_entries(catalog, printed_messages(project, st, ui))
                done = count_reviews(reviews, handout_entries(project, st, ui, catalog))
                blockers = report.blockers(st, code)
                printable = ("yes" if not blockers else
                             "withheld" if not any(report.fails(p) for p in blockers) else "NO")
                typer.echo(f"{code:<8} {st:<5} {counts.translated:>10} {counts.fuzzy:>6} "
                           f"{counts.missing:>8} {done.reviewed:>9} {done.unreviewed:>10} "
                           f"{done.outdated:>8}  {printable}")
        _echo_reading_levels(project)
    except SheetsError as exc:
        raise _fail(exc) from exc


def _echo_reading_levels(project: Project) -> None:
    """The English's Flesch-Kincaid grade per handout, and its hardest claims."""
    from .check import reading_levels
    from .readability import MAX_CLAIM_GRADE

    typer.echo(f"\n{'state':<5} {'grade':>5}  claims above grade {MAX_CLAIM_GRADE:g}")
    for level in reading_levels(project):
        hard = [f"{key} {value:.1f}" for key, value in
                sorted(level.claims.items(), key=lambda item: -item[1])
                if value > MAX_CLAIM_GRADE]
        typer.echo(f"{level.state:<5} {level.grade:>5.1f}  {', '.join(hard) or '-'}")
@app.command()
def review(
    lang: Annotated[str, typer.Option("--lang", "-l", help="The language reviewed.")],
    reviewer: Annotated[str, typer.Option(
        "--reviewer", help='Who reviewed, as "Name <email>": a qualified human translator.')],
    state: StateOpt = None,
    entry: Annotated[list[str] | None, typer.Option(
        "--entry", help="Only this entry (its context, e.g. CO/claim-id, or a template "
        "string's English); repeat for several.")] = None,
    yes: Annotated[bool, typer.Option(
        "--yes", "-y", help="Record without asking (needed when not on a terminal).")] = False,
    root: RootOpt = Path("."),
) -> None:
    """Record that a qualified translator approved entries of a catalog, bound to their exact
    English and translation (translations/<lang>/reviews.yaml).

    Shows what it is about to approve first. Only translated, current entries without errors
    can be approved; any later edit of the English or the translation voids the record.
    """
    from .check import check_project
    from .reviews import check_reviewer, plan_review, record_review

    (code,) = _langs([lang], root)
    if code == SOURCE_LANGUAGE:
        raise typer.BadParameter("English is the original; it needs no review", param_hint="--lang")
    try:
        who = check_reviewer(reviewer)
        checked = check_project(root, _states(state), [code], _clock())
        plan = plan_review(checked, code, entry or [])
    except SheetsError as exc:
        raise _fail(exc) from exc
    for line in plan.refused:
        typer.echo(f"not approvable: {line}", err=True)
    if not plan.approve:
        typer.echo(f"nothing to approve in {code} ({plan.already} already approved)", err=True)
        raise typer.Exit(1 if plan.refused else 0)
    typer.echo(f"about to record {who}'s approval of {len(plan.approve)} {code} entr"
               f"{'y' if len(plan.approve) == 1 else 'ies'} ({plan.already} already approved):")
    for candidate in plan.approve:
        typer.echo(f"  {candidate.label}: {candidate.english_start} → "
                   f"{candidate.translation_start}")
    if not yes:
        if not sys.stdin.isatty():
            typer.echo("error: not on a terminal; add --yes to record these approvals", err=True)
            raise typer.Exit(1)
        if not typer.confirm("Record these approvals?", default=False):
            raise typer.Exit(1)
    try:
        path = record_review(root, code, plan, who, _clock())
    except SheetsError as exc:
        raise _fail(exc) from exc
    typer.echo(f"recorded {len(plan.approve)} approval(s) in {path.relative_to(root)}")


@app.command()
def due(
    within: Annotated[str, typer.Option(
        "--within", help="How far ahead: days (60d) or weeks (8w).")] = "60d",
    state: StateOpt = None,
    today: TodayOpt = None,
    root: RootOpt = Path("."),
) -> None:
    """List the claims whose re-check date falls within --within (overdue ones first), with
    their sources' addresses to re-read. Writes nothing."""
    from .freshness import list_due, parse_within
    from .loader import load_project

    try:
        days = parse_within(within)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--within") from None
    day = _today(today)
    try:
        found = list_due(load_project(root, _states(state)), day, days)
    except SheetsError as exc:
        raise _fail(exc) from exc
    for item in found:
        left = (item.claim.due - day).days
        when = f"overdue by {-left} day(s)" if left < 0 else f"in {left} day(s)"
        typer.echo(f"{item.claim.due}  {item.claim.key} ({when}; printed in "
                   f"{', '.join(item.states) or 'no handout'}) "
                   f"{item.claim.path}:{item.claim.line_of('checked')}")
        for url in item.urls:
            typer.echo(f"    {url}")
    typer.echo(f"{len(found)} claim(s) due by {day + dt.timedelta(days=days)}", err=True)


def main() -> None:
    # Typer maps click's usage errors to exit 2; our own errors are exit 1 (see _fail).
    os.environ.setdefault("PYTHONIOENCODING", "utf-8")
    app(prog_name="sheets")
    sys.exit(0)
