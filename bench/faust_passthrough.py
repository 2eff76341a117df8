"""A bare Faust pass-through agent (topic A -> topic B, raw bytes): the pipeline's floor.

    GATEWAY_KAFKA_BOOTSTRAP=... GATEWAY_KAFKA_SECURITY_PROTOCOL=SSL \\
    GATEWAY_KAFKA_IDENTITY=bench-passthrough GATEWAY_KAFKA_SSL_CAFILE=... \\
    GATEWAY_KAFKA_SSL_CERTFILE=... GATEWAY_KAFKA_SSL_KEYFILE=... \\
    python -m bench.faust_passthrough SOURCE SINK APP_ID

Configured like the gateway's worker (linger 5 ms, acks=all, same session settings), so the
difference in ``bench.pipeline`` is the gateway's own work. It reaches Kafka as the gateway's
processes do: its connection comes from the ``GATEWAY_KAFKA_*`` environment through
:func:`gateway.kafka.connection_for` (``bench.broker.connection_env`` writes it), and
``faust.App`` gets ``connection.faust_options()``.

Identity: its own, ``bench-passthrough`` (``bench.pipeline`` issues its TLS certificate from
the broker's CA), with ACLs for exactly its topics and group (READ the source, WRITE the
sink, READ the group ``APP_ID``, ALL on Faust's own ``APP_ID-*`` topics), granted by
``bench.pipeline`` for the run and removed after it. Not the broker's identity: a super user
skips the authorizer's ACL look-ups, and the floor should pay what the gateway's worker pays
(TLS and authorization alike), or the gateway/Faust ratio on the secure broker would be
unfair to the gateway.
"""

from __future__ import annotations

import sys

import faust

from gateway.config import Settings
from gateway.kafka import connection_for

IDENTITY = "bench-passthrough"


def main() -> None:
    if len(sys.argv) < 4:
        raise SystemExit("usage: python -m bench.faust_passthrough SOURCE SINK APP_ID")
    source, sink, app_id = sys.argv[1:4]
    connection = connection_for(Settings(), IDENTITY)  # GATEWAY_KAFKA_IDENTITY overrides it
    app = faust.App(
        app_id,
        **connection.faust_options(),
        store="memory://",
        consumer_auto_offset_reset="earliest",
        producer_linger=0.005,
        producer_acks=-1,
        broker_session_timeout=10.0,
        broker_heartbeat_interval=1.0,
        broker_commit_interval=1.0,
        web_enabled=False,
    )
    src = app.topic(
        source, key_type=bytes, value_type=bytes, key_serializer="raw", value_serializer="raw"
    )
    dst = app.topic(
        sink, key_type=bytes, value_type=bytes, key_serializer="raw", value_serializer="raw"
    )

    @app.agent(src)
    async def passthrough(stream):  # type: ignore[no-untyped-def]
        async for event in stream.events():
            await dst.send(key=event.key, value=event.value)

    sys.argv = [sys.argv[0], "worker", "-l", "warning"]
    faust.Worker(app, loglevel="WARNING", quiet=True).execute_from_commandline()


if __name__ == "__main__":
    main()
