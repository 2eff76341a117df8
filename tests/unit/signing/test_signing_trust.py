"""Loading the trust store and CRLs from files: formats, and configuration errors."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from structlog.testing import capture_logs

from gateway.exceptions import ConfigError
from gateway.signing import CertificateRevokedError, TrustStore, Verifier
from gateway.signing.trust import RevocationSet
from tests.unit.signing.factory import NOW, ORG, make_ca, make_crl, sign


def test_trust_store_from_pem_and_der_files_and_directories(tmp_path, root, leaf):
    other = make_ca("Second Root")
    (tmp_path / "cas").mkdir()
    (tmp_path / "cas" / "root.pem").write_bytes(root.pem)
    (tmp_path / "cas" / "second.der").write_bytes(other.der)
    (tmp_path / "cas" / "notes.txt").write_text("ignored")
    bundle = tmp_path / "bundle.crt"
    bundle.write_bytes(root.pem + other.pem)
    assert len(TrustStore.from_paths([tmp_path / "cas"])) == 2
    assert len(TrustStore.from_paths([bundle, tmp_path / "cas"])) == 2


def test_verifier_from_paths_with_pem_and_der_crls(tmp_path, root, leaf):
    (tmp_path / "root.pem").write_bytes(root.pem)
    crl = make_crl(root, [leaf.cert.serial_number])
    (tmp_path / "root.crl").write_bytes(crl.public_bytes(Encoding.DER))
    (tmp_path / "root-crl.pem").write_bytes(crl.public_bytes(Encoding.PEM))
    for name in ("root.crl", "root-crl.pem"):
        verifier = Verifier.from_paths([tmp_path / "root.pem"], [tmp_path / name])
        with pytest.raises(CertificateRevokedError):
            verifier.verify(
                b"x",
                sign(leaf, b"x"),
                "ecdsa-p256-sha256",
                [leaf.der],
                expected_org=ORG,
                signed_at=NOW,
                now=NOW,
            )


def test_non_ca_anchor_is_a_configuration_error(tmp_path, leaf):
    path = tmp_path / "leaf.pem"
    path.write_bytes(leaf.pem)
    with pytest.raises(ConfigError, match=r"leaf\.pem.*not a CA"):
        TrustStore.from_paths([path])


def test_empty_or_unreadable_trust_store(tmp_path):
    with pytest.raises(ConfigError, match="no CA certificate"):
        TrustStore.from_paths([tmp_path])
    junk = tmp_path / "junk.pem"
    junk.write_bytes(b"-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----\n")
    with pytest.raises(ConfigError, match=r"junk\.pem"):
        TrustStore.from_paths([junk])
    with pytest.raises(ConfigError, match=r"absent\.pem"):
        TrustStore.from_paths([tmp_path / "absent.pem"])


def test_crl_from_an_untrusted_issuer_names_the_file(tmp_path, root):
    stranger = make_ca("Stranger CA")
    path = tmp_path / "stranger.crl"
    path.write_bytes(make_crl(stranger, [1]).public_bytes(Encoding.DER))
    with pytest.raises(ConfigError, match=r"stranger\.crl") as info:
        RevocationSet.from_paths([path], TrustStore([root.cert]))
    assert "not a CA of the trust store" in str(info.value)


def test_crl_signed_by_an_impostor_with_the_trusted_name(tmp_path, root):
    impostor = make_ca("Test Root CA")
    path = tmp_path / "forged.pem"
    path.write_bytes(make_crl(impostor, [1]).public_bytes(Encoding.PEM))
    with pytest.raises(ConfigError, match=r"forged\.pem"):
        RevocationSet.from_paths([path], TrustStore([root.cert]))


def test_unreadable_crl_names_the_file(tmp_path, root):
    path = tmp_path / "bad.crl"
    path.write_bytes(b"junk")
    with pytest.raises(ConfigError, match=r"bad\.crl"):
        RevocationSet.from_paths([path], TrustStore([root.cert]))


def test_stale_crl_is_used_and_logged(root, leaf):
    crl = make_crl(root, [leaf.cert.serial_number])
    later = crl.next_update_utc.replace(year=crl.next_update_utc.year + 1)
    with capture_logs() as logs:
        revocations = RevocationSet.from_crls(
            [("old.crl", crl)], TrustStore([root.cert]), now=later
        )
    assert len(revocations) == 1
    assert [entry["event"] for entry in logs] == ["crl_stale"]
    assert logs[0]["file"] == "old.crl"
