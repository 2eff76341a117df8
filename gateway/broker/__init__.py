"""The Kafka broker: a real Apache Kafka started from Maven Central jars, and readiness probes."""

from __future__ import annotations

from gateway.broker.local import KAFKA_VERSION, BrokerStatus, LocalKafka
from gateway.broker.probe import broker_answers, wait_for_broker

__all__ = ["KAFKA_VERSION", "BrokerStatus", "LocalKafka", "broker_answers", "wait_for_broker"]
