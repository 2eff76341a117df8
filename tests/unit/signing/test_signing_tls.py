"""The development PKI's TLS side: separate CA, client-auth certificates, the principal rule."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID

from gateway.exceptions import ConfigError
from gateway.signing.tls import (
    PRINCIPAL_MAPPING_RULES,
    check_principal,
    ensure_tls,
    ensure_tls_client,
    principal_of,
    revoke_tls_client,
    revoked_principals,
)


def _cert(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificates(path.read_bytes())[0]


def _java_rule_applies(rule: str, dn: str) -> str:
    """Apply one Kafka ``RULE:pattern/replacement/`` the way SslPrincipalMapper does."""
    match = re.fullmatch(r"RULE:(.*)/(.*)/", rule)
    assert match, rule
    pattern, replacement = match.groups()
    found = re.search(pattern, dn)
    return found.expand(replacement.replace("$1", r"\1")) if found else dn


def test_a_body_certificate_maps_to_its_code_and_others_keep_their_dn(tmp_path: Path) -> None:
    tls = ensure_tls(tmp_path, ["201000001", "gateway-worker", "adapter-portal"])
    rule = PRINCIPAL_MAPPING_RULES.split(",DEFAULT")[0]
    for principal in ("201000001", "gateway-worker", "adapter-portal"):
        cert = _cert(tls.client(principal).cert)
        dn = cert.subject.rfc4514_string()  # Java's RFC 2253 form of the same subject
        assert dn == f"CN={principal},OU=kafka,O=Interagency Exchange,C=UZ"
        assert _java_rule_applies(rule, dn) == principal
        assert principal_of(cert) == principal
    foreign = "CN=201000001,O=Somebody Else,C=UZ"
    assert _java_rule_applies(rule, foreign) == foreign  # DEFAULT: a principal no ACL names


def test_client_and_server_certificates_have_the_right_usages(tmp_path: Path) -> None:
    tls = ensure_tls(tmp_path, ["201000001"], broker_hosts=["kafka"])
    client = _cert(tls.client("201000001").cert)
    usages = client.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(usages) == [ExtendedKeyUsageOID.CLIENT_AUTH]
    broker = _cert(tls.broker.cert)
    usages = broker.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert set(usages) == {ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH}
    names = broker.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert set(names.get_values_for_type(x509.DNSName)) == {"localhost", "kafka"}
    assert [str(ip) for ip in names.get_values_for_type(x509.IPAddress)] == ["127.0.0.1"]
    ca = _cert(tls.ca_cert)
    assert client.issuer == ca.subject
    assert "Kafka TLS CA" in ca.subject.rfc4514_string()  # not the signing CA


def test_keys_are_private_and_never_overwritten(tmp_path: Path) -> None:
    tls = ensure_tls(tmp_path, ["201000001"])
    own = tls.client("201000001")
    for secret in (own.key, tls.broker.key, tls.broker_keystore, tls.ca_key):
        assert os.stat(secret).st_mode & 0o777 == 0o600
    before = own.key.read_bytes(), own.cert.read_bytes(), tls.ca_key.read_bytes()
    ensure_tls(tmp_path, ["201000001", "201000002"])
    assert ensure_tls_client(tmp_path, "201000001").key == own.key
    assert (own.key.read_bytes(), own.cert.read_bytes(), tls.ca_key.read_bytes()) == before


def test_revoked_principals_come_from_the_tls_crl(tmp_path: Path) -> None:
    ensure_tls(tmp_path, ["201000001", "201000002"])
    assert revoked_principals(tmp_path) == frozenset()
    assert revoke_tls_client(tmp_path, "201000002") is not None
    assert revoked_principals(tmp_path) == {"201000002"}
    assert revoke_tls_client(tmp_path, "209999999") is None  # no certificate: nothing to do


@pytest.mark.parametrize("bad", ["", "Operator", "12345678", "9-digits", "a b", "../x"])
def test_a_principal_is_a_code_or_a_service_name(bad: str) -> None:
    with pytest.raises(ConfigError):
        check_principal(bad)
