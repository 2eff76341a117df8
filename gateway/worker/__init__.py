"""The exchange worker: the Faust application that wires the pipeline's core to Kafka.

Run it with ``gateway worker``; scale out by running more, up to the partition count. The app
itself is :func:`gateway.worker.app.build_worker`, imported from its module where needed:
Faust is heavy, and every other command (and the demo, which starts a worker process) does
without it.
"""

from gateway.worker.process import start_worker_process, stop_worker_process

__all__ = ["start_worker_process", "stop_worker_process"]
