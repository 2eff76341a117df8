"""CrlWatch: reloading changed CRLs, keeping the last good one, expiry and the fail-closed rule.

Real CRLs from the development PKI (``revoke``/``reissue_crl`` with a given ``now``), real files
in a temporary folder, and a fake clock (wall and monotonic) passed in: nothing sleeps.
"""

from __future__ import annotations

import os
import shutil
from datetime import timedelta

import pytest
from structlog.testing import capture_logs

from gateway.exceptions import ConfigError
from gateway.signing import (
    CertificateRevokedError,
    CrlPolicy,
    CrlWatch,
    Signer,
    Verifier,
    init_pki,
    reissue_crl,
    revoke,
)
from tests.unit.signing.factory import NOW, FakeClock

A, B = "201234567", "301234568"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def pki(tmp_path):
    layout = init_pki(tmp_path / "pki", [A, B], now=NOW)
    reissue_crl(layout.root, now=NOW, valid_for=timedelta(hours=1))  # number 2, 1 h
    return layout


def watch_of(pki, clock, **policy) -> CrlWatch:
    verifier = Verifier.from_paths([pki.ca_cert], clock=clock)
    watch = CrlWatch(
        verifier,
        [pki.crl],
        policy=CrlPolicy(**{"check_s": 5.0, "reload_s": 300.0, **policy}),
        clock=clock,
        monotonic=clock.monotonic,
    )
    watch.load()
    return watch


def verify(watch: CrlWatch, pki, org: str, clock: FakeClock):
    ident = pki.orgs[org]
    signer = Signer.from_files(ident.key, ident.cert)
    data = b"a message of " + org.encode()
    return watch.verifier.verify(
        data, signer.sign(data), signer.algorithm, signer.chain_der,
        expected_org=org, signed_at=clock.now,
    )  # fmt: skip


def events(logs, name: str) -> list[dict]:
    return [entry for entry in logs if entry["event"] == name]


# --- change detection ---------------------------------------------------------------------


def test_a_revocation_takes_effect_at_the_next_check_not_before(pki, clock):
    watch = watch_of(pki, clock)
    assert verify(watch, pki, A, clock).org_code == A
    revoke(pki.root, A, reason="keyCompromise", now=clock.now)
    # the per-message path reads no file: until a check, the old set is in force
    assert verify(watch, pki, A, clock).org_code == A
    with capture_logs() as logs:
        state = watch.check()
    with pytest.raises(CertificateRevokedError):
        verify(watch, pki, A, clock)
    assert verify(watch, pki, B, clock).org_code == B
    assert (state.revoked, state.failures) == (1, ())
    assert events(logs, "crls_reloaded")[0]["numbers"] == {str(pki.crl): 3}


def test_an_unchanged_file_is_not_parsed_again(pki, clock):
    watch = watch_of(pki, clock)
    with capture_logs() as logs:
        for _ in range(3):
            clock.advance(seconds=5)
            watch.check()
    assert events(logs, "crls_reloaded") == []


def test_due_follows_the_check_interval(pki, clock):
    watch = watch_of(pki, clock, check_s=5.0)
    assert not watch.due()  # load() was a check
    clock.advance(seconds=4.9)
    assert not watch.due()
    clock.advance(seconds=0.1)
    assert watch.due()
    watch.check()
    assert not watch.due()


def _same_size_reissue(pki, size: int, clock: FakeClock) -> bytes:
    """A newer CRL whose PEM has ``size`` bytes (ECDSA signatures vary by a byte or two)."""
    for _ in range(200):
        reissue_crl(pki.root, now=clock.now, valid_for=timedelta(hours=1))
        data = pki.crl.read_bytes()
        if len(data) == size:
            return data
    raise AssertionError("no CRL of the same size in 200 tries")


def test_the_periodic_full_read_catches_a_rewrite_the_stat_misses(pki, clock, tmp_path):
    watched = tmp_path / "watched.pem"
    shutil.copyfile(pki.crl, watched)
    verifier = Verifier.from_paths([pki.ca_cert], clock=clock)
    watch = CrlWatch(
        verifier, [watched], policy=CrlPolicy(check_s=5, reload_s=60),
        clock=clock, monotonic=clock.monotonic,
    )  # fmt: skip
    watch.load()
    clock.advance(hours=2)
    assert watch.check().holds  # expired
    before = os.stat(watched)
    fresh = _same_size_reissue(pki, before.st_size, clock)
    with watched.open("r+b") as handle:  # in place: same inode, same size
        handle.write(fresh)
    os.utime(watched, ns=(before.st_atime_ns, before.st_mtime_ns))  # and the old mtime
    clock.advance(seconds=5)
    assert watch.check().holds  # the stat did not tell
    clock.advance(seconds=55)  # 60 s since the last full read
    assert not watch.check().holds


# --- a bad file keeps the last good set ---------------------------------------------------


def test_a_file_that_does_not_parse_keeps_the_last_good_set_and_is_reported_once(pki, clock):
    revoke(pki.root, A, now=clock.now)
    watch = watch_of(pki, clock)
    good = pki.crl.read_bytes()
    pki.crl.write_bytes(b"-----BEGIN X509 CRL-----\nnot a crl\n-----END X509 CRL-----\n")
    with capture_logs() as logs:
        first = watch.check()
        clock.advance(seconds=5)
        second = watch.check()
    assert [f.path for f in first.failures] == [str(pki.crl)]
    assert first.failures[0].in_force
    assert "not a readable X.509 CRL" in first.failures[0].problem
    assert second.failures == first.failures
    assert first.warnings == ("crl_invalid",)
    assert not first.holds
    failed = events(logs, "crl_reload_failed")
    assert len(failed) == 1
    assert failed[0]["file"] == str(pki.crl)
    with pytest.raises(CertificateRevokedError):  # the last good CRL is still in force
        verify(watch, pki, A, clock)

    pki.crl.write_bytes(good)
    with capture_logs() as logs:
        fixed = watch.check()
    assert fixed.failures == ()
    assert [e["file"] for e in events(logs, "crl_reload_recovered")] == [str(pki.crl)]


