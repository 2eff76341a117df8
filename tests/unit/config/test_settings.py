from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from gateway.config import load_settings
from gateway.exceptions import ConfigError
from gateway.signing import CrlPolicy


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("GATEWAY_KAFKA_BOOTSTRAP", "GATEWAY_KAFKA_SECURITY_PROTOCOL"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings()
    assert settings.kafka_bootstrap == "127.0.0.1:9092"
    assert settings.kafka_security_protocol == "SSL"  # mutual TLS unless told otherwise


def test_environment_beats_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    file = tmp_path / "gateway.toml"
    file.write_text('[gateway]\nkafka_bootstrap = "10.0.0.1:9092"\nlog_level = "debug"\n')
    monkeypatch.setenv("GATEWAY_KAFKA_BOOTSTRAP", "127.0.0.2:9092")
    settings = load_settings(file)
    assert settings.kafka_bootstrap == "127.0.0.2:9092"
    assert settings.log_level == "debug"


def test_settings_are_frozen() -> None:
    settings = load_settings()
    with pytest.raises(ValueError, match="frozen"):
        settings.log_level = "debug"  # type: ignore[misc]


def test_bad_environment_value_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GATEWAY_KAFKA_BOOTSTRAP", "localhost")
    with pytest.raises(ConfigError, match=r"GATEWAY_KAFKA_BOOTSTRAP.*not host:port"):
        load_settings()


def test_bad_file_value_names_the_file(tmp_path: Path) -> None:
    file = tmp_path / "gateway.toml"
    file.write_text('[gateway]\nlog_level = "loud"\n')
    with pytest.raises(ConfigError, match=r"'log_level' from .*gateway.toml"):
        load_settings(file)


def test_unknown_setting_in_file_is_refused(tmp_path: Path) -> None:
    file = tmp_path / "gateway.toml"
    file.write_text("[gateway]\nkafka_bootstrapp = 1\n")
    with pytest.raises(ConfigError, match="kafka_bootstrapp"):
        load_settings(file)


def test_missing_file_says_so(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(tmp_path / "absent.toml")


def test_crl_settings_make_the_watch_policy(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings().crl_policy == CrlPolicy(
        check_s=5.0, reload_s=300.0, fail_closed=True, grace=timedelta(0)
    )
    monkeypatch.setenv("GATEWAY_CRL_CHECK_S", "0.5")
    monkeypatch.setenv("GATEWAY_CRL_FAIL_CLOSED", "false")
    monkeypatch.setenv("GATEWAY_CRL_GRACE_S", "600")
    policy = load_settings().crl_policy
    assert (policy.check_s, policy.fail_closed, policy.grace) == (0.5, False, timedelta(minutes=10))


def test_a_zero_crl_check_interval_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GATEWAY_CRL_CHECK_S", "0")
    with pytest.raises(ConfigError, match="GATEWAY_CRL_CHECK_S"):
        load_settings()
