"""A real Apache Kafka 4.0 broker in KRaft mode, from Maven Central jars, run with ``java``.

No Docker engine runs on the development and CI machines, so ``gateway kafka up`` resolves
``org.apache.kafka:kafka_2.13`` and a Log4j2 binding with Maven (``dev/kafka/pom.xml``) into
a cache folder, formats the storage once, and starts ``kafka.Kafka`` in its own process group.
Data lives under ``<home>/kafka/<port>/`` so a restart keeps every message.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import os
import shutil
import signal
import subprocess
import time
import uuid
from collections.abc import Mapping
from pathlib import Path

from gateway.exceptions import BrokerError
from gateway.signing.tls import BROKER_PRINCIPAL, PRINCIPAL_MAPPING_RULES, TlsLayout

__all__ = ["KAFKA_VERSION", "BrokerStatus", "LocalKafka", "default_pom"]

KAFKA_VERSION = "4.0.1"
_MAIN = "kafka.Kafka"
_STORAGE_TOOL = "kafka.tools.StorageTool"


def default_pom() -> Path:
    """The Maven project that lists the broker's jars (``dev/kafka/pom.xml`` of the checkout)."""
    return Path(__file__).resolve().parents[2] / "dev" / "kafka" / "pom.xml"


@dataclasses.dataclass(frozen=True)
class BrokerStatus:
    """What ``gateway kafka status`` reports."""

    bootstrap: str
    pid: int | None
    running: bool
    formatted: bool
    data_dir: Path


