"""Loading and validating ``calendar.yaml``; every error names the file, the line and the fix.

Example::

    version: 1
    days:
      - date: 2026-05-28
        kind: day_off                    # or working_day
        source:
          act: Presidential resolution   # the kind of act
          number: PQ-194                 # or tbc (to be confirmed)
          date: 2026-05-20               # the act's date, or tbc
          url: https://lex.uz/uz/docs/-8212928   # required while number or date is tbc
        note: "Qurbon hayit: additional day off"
      - date: 2027-03-10
        kind: day_off
        moved_from: 2027-03-09           # the package's estimated Eid al-Fitr: an ordinary day
        source: {act: Presidential resolution, number: tbc, date: tbc, url: https://lex.uz/...}

Refused, each at its line: an unknown key, a date that is not YYYY-MM-DD or does not exist, a
date listed twice (so never both a day off and a working day), a missing or incomplete source,
a ``moved_from`` on a working day or on a date the file also lists.
"""

from __future__ import annotations

import contextlib
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, get_args

from gateway.calendar.entries import CalendarEntry, CalendarFile, DayKind, LegalSource
from gateway.specfile import LinedDict, LinedList, SpecReader, line_of, load_spec

__all__ = ["TBC", "load_calendar_file"]

TBC = "tbc"
"""What the file writes for an act's number or date that is not confirmed yet."""

_TOP_KEYS = {"version", "days"}
_ENTRY_KEYS = {"date", "kind", "source", "note", "moved_from"}
_SOURCE_KEYS = {"act", "number", "date", "url"}
_KINDS: tuple[str, ...] = get_args(DayKind)
_MOVE_LIMIT = timedelta(days=7)  # an Eid is corrected by a day or two, never by weeks


def load_calendar_file(path: Path) -> CalendarFile:
    """Read and validate a calendar file; raises ``SpecError`` with file:line and a fix.

    Called at start (a bad file stops the worker) and by the reload timer (a bad file is
    reported and the last good calendar stays in force).
    """
    r = SpecReader(path)
    root = load_spec(path)
    if not isinstance(root, LinedDict):
        raise r.fail("the file must be a mapping with `version` and `days`", root)
    r.unknown(root, _TOP_KEYS)
    if root.get("version") != 1:
        raise r.fail("version must be 1", root, "version", hint="put `version: 1` at the top")
    days = root.get("days")  # `days:` with every entry commented out is an empty list
    items = r.seq(LinedList() if days is None else days, "days", root, "days")
    entries: list[CalendarEntry] = []
    seen: dict[date, int | None] = {}
    for i, item in enumerate(items):
        data = r.mapping(item, "a day (date, kind, source)", items, i)
        entry = _entry(r, data)
        for day, key in ((entry.day, "date"), (entry.moved_from, "moved_from")):
            if day is None:
                continue
            if day in seen:
                raise r.fail(
                    f"{day.isoformat()} is already listed at line {seen[day]}; a date is "
                    "either a day off or a working day, once",
                    data,
                    key,
                    entry=day.isoformat(),
                    hint="keep one entry per date",
                )
            seen[day] = line_of(data, key)
        entries.append(entry)
    return CalendarFile(tuple(sorted(entries, key=lambda e: e.day)), path=path)


def _entry(r: SpecReader, data: LinedDict) -> CalendarEntry:
    raw = data.get("date")
    entry = str(raw) if raw is not None else None
    r.unknown(data, _ENTRY_KEYS, entry)
    for key in ("date", "kind", "source"):
        if key not in data:
            raise r.fail(
                f"missing key {key!r}",
                data,
                entry=entry,
                hint=_MISSING_HINTS[key],
            )
    day = _date(r, data, "date", entry)
    kind = data["kind"]
    if kind not in _KINDS:
        raise r.fail(
            f"kind must be day_off or working_day, not {kind!r}",
            data,
            "kind",
            entry=entry,
        )
    note = data.get("note")
    if note is not None and (not isinstance(note, str) or not note.strip()):
        raise r.fail("note must be a non-empty text", data, "note", entry=entry)
    moved_from = _moved_from(r, data, day, kind, entry)
    return CalendarEntry(
        day=day,
        kind=kind,
        source=_source(r, data, entry),
        note=note,
        moved_from=moved_from,
        line=line_of(data),
    )


_MISSING_HINTS = {
    "date": "add `date: YYYY-MM-DD`",
    "kind": "add `kind: day_off` or `kind: working_day`",
    "source": "add the legal act that sets the day: `source: {act: ..., number: ..., date: "
    "YYYY-MM-DD}` (number or date `tbc` with a url while not confirmed)",
}


def _date(r: SpecReader, data: LinedDict, key: str, entry: str | None) -> date:
    value = data[key]
    if isinstance(value, str):
        with contextlib.suppress(ValueError):  # not a date: refused just below, with its line
            value = date.fromisoformat(value)
    if isinstance(value, datetime) or not isinstance(value, date):
        raise r.fail(
            f"{key} must be a date YYYY-MM-DD, not {value!r}",
            data,
            key,
            entry=entry,
            hint="write the date without a time of day, e.g. 2026-05-28",
        )
    return value


def _moved_from(
    r: SpecReader, data: LinedDict, day: date, kind: str, entry: str | None
) -> date | None:
    if "moved_from" not in data:
        return None
    if kind != "day_off":
        raise r.fail(
            "moved_from belongs to a day off (the day a holiday moved to)",
            data,
            "moved_from",
            entry=entry,
            hint="put moved_from on the new date of the holiday, with kind: day_off",
        )
    moved = _date(r, data, "moved_from", entry)
    if moved == day or abs(moved - day) > _MOVE_LIMIT:
        raise r.fail(
            f"moved_from {moved.isoformat()} must be another date within a week of "
            f"{day.isoformat()}",
            data,
            "moved_from",
            entry=entry,
            hint="moved_from is the estimated date of the holiday, as `gateway calendar show` "
            "lists it",
        )
    return moved


def _source(r: SpecReader, data: LinedDict, entry: str | None) -> LegalSource:
    source = r.mapping(data["source"], "source (act, number, date)", data, "source")
    r.unknown(source, _SOURCE_KEYS, entry)
    for key in ("act", "number", "date"):
        if key not in source:
            raise r.fail(
                f"the source lacks {key!r}",
                source,
                entry=entry,
                hint="name the act, its number and its date; write `tbc` for a number or "
                "date not confirmed yet (and give its url)",
            )
    act = source["act"]
    if not isinstance(act, str) or not act.strip():
        raise r.fail(
            "act must name the kind of act, e.g. Presidential decree",
            source,
            "act",
            entry=entry,
        )
    number = _number(r, source, entry)
    signed = None if source["date"] == TBC else _date(r, source, "date", entry)
    url = source.get("url")
    if url is not None and (
        not isinstance(url, str) or not url.startswith(("https://", "http://"))
    ):
        raise r.fail("url must be an http(s) address", source, "url", entry=entry)
    if (number is None or signed is None) and url is None:
        raise r.fail(
            "a source whose number or date is `tbc` needs a url, so it can be found",
            source,
            entry=entry,
            hint="add `url:` with the act's address (lex.uz)",
        )
    return LegalSource(act=act.strip(), number=number, signed=signed, url=url)


def _number(r: SpecReader, source: LinedDict, entry: str | None) -> str | None:
    value: Any = source["number"]
    if value == TBC:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int) or not str(value).strip():
        raise r.fail(
            f"number must be the act's number (e.g. PQ-194) or tbc, not {value!r}",
            source,
            "number",
            entry=entry,
        )
    return str(value).strip()
