"""Every Kafka client of the product is built by the connection layer (gateway/kafka/).

A client built by hand would skip the security settings (that is how the first round had
``KAFKA_SECURITY_PROTOCOL`` declared and read by no client), so the source is searched for
constructors of aiokafka clients and for Faust apps given a broker by hand.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
CLIENTS = {"AIOKafkaProducer", "AIOKafkaConsumer", "AIOKafkaAdminClient", "AIOKafkaClient"}


def _calls(path: Path) -> list[tuple[int, str, list[str]]]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            found.append((node.lineno, name, [k.arg or "**" for k in node.keywords]))
    return found


def _sources() -> list[Path]:
    return [
        p
        for folder in ("gateway", "bench", "tests")
        for p in sorted((ROOT / folder).rglob("*.py"))
        if "kafka" not in p.relative_to(ROOT).parts[1:2]  # gateway/kafka/ itself
    ]


def test_no_aiokafka_client_is_built_outside_the_connection_layer() -> None:
    by_hand = [
        f"{path.relative_to(ROOT)}:{line} {name}"
        for path in _sources()
        for line, name, _ in _calls(path)
        if name in CLIENTS
    ]
    assert by_hand == [], "build clients with KafkaConnection.producer/consumer/admin"


def test_faust_apps_take_broker_and_credentials_from_a_connection() -> None:
    apps = [
        (path, line, keywords)
        for path in _sources()
        for line, name, keywords in _calls(path)
        if (name == "App" and "store" in keywords) or (name == "App" and "**" in keywords)
    ]
    assert apps, "the worker's faust.App was not found"
    for path, line, keywords in apps:
        where = f"{path.relative_to(ROOT)}:{line}"
        assert "broker" not in keywords, f"{where}: use **connection.faust_options()"
        assert "**" in keywords, f"{where}: use **connection.faust_options()"
