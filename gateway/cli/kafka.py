"""``gateway kafka up|down|status``: the local Apache Kafka broker for development and tests."""

from __future__ import annotations

import asyncio
import time

import click

from gateway.acl import apply_acls, load_plan
from gateway.broker import LocalKafka, broker_answers, wait_for_broker
from gateway.broker.secure import broker_connection, prepare_identities
from gateway.cli.acl import acl_inputs, render_changes
from gateway.config import Settings
from gateway.exceptions import BrokerError
from gateway.services import load_services
from gateway.topics import load_topics

__all__ = ["kafka", "local_kafka", "secure_up"]


def local_kafka(settings: Settings, *, secure: bool | None = None) -> LocalKafka:
    """The local broker the settings describe (secure unless the clients use PLAINTEXT)."""
    return LocalKafka(
        settings.home,
        port=settings.local_kafka_port,
        controller_port=settings.local_controller_port,
        sasl_port=settings.local_kafka_sasl_port,
        heap=settings.local_kafka_heap,
        tls_dir=settings.tls_dir,
        secure=settings.kafka_security_protocol != "PLAINTEXT" if secure is None else secure,
    )


def secure_up(settings: Settings, broker: LocalKafka, timeout: float) -> tuple[bool, list[str]]:
    """Start ``broker`` (identities first when secure), wait for it, apply the ACLs of the
    declared exchange; returns whether it was started and the ACL lines to print."""
    scram: dict[str, str] = {}
    if broker.secure:
        topics = load_topics(settings.topics_file)
        services = load_services(settings.services_file)
        adapters = sorted(set(topics.adapters) | set(services.adapters))
        scram = dict(
            prepare_identities(broker, bodies=[b.code for b in topics.bodies], adapters=adapters)
        )
    started = broker.start(scram)
    connection = broker_connection(broker)
    try:
        asyncio.run(wait_for_broker(connection, timeout))
    except TimeoutError:
        raise BrokerError(
            f"the broker did not answer at {broker.bootstrap} within {timeout:.0f} s; "
            f"its last output:\n{broker.log_tail()}",
            hint=f"read {broker.log_file}; a port in use is the usual cause",
        ) from None
    if not broker.secure:
        return started, []
    changes = asyncio.run(apply_acls(connection, load_plan(acl_inputs(settings))))
    return started, render_changes(changes, dry_run=False)[-1:]


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
@click.option(
    "--insecure",
    is_flag=True,
    help="PLAINTEXT, no authentication, no authorizer: anyone on the host may read and "
    "write every topic. Only for experiments; clients then need "
    "GATEWAY_KAFKA_SECURITY_PROTOCOL=PLAINTEXT.",
)
@click.pass_obj
def up(settings: Settings, timeout: float, insecure: bool) -> None:
    """Start the broker unless it runs, wait until it answers, print its address.

    Secure by default: mutual TLS on the client port, SCRAM-SHA-512 over TLS on the SASL
    port, the StandardAuthorizer denying what no ACL allows. The development TLS
    identities and the ACLs of topics.yaml and services.yaml are created when missing.
    """
    broker = local_kafka(settings, secure=False if insecure else None)
    if not broker.secure:
        click.secho(
            "warning: starting Kafka WITHOUT authentication or authorization (PLAINTEXT): "
            "any local process can read every inbox and write every outbox",
            fg="yellow",
            err=True,
        )
    began = time.monotonic()
    if broker.fetch():
        click.echo(f"fetched the Kafka jars into {broker.libs_dir}", err=True)
    started, acl_lines = secure_up(settings, broker, timeout)
    state = "started" if started else "already running"
    mode = "mutual TLS + ACLs" if broker.secure else "PLAINTEXT, insecure"
    click.echo(f"kafka {state} in {time.monotonic() - began:.1f} s ({mode})", err=True)
    for line in acl_lines:
        click.echo(f"acl: {line}", err=True)
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
    answers = st.running and asyncio.run(broker_answers(broker_connection(broker)))
    click.echo(f"bootstrap: {st.bootstrap}")
    click.echo(f"process:   {'running, pid ' + str(st.pid) if st.running else 'not running'}")
    click.echo(f"answers:   {'yes' if answers else 'no'}")
    click.echo(f"data:      {st.data_dir}{'' if st.formatted else ' (not formatted yet)'}")
    if not answers:
        raise SystemExit(1)
