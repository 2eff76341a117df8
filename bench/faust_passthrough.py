"""A bare Faust pass-through agent (topic A -> topic B, raw bytes): the pipeline's floor.

    python -m bench.faust_passthrough SOURCE SINK APP_ID BOOTSTRAP

Configured like the gateway's worker (linger 5 ms, acks=all, same session settings), so the
difference in ``bench.pipeline`` is the gateway's own work.
"""

from __future__ import annotations

import sys

import faust


def main() -> None:
    source, sink, app_id, bootstrap = sys.argv[1:5]
    app = faust.App(
        app_id,
        broker=f"kafka://{bootstrap}",
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
