"""The development PKI: layout, permissions, no silent overwrite, extension, revocation."""

from __future__ import annotations

import os
import stat
from datetime import timedelta

import pytest
from cryptography import x509

from gateway.exceptions import ConfigError
from gateway.signing import (
    CertificateExpiredError,
    CertificateRevokedError,
    OrganisationMismatchError,
    Signer,
    Verifier,
    init_pki,
    reissue_crl,
    revoke,
)
from gateway.signing.pki import DEFAULT_GATEWAY_ORG
from tests.unit.signing.factory import ALGORITHMS, NOW

A, B = "201234567", "301234568"


def verify_as(layout, code, *, now=NOW, identity=None):
    identity = identity or layout.orgs[code]
    signer = Signer.from_files(identity.key, identity.cert)
    verifier = Verifier.from_paths([layout.ca_cert], [layout.crl], clock=lambda: now)
    data = b"message from " + code.encode()
    return verifier.verify(
        data,
        signer.sign(data),
        signer.algorithm,
        signer.chain_der,
        expected_org=code,
        signed_at=now,
    )


def mode(path):
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def pki(tmp_path):
    return init_pki(tmp_path / "pki", [A], now=NOW)


def test_layout(pki):
    root = pki.root
    assert pki.ca_cert == root / "ca" / "ca.crt.pem"
    assert pki.ca_key == root / "ca" / "ca.key.pem"
    assert pki.crl == root / "ca" / "crl.pem"
    assert pki.orgs[A].cert == root / "orgs" / A / "cert.pem"
    assert pki.orgs[A].key == root / "orgs" / A / "key.pem"
    assert pki.gateway.cert == root / "gateway" / "cert.pem"
    assert pki.gateway.org_code == DEFAULT_GATEWAY_ORG
    assert pki.issued == ("ca", A, "gateway")
    for path in (pki.ca_cert, pki.ca_key, pki.crl, pki.orgs[A].cert, pki.gateway.key):
        assert path.is_file()


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_issued_certificates_verify(tmp_path, algorithm):
    layout = init_pki(tmp_path, [A], algorithm=algorithm, now=NOW)
    signer = verify_as(layout, A)
    assert signer.org_code == A
    assert signer.common_name == f"Body {A}"
    gateway = verify_as(layout, DEFAULT_GATEWAY_ORG, identity=layout.gateway)
    assert gateway.org_code == DEFAULT_GATEWAY_ORG


def test_keys_are_0600_and_certificates_readable(pki):
    for key in (pki.ca_key, pki.orgs[A].key, pki.gateway.key):
        assert mode(key) == 0o600
    umask = os.umask(0o022)
    os.umask(umask)
    for public in (pki.ca_cert, pki.crl, pki.orgs[A].cert):
        assert mode(public) == 0o644 & ~umask
    assert not list(pki.root.rglob("*.tmp"))


def test_certificate_validity_is_two_years(pki):
    assert verify_as(pki, A, now=NOW + timedelta(days=729))
    with pytest.raises(CertificateExpiredError):
        verify_as(pki, A, now=NOW + timedelta(days=731))


def test_running_again_keeps_everything(pki):
    before = {p: p.read_bytes() for p in pki.root.rglob("*.pem")}
    again = init_pki(pki.root, [A], now=NOW)
    assert again.issued == ()
    assert {p: p.read_bytes() for p in pki.root.rglob("*.pem")} == before


def test_adding_orgs_reuses_the_ca(pki):
    ca_before = pki.ca_cert.read_bytes(), pki.ca_key.read_bytes()
    a_before = pki.orgs[A].cert.read_bytes()
    layout = init_pki(pki.root, [A, B], now=NOW)
    assert layout.issued == (B,)
    assert sorted(layout.orgs) == [A, B]
    assert (layout.ca_cert.read_bytes(), layout.ca_key.read_bytes()) == ca_before
    assert layout.orgs[A].cert.read_bytes() == a_before
    assert verify_as(layout, A).org_code == A
    assert verify_as(layout, B).org_code == B


def test_existing_key_is_not_overwritten_without_force(pki):
    pki.orgs[A].cert.unlink()
    key_before = pki.orgs[A].key.read_bytes()
    with pytest.raises(ConfigError) as info:
        init_pki(pki.root, [A], now=NOW)
    assert str(pki.orgs[A].key) in str(info.value)
    assert "--force" in str(info.value)
    assert pki.orgs[A].key.read_bytes() == key_before


def test_existing_ca_key_without_certificate_needs_force(pki):
    pki.ca_cert.unlink()
    with pytest.raises(ConfigError, match=r"ca\.key\.pem") as info:
        init_pki(pki.root, [A], now=NOW)
    assert "--force" in str(info.value)


def test_force_replaces_everything_and_keeps_keys_private(pki):
    pki.orgs[A].key.chmod(0o644)
    old = {p: p.read_bytes() for p in (pki.ca_key, pki.orgs[A].key, pki.gateway.key)}
    layout = init_pki(pki.root, [B], force=True, now=NOW)
    assert set(layout.issued) == {"ca", A, B, "gateway"}
    for path, content in old.items():
        assert path.read_bytes() != content
        assert mode(path) == 0o600
    assert verify_as(layout, A).org_code == A  # unrequested bodies are reissued by the new CA
    assert verify_as(layout, B).org_code == B