class LocalKafka:
    """One single-node KRaft broker (combined broker and controller) on loopback."""

    def __init__(
        self,
        home: Path,
        *,
        port: int = 9092,
        controller_port: int = 9093,
        heap: str = "512m",
        libs_dir: Path | None = None,
        pom: Path | None = None,
        secure: bool = True,
        sasl_port: int = 9094,
        tls_dir: Path | None = None,
    ) -> None:
        self.home = home.resolve()
        self.port = port
        self.controller_port = controller_port
        self.secure = secure
        self.sasl_port = sasl_port
        self.tls = TlsLayout((tls_dir or self.home / "pki" / "tls").resolve())
        self.heap = heap
        self.libs_dir = (libs_dir or self.home / "kafka" / f"libs-{KAFKA_VERSION}").resolve()
        self.pom = pom or default_pom()
        self.dir = self.home / "kafka" / str(port)
        self.data_dir = self.dir / "data"
        self.pid_file = self.dir / "broker.pid"
        self.log_file = self.dir / "broker.out"
        self._proc: subprocess.Popen[bytes] | None = None  # when this process started it

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    # --- jars -------------------------------------------------------------------------
    def fetch(self) -> bool:
        """Resolve the broker jars with Maven unless already cached; True when it fetched."""
        marker = self.libs_dir / ".complete"
        if marker.exists():
            return False
        if shutil.which("mvn") is None:
            raise BrokerError(
                "Maven (mvn) is not on PATH; it fetches the Kafka broker from Maven Central",
                hint="install it: apt-get install -y maven",
            )
        if not self.pom.exists():
            raise BrokerError(
                f"{self.pom} is missing; it lists the broker's jars",
                hint="run from a checkout of the gateway repository",
            )
        self.libs_dir.mkdir(parents=True, exist_ok=True)
        cmd = [
            "mvn", "-q", "-B", "-f", str(self.pom),
            "dependency:copy-dependencies", "-DincludeScope=runtime",
            f"-DoutputDirectory={self.libs_dir}",
        ]  # fmt: skip
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise BrokerError(
                "Maven could not fetch the Kafka broker jars: "
                + (proc.stdout + proc.stderr).strip()[-2000:],
                hint="check that Maven Central is reachable (mvn -v; ~/.m2/settings.xml)",
            )
        marker.write_text(KAFKA_VERSION)
        return True

    # --- configuration ----------------------------------------------------------------
    def _listener_lines(self) -> list[str]:
        """Listeners and security: mutual TLS, SCRAM over TLS, the authorizer; or PLAINTEXT."""
        cport = self.controller_port
        if not self.secure:
            return [
                f"listeners=PLAINTEXT://127.0.0.1:{self.port},CONTROLLER://127.0.0.1:{cport}",
                f"advertised.listeners=PLAINTEXT://127.0.0.1:{self.port}",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
            ]
        tls = self.tls
        for needed in (tls.broker_keystore, tls.ca_cert):
            if not needed.exists():
                raise BrokerError(
                    f"the broker's TLS file {needed} is missing",
                    hint="`gateway kafka up` creates it (or `gateway pki init`)",
                )
        return [
            f"listeners=SSL://127.0.0.1:{self.port},SASL_SSL://127.0.0.1:{self.sasl_port},"
            f"CONTROLLER://127.0.0.1:{cport}",
            f"advertised.listeners=SSL://127.0.0.1:{self.port},"
            f"SASL_SSL://127.0.0.1:{self.sasl_port}",
            "inter.broker.listener.name=SSL",
            "listener.security.protocol.map=CONTROLLER:SSL,SSL:SSL,SASL_SSL:SASL_SSL",
            # every listener: the broker's certificate, the TLS CA, TLS 1.2+ and host names
            "ssl.keystore.type=PEM",
            f"ssl.keystore.location={tls.broker_keystore}",
            "ssl.truststore.type=PEM",
            f"ssl.truststore.location={tls.ca_cert}",
            "ssl.client.auth=required",
            "ssl.enabled.protocols=TLSv1.3,TLSv1.2",
            "ssl.endpoint.identification.algorithm=https",
            f"ssl.principal.mapping.rules={PRINCIPAL_MAPPING_RULES}",
            # service accounts: SCRAM-SHA-512 over TLS (server authenticated, no client cert)
            "listener.name.sasl_ssl.ssl.client.auth=none",
            "sasl.enabled.mechanisms=SCRAM-SHA-512",
            "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config="
            "org.apache.kafka.common.security.scram.ScramLoginModule required;",
            # deny what no ACL allows; only the broker itself is a super user
            "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer",
            "allow.everyone.if.no.acl.found=false",
            f"super.users=User:{BROKER_PRINCIPAL}",
        ]

    def _write_config(self) -> Path:
        self.dir.mkdir(parents=True, exist_ok=True)
        props = self.dir / "server.properties"
        props.write_text(
            "\n".join(
                [
                    "process.roles=broker,controller",
                    "node.id=1",
                    f"controller.quorum.bootstrap.servers=127.0.0.1:{self.controller_port}",
                    *self._listener_lines(),
                    "controller.listener.names=CONTROLLER",
                    f"log.dirs={self.data_dir}",
                    "num.partitions=1",
                    # envelopes up to 4 MiB (MAX_ENVELOPE_BYTES) plus a rejection's framing
                    "message.max.bytes=5242880",
                    "replica.fetch.max.bytes=5242880",
                    "auto.create.topics.enable=false",
                    "offsets.topic.replication.factor=1",
                    "offsets.topic.num.partitions=10",
                    "transaction.state.log.replication.factor=1",
                    "transaction.state.log.min.isr=1",
                    "share.coordinator.state.topic.replication.factor=1",
                    "share.coordinator.state.topic.min.isr=1",
                    "group.initial.rebalance.delay.ms=0",
                    # one local node: a restart re-registers after the old session ends
                    "broker.session.timeout.ms=2000",
                    "broker.heartbeat.interval.ms=500",
                    "log.retention.check.interval.ms=60000",
                    "",
                ]
            )
        )
        log4j = self.dir / "log4j2.properties"
        log4j.write_text(
            "\n".join(
                [
                    "status = warn",
                    "appender.out.type = Console",
                    "appender.out.name = STDOUT",
                    "appender.out.layout.type = PatternLayout",
                    "appender.out.layout.pattern = [%d] %p %m (%c)%n",
                    "rootLogger.level = WARN",
                    "rootLogger.appenderRef.out.ref = STDOUT",
                    "logger.kafka.name = kafka.server.KafkaRaftServer",
                    "logger.kafka.level = INFO",
                    "",
                ]
            )
        )
        return props

    def _java(self, *args: str) -> list[str]:
        java_home = os.environ.get("JAVA_HOME")
        java = str(Path(java_home) / "bin" / "java") if java_home else "java"
        return [
            java,
            f"-Xms{self.heap}",
            f"-Xmx{self.heap}",
            "-XX:+UseG1GC",
            "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={self.dir / 'log4j2.properties'}",
            "-cp",
            str(self.libs_dir / "*"),
            *args,
        ]

    def _format(self, props: Path, scram: Mapping[str, str]) -> bool:
        if (self.data_dir / "meta.properties").exists():
            return False
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode()
        cmd = self._java(
            _STORAGE_TOOL, "format", "-t", cluster_id, "-c", str(props), "--standalone"
        )
        for name, password in sorted(scram.items()) if self.secure else ():
            cmd += ["--add-scram", f"SCRAM-SHA-512=[name={name},password={password}]"]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise BrokerError(
                f"formatting the broker storage in {self.data_dir} failed: "
                + (proc.stdout + proc.stderr).strip()[-2000:],
                hint=f"if the folder holds a broken broker, move it away: mv {self.dir} /tmp",
            )
        return True

    # --- process ----------------------------------------------------------------------
    def pid(self) -> int | None:
        """The broker's pid when its process is alive, else None."""
        try:
            pid = int(self.pid_file.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            return pid
        try:  # a pid reused by another program is not our broker
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            return pid
        return pid if _MAIN.encode() in cmdline and str(self.dir).encode() in cmdline else None

    def start(self, scram: Mapping[str, str] | None = None) -> bool:
        """Fetch, configure, format and start the broker unless it runs; True when started.

        ``scram`` maps SCRAM-SHA-512 service accounts to their passwords; they are created
        when the storage is formatted (a broker formatted before keeps the accounts it had).
        Does not wait for readiness: call :func:`gateway.broker.wait_for_broker` after.
        """
        if self.pid() is not None:
            return False
        self.fetch()
        props = self._write_config()
        self._format(props, scram or {})
        with self.log_file.open("ab") as out:
            self._proc = proc = subprocess.Popen(
                self._java(_MAIN, str(props)),
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        self.pid_file.write_text(str(proc.pid))
        return True

    def log_tail(self, lines: int = 30) -> str:
        """The last lines the broker printed, for error messages."""
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return "(no broker output yet)"

    def stop(self, timeout: float = 30.0, *, kill: bool = False) -> bool:
        """Stop the broker (controlled shutdown, SIGKILL after ``timeout``); True if it ran."""
        pid = self.pid()
        if pid is None:
            self.pid_file.unlink(missing_ok=True)
            return False
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL if kill else signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and _alive(pid):
            time.sleep(0.1)  # no event to await from a foreign process: poll its pid
        if _alive(pid):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
        if self._proc is not None:  # reap our own child
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._proc.wait(timeout=5)
            self._proc = None
        self.pid_file.unlink(missing_ok=True)
        return True

    def status(self) -> BrokerStatus:
        pid = self.pid()
        return BrokerStatus(
            bootstrap=self.bootstrap,
            pid=pid,
            running=pid is not None,
            formatted=(self.data_dir / "meta.properties").exists(),
            data_dir=self.data_dir,
        )


def _alive(pid: int) -> bool:
    try:
        waited, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        waited = 0  # not our child: fall through to the signal probe
    if waited == pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split()[2]
    except (OSError, IndexError):
        return True
    return state != "Z"
