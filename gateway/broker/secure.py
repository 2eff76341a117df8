"""What a secure local broker needs before and after it starts: TLS identities, SCRAM
accounts, and the first ACLs (applied with the broker's own identity)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from gateway.broker.local import LocalKafka
from gateway.kafka import OPERATOR, WORKER, KafkaConnection, TlsFiles, adapter_identity
from gateway.signing.tls import BROKER_PRINCIPAL, ensure_scram_password, ensure_tls

__all__ = ["broker_connection", "prepare_identities"]


def prepare_identities(
    broker: LocalKafka, *, bodies: Iterable[str], adapters: Iterable[str]
) -> Mapping[str, str]:
    """Create the TLS CA, the broker's certificate and a client certificate for the
    operator, the worker, each adapter runner and each body (what is missing only); return
    the SCRAM-SHA-512 passwords of the service accounts (made once, kept 0600)."""
    services = [OPERATOR, WORKER, *(adapter_identity(a) for a in adapters)]
    ensure_tls(broker.tls.root, [*services, *bodies])
    return {name: ensure_scram_password(broker.tls.root, name) for name in services}


def broker_connection(broker: LocalKafka) -> KafkaConnection:
    """A connection as the broker's own identity (the super user), or PLAINTEXT when the
    broker runs insecure."""
    if not broker.secure:
        return KafkaConnection((broker.bootstrap,), "PLAINTEXT", identity="anonymous")
    own = broker.tls.broker
    return KafkaConnection(
        (broker.bootstrap,),
        "SSL",
        tls=TlsFiles(broker.tls.ca_cert, own.cert, own.key),
        identity=BROKER_PRINCIPAL,
    )