def test_certificate_from_another_ca_needs_force(tmp_path, pki):
    other = init_pki(tmp_path / "other", [A], now=NOW)
    pki.orgs[A].cert.write_bytes(other.orgs[A].cert.read_bytes())
    pki.orgs[A].key.write_bytes(other.orgs[A].key.read_bytes())
    with pytest.raises(ConfigError, match="not issued by the current CA"):
        init_pki(pki.root, [A], now=NOW)


def test_changed_gateway_org_needs_force(pki):
    with pytest.raises(ConfigError, match="another organisation"):
        init_pki(pki.root, [A], gateway_org="111111111", now=NOW)
    layout = init_pki(pki.root, [A], gateway_org="111111111", force=True, now=NOW)
    assert layout.gateway.org_code == "111111111"


@pytest.mark.parametrize("code", ["12345678", "1234567890", "12345678a", "", " 123456789"])
def test_org_codes_must_be_nine_digits(tmp_path, code):
    with pytest.raises(ConfigError, match="9-digit"):
        init_pki(tmp_path, [code])
    with pytest.raises(ConfigError, match="9-digit"):
        init_pki(tmp_path, [A], gateway_org=code)
    assert not (tmp_path / "ca").exists()


def test_unknown_key_algorithm(tmp_path):
    with pytest.raises(ConfigError, match="gost"):
        init_pki(tmp_path, [A], algorithm="gost")


def test_revoke_puts_the_certificate_on_the_crl(pki):
    layout = init_pki(pki.root, [A, B], now=NOW)
    first = revoke(layout.root, A, now=NOW)
    again = revoke(layout.root, A, reason="superseded", now=NOW + timedelta(hours=1))
    assert (first.serial, first.already_revoked) == (again.serial, False)
    assert again.already_revoked  # idempotent: the first date and (no) reason are kept
    assert (again.revoked_at, again.reason) == (first.revoked_at, None)
    assert (first.crl.number, again.crl.number) == (2, 3)  # init wrote number 1
    with pytest.raises(CertificateRevokedError):
        verify_as(layout, A)
    assert verify_as(layout, B).org_code == B


def _crl(layout):
    return x509.load_pem_x509_crl(layout.crl.read_bytes())


def _reasons(crl):
    out = {}
    for entry in crl:
        try:
            out[entry.serial_number] = entry.extensions.get_extension_for_class(
                x509.CRLReason
            ).value.reason
        except x509.ExtensionNotFound:
            out[entry.serial_number] = None
    return out


def test_revoke_with_a_reason_writes_the_reason_code_and_keeps_earlier_entries(pki):
    layout = init_pki(pki.root, [A, B], now=NOW)
    a = revoke(layout.root, A, now=NOW)
    b = revoke(layout.root, B, reason="keyCompromise", now=NOW + timedelta(minutes=1))
    crl = _crl(layout)
    assert _reasons(crl) == {a.serial: None, b.serial: x509.ReasonFlags.key_compromise}
    assert crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number == 3
    assert b.reason == "keyCompromise"
    assert b.crl.next_update == crl.next_update_utc == NOW + timedelta(minutes=1, days=365)
    assert b.crl.revoked == 2
    assert crl.is_signature_valid(
        x509.load_pem_x509_certificate(layout.ca_cert.read_bytes()).public_key()
    )


@pytest.mark.parametrize("reason", ["unspecified", "removeFromCRL", "KeyCompromise", ""])
def test_revoke_refuses_an_unknown_reason_before_writing(pki, reason):
    before = pki.crl.read_bytes()
    with pytest.raises(ConfigError, match="keyCompromise"):
        revoke(pki.root, A, reason=reason, now=NOW)
    assert pki.crl.read_bytes() == before


def test_revoke_without_a_pki_names_the_folder_and_the_command(tmp_path):
    with pytest.raises(ConfigError, match="No development PKI") as caught:
        revoke(tmp_path / "nothing", A)
    assert "pki init" in (caught.value.hint or "")
    assert not (tmp_path / "nothing").exists()


def test_reissue_crl_keeps_the_entries_with_a_new_number_and_validity(pki):
    revoked = revoke(pki.root, A, reason="cessationOfOperation", now=NOW)
    issued = reissue_crl(pki.root, now=NOW + timedelta(days=2), valid_for=timedelta(hours=6))
    crl = _crl(pki)
    assert _reasons(crl) == {revoked.serial: x509.ReasonFlags.cessation_of_operation}
    assert issued.number == revoked.crl.number + 1
    assert issued.next_update == crl.next_update_utc == NOW + timedelta(days=2, hours=6)


def test_revoke_the_gateway_and_unknown_bodies(pki):
    revoke(pki.root, DEFAULT_GATEWAY_ORG, now=NOW)
    with pytest.raises(CertificateRevokedError):
        verify_as(pki, DEFAULT_GATEWAY_ORG, identity=pki.gateway)
    with pytest.raises(ConfigError, match=B):
        revoke(pki.root, B)


def test_body_certificate_is_not_the_gateways(pki):
    with pytest.raises(OrganisationMismatchError):
        verify_as(pki, DEFAULT_GATEWAY_ORG, identity=pki.orgs[A])
