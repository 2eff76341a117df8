"""The connection layer: settings become one typed connection per identity, errors name
the file and the fix, and every client gets the same security options."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest
from pydantic import SecretStr

from gateway.config import load_settings
from gateway.exceptions import ConfigError
from gateway.kafka import (
    OPERATOR,
    WORKER,
    KafkaConnection,
    SaslCredentials,
    TlsFiles,
    adapter_identity,
    connection_for,
)
from gateway.signing.tls import ensure_scram_password, ensure_tls


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in (
        "GATEWAY_KAFKA_BOOTSTRAP",
        "GATEWAY_KAFKA_SECURITY_PROTOCOL",
        "GATEWAY_KAFKA_TLS_DIR",
        "GATEWAY_KAFKA_IDENTITY",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GATEWAY_HOME", str(tmp_path))
    return tmp_path


def test_each_process_gets_its_own_certificate_by_default(home: Path) -> None:
    ensure_tls(home / "pki" / "tls", [WORKER, OPERATOR, "201000001"])
    settings = load_settings()
    worker = connection_for(settings, WORKER)
    assert worker.security_protocol == "SSL"
    assert worker.tls is not None
    assert worker.tls.cert == home / "pki" / "tls" / "clients" / WORKER / "cert.pem"
    assert connection_for(settings, "201000001").tls.cert.parent.name == "201000001"  # type: ignore[union-attr]
    context = worker.ssl_context
    assert context is not None
    assert context.check_hostname  # hostname verification stays on
    assert context.verify_mode is ssl.CERT_REQUIRED
    assert worker.ssl_context is context  # built once, shared by every client
    options = worker.client_options()
    assert options["security_protocol"] == "SSL"
    assert options["ssl_context"] is context


def test_a_missing_certificate_names_the_identity_the_file_and_the_fix(home: Path) -> None:
    ensure_tls(home / "pki" / "tls", [])
    with pytest.raises(ConfigError) as missing:
        connection_for(load_settings(), adapter_identity("portal"))
    text = str(missing.value)
    assert "adapter-portal" in text
    assert "clients/adapter-portal/cert.pem" in text
    assert "gateway pki init" in text


def test_the_identity_setting_overrides_the_process(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ensure_tls(home / "pki" / "tls", [OPERATOR])
    monkeypatch.setenv("GATEWAY_KAFKA_IDENTITY", "broker")
    connection = connection_for(load_settings(), OPERATOR)
    assert connection.identity == "broker"
    assert connection.tls is not None
    assert connection.tls.cert == home / "pki" / "tls" / "broker" / "cert.pem"


def test_scram_takes_the_service_accounts_password_and_never_prints_it(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tls = ensure_tls(home / "pki" / "tls", [])
    password = ensure_scram_password(tls.root, WORKER)
    monkeypatch.setenv("GATEWAY_KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
    monkeypatch.setenv("GATEWAY_KAFKA_BOOTSTRAP", "127.0.0.1:9094")
    connection = connection_for(load_settings(), WORKER)
    assert connection.sasl is not None
    assert connection.sasl.username == WORKER
    assert connection.sasl.mechanism == "SCRAM-SHA-512"
    assert connection.tls is not None
    assert connection.tls.cert is None
    options = connection.client_options()
    assert options["sasl_plain_password"] == password
    assert password not in repr(connection)
    assert password not in connection.describe()


def test_scram_without_a_password_says_where_it_looked(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ensure_tls(home / "pki" / "tls", [])
    monkeypatch.setenv("GATEWAY_KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
    with pytest.raises(ConfigError, match=r"no SASL password for Kafka user 'operator'"):
        connection_for(load_settings(), OPERATOR)


def test_a_secure_protocol_without_its_material_is_refused() -> None:
    with pytest.raises(ConfigError, match="needs TLS files"):
        KafkaConnection(("127.0.0.1:9092",), "SSL")
    with pytest.raises(ConfigError, match="needs SASL credentials"):
        KafkaConnection(("127.0.0.1:9092",), "SASL_SSL", tls=TlsFiles(Path(__file__)))
    with pytest.raises(ConfigError, match="without its key"):
        KafkaConnection(
            ("127.0.0.1:9092",), "SSL", tls=TlsFiles(Path(__file__), Path(__file__), None)
        )


def test_plaintext_needs_nothing_and_says_so() -> None:
    plain = KafkaConnection(("a:1", "b:2"))
    assert not plain.secure
    assert plain.ssl_context is None
    assert plain.client_options() == {
        "bootstrap_servers": ["a:1", "b:2"],
        "security_protocol": "PLAINTEXT",
    }
    assert plain.faust_options()["broker"] == ["kafka://a:1", "kafka://b:2"]
    assert plain.faust_options()["broker_credentials"] is None


def test_faust_gets_the_same_credentials(home: Path) -> None:
    tls = ensure_tls(home / "pki" / "tls", [WORKER])
    own = tls.client(WORKER)
    mtls = KafkaConnection(("h:1",), "SSL", tls=TlsFiles(tls.ca_cert, own.cert, own.key))
    assert mtls.faust_options()["broker_credentials"].context is mtls.ssl_context
    sasl = KafkaConnection(
        ("h:1",),
        "SASL_SSL",
        tls=TlsFiles(tls.ca_cert),
        sasl=SaslCredentials("adapter-x", SecretStr("pw")),
    )
    credentials = sasl.faust_options()["broker_credentials"]
    assert (credentials.username, credentials.mechanism.value) == ("adapter-x", "SCRAM-SHA-512")
