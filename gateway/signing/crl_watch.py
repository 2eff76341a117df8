"""Reloading CRLs while the process runs, and the fail-closed rule for a CRL out of date.

A :class:`CrlWatch` owns the CRL files of one :class:`~gateway.signing.Verifier`. Every
:meth:`CrlWatch.check` (the worker calls it every ``GATEWAY_CRL_CHECK_S`` from a thread, off
the event loop) stats the files; a file whose inode, size or modification time changed is
read, parsed, verified against the verifier's trust store and, when it is good, the verifier
gets a new :class:`~gateway.signing.RevocationSet` (:meth:`Verifier.replace_revocations`).
Every ``reload_s`` the files are read even when their stat is unchanged, and compared by
SHA-256, for file systems whose timestamps miss a rewrite. Nothing is parsed when nothing
changed, and the per-message path never touches a file.

A file that cannot be read, does not parse, is not signed by a trusted CA, or carries a lower
CRL number than the one in force (an older CRL copied over a newer one) is refused: the last
good CRL of that file stays in force, the failure is logged once (``crl_reload_failed``) and
shown in :meth:`CrlWatch.state` (readiness warning ``crl_invalid``). Only :meth:`load`, at
start-up, raises instead: a process must not start on a CRL it cannot read.

**Fail closed.** When the earliest ``nextUpdate`` of the CRLs in force plus the ``grace`` is
past, the state is ``expired``: the CA may have revoked certificates since, and we cannot know
which. With ``fail_closed`` (the default) :attr:`CrlState.holds` is then true and the caller
must not accept signed input (the worker holds intake, the agency client raises
:class:`~gateway.exceptions.CrlExpiredError`) until a check loads a CRL whose nextUpdate is
ahead. The decision needs no I/O (:meth:`CrlWatch.holds` compares two datetimes), so it is
taken per batch, at the exact time, not only at the next check.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path

import structlog
from cryptography import x509

from gateway.exceptions import ConfigError
from gateway.signing.certificates import crl_file_paths, parse_crl, read_file
from gateway.signing.trust import RevocationSet
from gateway.signing.verifier import Clock, Verifier, utc_now

__all__ = ["CrlFailure", "CrlPolicy", "CrlState", "CrlWatch"]

log = structlog.get_logger(__name__)

_Stamp = tuple[int, int, int, int]  # st_dev, st_ino, st_size, st_mtime_ns


@dataclasses.dataclass(frozen=True, slots=True)
class CrlPolicy:
    """How often CRLs are looked at, and what an out-of-date CRL means.

    ``check_s``: how often :meth:`CrlWatch.due` says a check is due (files are stat-ed);
    ``reload_s``: the longest time between two full reads of every file; ``fail_closed``:
    refuse signed input while the CRLs are expired; ``grace``: how long after nextUpdate a
    CRL still counts as in date (a CA publishing a little late).
    """

    check_s: float = 5.0
    reload_s: float = 300.0
    fail_closed: bool = True
    grace: timedelta = timedelta(0)

    def __post_init__(self) -> None:
        if self.check_s <= 0 or self.reload_s <= 0:
            raise ValueError("check_s and reload_s must be positive.")
        if self.grace < timedelta(0):
            raise ValueError("grace must not be negative.")


@dataclasses.dataclass(frozen=True, slots=True)
class CrlFailure:
    """A CRL file that could not be (re)loaded; its last good copy, if any, stays in force."""

    path: str
    problem: str  # the error's sentence: the file, what is wrong (never message data)
    in_force: bool  # whether an earlier good copy of this file is still used


@dataclasses.dataclass(frozen=True, slots=True)
class CrlState:
    """What the CRLs in force say at ``at``: for readiness, metrics and the intake gate."""

    at: datetime
    files: int
    revoked: int
    next_update: datetime | None  # the earliest nextUpdate in force (None: no CRL has one)
    next_update_file: str | None
    expired: bool  # ``at`` is past next_update + grace
    fail_closed: bool
    grace: timedelta
    failures: tuple[CrlFailure, ...]

    @property
    def holds(self) -> bool:
        """Whether signed input must wait: the CRLs are expired and the policy fails closed."""
        return self.expired and self.fail_closed

    @property
    def warnings(self) -> tuple[str, ...]:
        """Problems that do not stop the process: ``crl_expired`` when failing open, and
        ``crl_invalid`` while a file is refused (its last good copy in force)."""
        found: list[str] = []
        if self.expired and not self.fail_closed:
            found.append("crl_expired")
        if self.failures:
            found.append("crl_invalid")
        return tuple(found)


@dataclasses.dataclass(frozen=True, slots=True)
class _Loaded:
    """One file's CRL in force, with what identifies the bytes it was read from."""

    crl: x509.CertificateRevocationList
    stamp: _Stamp
    digest: bytes

    @property
    def number(self) -> int | None:
        try:
            return self.crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number
        except x509.ExtensionNotFound:
            return None