def test_a_crl_from_an_untrusted_ca_is_refused(pki, clock, tmp_path):
    watch = watch_of(pki, clock)
    stranger = init_pki(tmp_path / "other", [A], now=NOW)
    revoke(stranger.root, A, now=clock.now)
    shutil.copyfile(stranger.crl, pki.crl)
    state = watch.check()
    assert "not a CA of the trust store" in state.failures[0].problem
    assert verify(watch, pki, A, clock).org_code == A  # the stranger's entry is not used


def test_an_older_crl_copied_over_a_newer_one_is_refused(pki, clock):
    older = pki.crl.read_bytes()  # number 2, nothing revoked
    revoke(pki.root, A, now=clock.now)  # number 3
    watch = watch_of(pki, clock)
    pki.crl.write_bytes(older)
    state = watch.check()
    assert "number 2, older than number 3" in state.failures[0].problem
    with pytest.raises(CertificateRevokedError):
        verify(watch, pki, A, clock)


def test_a_removed_file_keeps_its_last_crl(pki, clock):
    revoke(pki.root, A, now=clock.now)
    watch = watch_of(pki, clock)
    pki.crl.unlink()
    state = watch.check()
    assert state.failures[0].path == str(pki.crl)
    assert state.files == 1
    with pytest.raises(CertificateRevokedError):
        verify(watch, pki, A, clock)


def test_load_at_start_raises_naming_the_file(pki, clock):
    pki.crl.write_bytes(b"garbage")
    verifier = Verifier.from_paths([pki.ca_cert], clock=clock)
    watch = CrlWatch(verifier, [pki.crl], clock=clock, monotonic=clock.monotonic)
    with pytest.raises(ConfigError) as caught:
        watch.load()
    assert caught.value.field == str(pki.crl)
    assert "GATEWAY_CRL_FILES" in (caught.value.hint or "")


def test_a_folder_of_crls_picks_up_a_new_file(pki, clock, tmp_path):
    folder = tmp_path / "crls"
    folder.mkdir()
    verifier = Verifier.from_paths([pki.ca_cert], clock=clock)
    watch = CrlWatch(verifier, [folder], clock=clock, monotonic=clock.monotonic)
    assert watch.load().files == 0
    revoke(pki.root, A, now=clock.now)
    shutil.copyfile(pki.crl, folder / "ca.crl")
    assert watch.check().files == 1
    with pytest.raises(CertificateRevokedError):
        verify(watch, pki, A, clock)


# --- expiry and the fail-closed rule ------------------------------------------------------


def test_expired_after_next_update_and_fail_closed_holds(pki, clock):
    watch = watch_of(pki, clock)  # nextUpdate: NOW + 1 h
    assert watch.state().next_update == NOW + timedelta(hours=1)
    clock.advance(minutes=59, seconds=59)
    assert not watch.holds()
    clock.advance(seconds=2)
    state = watch.state()
    assert (state.expired, state.holds, state.warnings) == (True, True, ())
    assert state.next_update_file == str(pki.crl)


def test_the_grace_delays_expiry(pki, clock):
    watch = watch_of(pki, clock, grace=timedelta(minutes=10))
    clock.advance(minutes=69)
    assert not watch.state().expired
    clock.advance(minutes=2)
    assert watch.state().holds


def test_failing_open_only_warns(pki, clock):
    watch = watch_of(pki, clock, fail_closed=False)
    clock.advance(hours=2)
    state = watch.state()
    assert (state.expired, state.holds, state.warnings) == (True, False, ("crl_expired",))


def test_a_fresh_crl_ends_the_hold_and_the_transitions_are_logged_once(pki, clock):
    watch = watch_of(pki, clock)
    clock.advance(hours=2)
    with capture_logs() as logs:
        assert watch.check().holds
        clock.advance(seconds=5)
        assert watch.check().holds
        reissue_crl(pki.root, now=clock.now, valid_for=timedelta(hours=1))
        clock.advance(seconds=5)
        assert not watch.check().holds
    assert len(events(logs, "crl_expired")) == 1
    assert len(events(logs, "crl_in_date_again")) == 1


def test_a_refused_file_does_not_extend_the_crl_in_force(pki, clock):
    """A fresh-looking but broken file must not end the hold: the last good CRL decides."""
    watch = watch_of(pki, clock)
    clock.advance(hours=2)
    pki.crl.write_bytes(b"garbage")
    state = watch.check()
    assert state.holds
    assert state.warnings == ("crl_invalid",)


def test_a_crl_past_next_update_at_start_loads_and_holds(pki, clock):
    clock.advance(days=1)
    watch = watch_of(pki, clock)
    assert watch.state().holds


def test_no_crl_configured_never_expires(pki, clock):
    watch = CrlWatch(Verifier.from_paths([pki.ca_cert]), [], clock=clock)
    state = watch.load()
    assert (state.files, state.next_update, state.holds) == (0, None, False)


@pytest.mark.parametrize(
    "policy",
    [{"check_s": 0}, {"reload_s": -1}, {"grace": timedelta(seconds=-1)}],
)
def test_a_policy_with_impossible_values_is_refused(policy):
    with pytest.raises(ValueError, match="must"):
        CrlPolicy(**policy)
