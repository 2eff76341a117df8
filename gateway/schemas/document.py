"""The parts of ``docs/wire-format.md`` that are facts of the code, generated from it.

The fingerprint catalogue, the message types and their versions, and the reason codes are
written between marker comments::

    <!-- generated:fingerprints -->
    ...
    <!-- end generated -->

by ``gateway schemas doc``; ``gateway schemas doc --check`` (and a unit test) fail when the
document and the code differ, so another implementation built from the document sees the
schemas the gateway really writes. Everything outside the markers is prose and is left alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from gateway.reasons import Reason
from gateway.schemas.exceptions import SchemaFileError
from gateway.schemas.registry import SchemaRegistry

__all__ = ["SECTIONS", "render_document", "stale_sections"]

_END = "<!-- end generated -->"
_BLOCK = re.compile(
    r"(<!-- generated:(?P<name>[a-z-]+) -->\n)(?P<body>.*?)(" + re.escape(_END) + ")",
    re.DOTALL,
)
# types whose body carries a signed sender and sent_at (the rest are the gateway's own)
_SENDER_TYPES = frozenset({"Request", "Response", "Refusal", "Cancellation"})


def _fingerprints(registry: SchemaRegistry) -> str:
    lines = [
        f"{name:<14} v{version}  {registry.fingerprint(name, version).hex()}"
        for name in registry.names()
        for version in registry.versions(name)
    ]
    lines = ["```", *lines, "```"]
    return "\n".join(lines)


def _types(registry: SchemaRegistry) -> str:
    lines = [
        "| type | versions | written (newest) | fingerprint written | signed by | where |",
        "|---|---|---|---|---|---|",
    ]
    for name in registry.names():
        versions = registry.versions(name)
        newest = registry.latest_version(name)
        if name == "Envelope":
            signer, where = "—", "every record value except those of bare records (below)"
        elif name in _SENDER_TYPES:
            signer, where = "the sending body", "envelope body: outbox, inbox, adapter topics"
        elif name == "Rejection":
            signer = "the gateway (inbox copy); unsigned on `exchange.rejected`"
            where = "envelope body in the signer's inbox; bare record on `exchange.rejected`"
        elif name == "StatsReport":
            signer = "unsigned"
            where = "bare record (single-object) on the statistics adapter's topic"
        else:
            signer, where = "the gateway", "envelope body: inbox, `exchange.events`"
        lines.append(
            f"| `{name}` | {', '.join(f'v{v}' for v in versions)} | v{newest} | "
            f"`{registry.fingerprint(name).hex()}` | {signer} | {where} |"
        )
    return "\n".join(lines)


def _reasons(registry: SchemaRegistry) -> str:
    enum_since: dict[str, int] = {}
    for version in registry.versions("Rejection"):
        item = registry.schema("Rejection", version)
        enum = item.named.get("uz.gov.exchange.ReasonCode")
        symbols = enum["symbols"] if isinstance(enum, Mapping) else []
        for symbol in symbols:
            enum_since.setdefault(symbol, version)
    lines = [
        "| index | code | in `ReasonCode` since |",
        "|---|---|---|",
    ]
    for index, reason in enumerate(Reason):
        since = enum_since.get(reason.value)
        shown = f"Rejection v{since}" if since is not None else "not yet in the enum"
        lines.append(f"| {index} | `{reason.value}` | {shown} |")
    return "\n".join(lines)


SECTIONS: Mapping[str, Callable[[SchemaRegistry], str]] = {
    "fingerprints": _fingerprints,
    "types": _types,
    "reasons": _reasons,
}


def render_document(
    text: str, registry: SchemaRegistry, *, file: str = "docs/wire-format.md"
) -> str:
    """``text`` with every generated section replaced by what the code says today.

    Raises :class:`SchemaFileError` for a marker naming no known section, or when a known
    section has no marker (the document would silently stop being checked).
    """
    seen: set[str] = set()

    def replace(match: re.Match[str]) -> str:
        name = match["name"]
        build = SECTIONS.get(name)
        if build is None:
            raise SchemaFileError(
                f"unknown generated section {name!r}; known: {', '.join(SECTIONS)}",
                file=file,
                line=text.count("\n", 0, match.start()) + 1,
            )
        seen.add(name)
        return f"{match[1]}{build(registry)}\n{_END}"

    rendered = _BLOCK.sub(replace, text)
    missing = set(SECTIONS) - seen
    if missing:
        raise SchemaFileError(
            f"the document has no generated section {', '.join(sorted(missing))}",
            file=file,
            line=None,
        )
    return rendered


def stale_sections(
    text: str, registry: SchemaRegistry, *, file: str = "docs/wire-format.md"
) -> list[str]:
    """The names of the generated sections whose text differs from the code's; [] if none."""
    current = {m["name"]: m["body"] for m in _BLOCK.finditer(text)}
    rendered = render_document(text, registry, file=file)
    fresh = {m["name"]: m["body"] for m in _BLOCK.finditer(rendered)}
    return [name for name in SECTIONS if current.get(name) != fresh.get(name)]