@dataclasses.dataclass(frozen=True, slots=True)
class _Snapshot:
    """Everything :meth:`CrlWatch.state` needs, swapped in one assignment after a check."""

    files: int = 0
    revoked: int = 0
    next_update: datetime | None = None
    next_update_file: str | None = None
    failures: tuple[CrlFailure, ...] = ()


class CrlWatch:
    """Keeps a verifier's revocation set in step with its CRL files (see the module's doc).

    ``clock`` is the wall clock that decides expiry (the worker's own); ``monotonic`` times
    the checks. Both are parameters so tests drive them. :meth:`check` and :meth:`load` do
    file I/O and run in a thread in async code; :meth:`state`, :meth:`holds` and :meth:`due`
    never touch a file and are safe on the event loop.
    """

    def __init__(
        self,
        verifier: Verifier,
        paths: Iterable[Path | str],
        *,
        policy: CrlPolicy | None = None,
        clock: Clock = utc_now,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.verifier = verifier
        self.paths = tuple(Path(p) for p in paths)
        self.policy = policy or CrlPolicy()
        self._clock = clock
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._loaded: dict[str, _Loaded] = {}
        self._refused: dict[str, tuple[_Stamp | None, str]] = {}  # path -> (stamp, problem)
        self._snapshot = _Snapshot()
        self._last_check: float | None = None
        self._last_full: float | None = None
        self._was_expired = False
        self._revoked = 0

    # --- loading ----------------------------------------------------------------------------
    def load(self) -> CrlState:
        """Read every CRL now (at start-up); raise ConfigError naming a file that fails.

        An expired CRL loads (it is the newest there is); the state says it is expired.
        """
        state = self.check(force=True)
        if state.failures:
            first = state.failures[0]
            raise ConfigError(
                first.problem,
                field=first.path,
                hint="Fix or replace the CRL file (GATEWAY_CRL_FILES), then start again.",
            )
        return state

    def due(self) -> bool:
        """Whether ``check_s`` has passed since the last check (or none was made)."""
        last = self._last_check
        return last is None or self._monotonic() - last >= self.policy.check_s

    def check(self, *, force: bool = False) -> CrlState:
        """Reload the CRL files that changed; never raises for a bad file (see the module).

        ``force`` reads every file whatever its stat, as does the periodic full read.
        """
        with self._lock:
            started = self._monotonic()
            full = (
                force
                or self._last_full is None
                or started - self._last_full >= (self.policy.reload_s)
            )
            problems: dict[str, tuple[_Stamp | None, str]] = {}
            loaded = dict(self._loaded)
            present: set[str] = set()
            changed = False
            for configured in self.paths:
                try:
                    files = crl_file_paths([configured])
                except ConfigError as exc:
                    problems[str(configured)] = (None, exc.message)
                    present.update(k for k in loaded if Path(k).is_relative_to(configured))
                    continue
                for path in files:
                    key = str(path)
                    present.add(key)
                    outcome = self._reload(path, loaded.get(key), full)
                    if isinstance(outcome, _Loaded):
                        before = loaded.get(key)
                        changed = changed or before is None or before.digest != outcome.digest
                        loaded[key] = outcome
                    elif outcome is not None:
                        problems[key] = outcome
            for key in sorted(set(loaded) - present):
                problems[key] = (None, f"{key} is no longer there; its last CRL stays in force.")
            if changed:
                self._revoked = self._apply(loaded)
            self._loaded = loaded
            self._report(problems)
            self._snapshot = _summarise(loaded, problems, self._revoked)
            self._last_check = started
            if full:
                self._last_full = started
            state = self.state()
            self._log_expiry(state)
            return state

    def _reload(
        self, path: Path, current: _Loaded | None, full: bool
    ) -> _Loaded | tuple[_Stamp | None, str]:
        """The file's CRL to keep in force, or (stamp, problem) when it is refused."""
        try:
            stamp = _stamp(path)
        except OSError as exc:
            return (None, f"Cannot read {path}: {exc.strerror}.")
        if not full:
            if current is not None and current.stamp == stamp:
                return current
            refused = self._refused.get(str(path))
            if refused is not None and refused[0] == stamp:
                return refused  # the same bad bytes: not parsed again
        try:
            data = read_file(path)
        except ConfigError as exc:
            return (stamp, exc.message)
        digest = hashlib.sha256(data).digest()
        if current is not None and current.digest == digest:
            return dataclasses.replace(current, stamp=stamp)
        return self._verified(path, data, stamp, digest, current)

    def _verified(
        self,
        path: Path,
        data: bytes,
        stamp: _Stamp,
        digest: bytes,
        current: _Loaded | None,
    ) -> _Loaded | tuple[_Stamp | None, str]:
        """Parse and check new bytes: trusted issuer, valid signature, not an older CRL."""
        try:
            crl = parse_crl(path, data)
            RevocationSet.from_crls([(path, crl)], self.verifier.trust, now=self._clock())
        except ConfigError as exc:
            return (stamp, exc.message)
        candidate = _Loaded(crl, stamp, digest)
        older = _older_than(candidate, current)
        if older is not None:
            return (
                stamp,
                f"{path} holds CRL number {older[0]}, older than number {older[1]} in force: "
                "an older CRL replaced a newer one.",
            )
        return candidate

    def _apply(self, loaded: Mapping[str, _Loaded]) -> int:
        """Give the verifier the revocation set of every CRL in force; its size."""
        crls = [(Path(key), item.crl) for key, item in sorted(loaded.items())]
        revocations = RevocationSet.from_crls(crls, self.verifier.trust, now=self._clock())
        self.verifier.replace_revocations(revocations)
        log.info(
            "crls_reloaded",
            files=len(crls),
            revoked=len(revocations),
            numbers={key: item.number for key, item in sorted(loaded.items())},
        )
        return len(revocations)

    def _report(self, problems: Mapping[str, tuple[_Stamp | None, str]]) -> None:
        """Log each new problem once, and each file that recovered."""
        for key, (stamp, problem) in sorted(problems.items()):
            if self._refused.get(key, (None, None))[1] != problem:
                log.error(
                    "crl_reload_failed",
                    file=key,
                    problem=problem,
                    in_force=key in self._loaded,
                )
            self._refused[key] = (stamp, problem)
        for key in sorted(set(self._refused) - set(problems)):
            del self._refused[key]
            log.info("crl_reload_recovered", file=key)

    # --- the decision -----------------------------------------------------------------------
    def state(self, now: datetime | None = None) -> CrlState:
        """The CRLs in force as of ``now`` (default: the clock); no I/O."""
        snap = self._snapshot
        moment = self._clock() if now is None else now
        grace = self.policy.grace
        expired = snap.next_update is not None and moment > snap.next_update + grace
        return CrlState(
            at=moment,
            files=snap.files,
            revoked=snap.revoked,
            next_update=snap.next_update,
            next_update_file=snap.next_update_file,
            expired=expired,
            fail_closed=self.policy.fail_closed,
            grace=grace,
            failures=snap.failures,
        )

    def holds(self, now: datetime | None = None) -> bool:
        """Whether signed input must wait now (expired and failing closed); no I/O."""
        return self.state(now).holds

    def _log_expiry(self, state: CrlState) -> None:
        if state.expired and not self._was_expired:
            log.error(
                "crl_expired",
                next_update=state.next_update.isoformat() if state.next_update else None,
                file=state.next_update_file,
                grace_s=state.grace.total_seconds(),
                fail_closed=state.fail_closed,
            )
        elif self._was_expired and not state.expired:
            log.info(
                "crl_in_date_again",
                next_update=state.next_update.isoformat() if state.next_update else None,
            )
        self._was_expired = state.expired


def _stamp(path: Path) -> _Stamp:
    st = os.stat(path)
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def _older_than(candidate: _Loaded, current: _Loaded | None) -> tuple[int, int] | None:
    """(new, in force) CRL numbers when ``candidate`` is an older CRL of the same issuer."""
    if current is None or candidate.crl.issuer != current.crl.issuer:
        return None
    new, old = candidate.number, current.number
    if new is not None and old is not None and new < old:
        return (new, old)
    return None


def _summarise(
    loaded: Mapping[str, _Loaded],
    problems: Mapping[str, tuple[_Stamp | None, str]],
    revoked: int,
) -> _Snapshot:
    dated = [
        (item.crl.next_update_utc, key)
        for key, item in loaded.items()
        if item.crl.next_update_utc is not None
    ]
    earliest = min(dated, default=None, key=lambda pair: pair[0].astimezone(UTC))
    failures = tuple(
        CrlFailure(key, problem, key in loaded) for key, (_, problem) in sorted(problems.items())
    )
    return _Snapshot(
        files=len(loaded),
        revoked=revoked,
        next_update=earliest[0] if earliest else None,
        next_update_file=earliest[1] if earliest else None,
        failures=failures,
    )
