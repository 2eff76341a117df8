"""``gateway calendar show|check``: the working calendar in force, and whether it is ready."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click

from gateway.calendar import (
    CalendarCheck,
    CalendarFile,
    DayInfo,
    YearView,
    check_calendar,
    default_calendar,
    describe_year,
    load_calendar_file,
    package_version,
)
from gateway.config import Settings

__all__ = ["calendar", "render_check", "render_year"]

_ORIGINS = {"package": "package", "package_estimated": "package, ESTIMATED"}


def _where(day: DayInfo, file_name: str) -> str:
    if day.origin != "file" or day.source is None:
        return _ORIGINS.get(day.origin, day.origin)
    return f"{file_name}: {day.source.cite()}"


def render_year(view: YearView, file_name: str) -> list[str]:
    """The lines of ``calendar show``: one per listed day, then the plain weekends."""
    lines = [
        f"{view.year}: {view.working_days} working days ({file_name} over the holidays "
        f"package {package_version()})"
    ]
    for day in view.days:
        state = "working" if day.working else "day off"
        lines.append(
            f"  {day.day.strftime('%a')} {day.day.isoformat()}  {state:<8} {day.name}"
            f"  [{_where(day, file_name)}]"
        )
        if day.note and day.origin == "file":
            lines.append(f"      note: {' '.join(day.note.split())}")
    lines.append(f"  and {view.weekend_days_off} Saturdays and Sundays off")
    return lines


def render_check(result: CalendarCheck, file_name: str) -> list[str]:
    """The lines of ``calendar check``: per year ready or not, problems, notices."""
    lines = []
    for year in result.years:
        state = "ready" if year.ok else "NOT READY"
        lines.append(f"{file_name}: {year.year} {state} ({len(year.entries)} entries)")
    lines += [f"error: {p}" for p in result.problems(file_name)]
    lines += [f"notice: {n}" for n in result.notices()]
    return lines


def _load(settings: Settings, file: Path | None) -> tuple[CalendarFile, str]:
    path = file or settings.calendar_file
    return load_calendar_file(path), path.name


@click.group()
def calendar() -> None:
    """The Uzbek working calendar every deadline counts on (calendar.yaml over the package)."""


@calendar.command()
@click.argument("year", type=click.IntRange(1992, 2100), required=False)
@click.option("--json", "as_json", is_flag=True, help="print the year as JSON")
@click.option(
    "--file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="the calendar file (default: GATEWAY_CALENDAR_FILE, calendar.yaml)",
)
@click.pass_obj
def show(settings: Settings, year: int | None, as_json: bool, file: Path | None) -> None:
    """Every day off and holiday of YEAR (default: this year) and every working weekend day,
    each with where it comes from: the package, the package's estimate, or the file and its
    legal source."""
    loaded, name = _load(settings, file)
    if year is None:
        now = datetime.now(UTC) + timedelta(seconds=settings.clock_offset_s)
        year = default_calendar().to_local(now).year
    view = describe_year(loaded, year)
    if as_json:
        click.echo(json.dumps(view.as_dict(), indent=2, ensure_ascii=False))
        return
    for line in render_year(view, name):
        click.echo(line)


@calendar.command()
@click.option(
    "--year",
    "years",
    type=click.IntRange(1992, 2100),
    multiple=True,
    help="check this year (repeatable); default: this year, and from 1 December the next",
)
@click.option("--json", "as_json", is_flag=True, help="print the result as JSON")
@click.option(
    "--file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="the calendar file (default: GATEWAY_CALENDAR_FILE, calendar.yaml)",
)
@click.pass_obj
def check(settings: Settings, years: tuple[int, ...], as_json: bool, file: Path | None) -> None:
    """Exit 1 when a year has dates the package only estimates and the file does not
    confirm, or no entry in the file (no decree recorded); the same rule as the metric
    gateway_calendar_incomplete."""
    loaded, name = _load(settings, file)
    now = datetime.now(UTC) + timedelta(seconds=settings.clock_offset_s)
    today = default_calendar().to_local(now).date()
    result = check_calendar(loaded, today, years or None)
    if as_json:
        click.echo(json.dumps(result.as_dict(), indent=2, ensure_ascii=False))
    else:
        for line in render_check(result, name):
            click.echo(line, err=line.startswith("error:"))
    if not result.ok:
        sys.exit(1)
