"""The exchange worker: the Faust application that wires the pipeline's core to Kafka.

Run it with ``gateway worker``; scale out by running more, up to the partition count.
"""

from gateway.worker.app import GatewayWorker, build_worker

__all__ = ["GatewayWorker", "build_worker"]
