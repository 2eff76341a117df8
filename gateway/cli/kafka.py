"""``gateway kafka up|down|status``: the local Apache Kafka broker for development and tests."""

from __future__ import annotations

import asyncio
import time

import click

from gateway.broker import LocalKafka, broker_answers, wait_for_broker
from gateway.config import Settings
from gateway.exceptions import BrokerError

__all__ = ["kafka", "local_kafka"]


def local_kafka(settings: Settings) -> LocalKafka:
    """The local broker the settings describe."""
    return LocalKafka(
        settings.home,
        port=settings.local_kafka_port,
        controller_port=settings.local_controller_port,
        heap=settings.local_kafka_heap,
    )


@click.group()
def kafka() -> None:
    """Run a real Apache Kafka 4.0 broker (KRaft) locally, from Maven Central jars."""


@kafka.command()
@click.pass_obj
def fetch(settings: Settings) -> None:
    """Fetch the broker's jars from Maven Central into the cache (done by ``up`` too)."""
    broker = local_kafka(settings)
    fetched = broker.fetch()
    click.echo(
        f"kafka {broker.libs_dir.name} {'fetched' if fetched else 'cached'}: {broker.libs_dir}"
    )


@kafka.command()
@click.option("--timeout", default=90.0, show_default=True, help="Seconds to wait for it.")
@click.pass_obj
def up(settings: Settings, timeout: float) -> None:
    """Start the broker unless it runs, wait until it answers, print its address."""
    broker = local_kafka(settings)
    began = time.monotonic()
    if broker.fetch():
        click.echo(f"fetched the Kafka jars into {broker.libs_dir}", err=True)
    started = broker.start()
    try:
        asyncio.run(wait_for_broker(broker.bootstrap, timeout))
    except TimeoutError:
        raise BrokerError(
            f"the broker did not answer at {broker.bootstrap} within {timeout:.0f} s; "
            f"its last output:\n{broker.log_tail()}",
            hint=f"read {broker.log_file}; a port in use is the usual cause",
        ) from None
    state = "started" if started else "already running"
    click.echo(f"kafka {state} in {time.monotonic() - began:.1f} s", err=True)
    click.echo(broker.bootstrap)


@kafka.command()
@click.option("--kill", is_flag=True, help="SIGKILL instead of a controlled shutdown.")
@click.pass_obj
def down(settings: Settings, kill: bool) -> None:
    """Stop the broker; its data stays for the next ``up``."""
    broker = local_kafka(settings)
    click.echo("kafka stopped" if broker.stop(kill=kill) else "kafka was not running")


@kafka.command()
@click.pass_obj
def status(settings: Settings) -> None:
    """Say whether the broker runs and answers; exit 1 when it does not."""
    broker = local_kafka(settings)
    st = broker.status()
    answers = st.running and asyncio.run(broker_answers(broker.bootstrap))
    click.echo(f"bootstrap: {st.bootstrap}")
    click.echo(f"process:   {'running, pid ' + str(st.pid) if st.running else 'not running'}")
    click.echo(f"answers:   {'yes' if answers else 'no'}")
    click.echo(f"data:      {st.data_dir}{'' if st.formatted else ' (not formatted yet)'}")
    if not answers:
        raise SystemExit(1)
