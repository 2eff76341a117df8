"""Interagency exchange gateway: signed Avro requests and responses between state bodies.

Sub-packages, one per concern: ``config`` (settings), ``broker`` (the local Kafka),
``topics`` (topics as code), ``schemas`` (Avro), ``signing`` (signatures and certificates),
``calendar`` (business days and legal deadlines), ``adapters`` (external systems),
``cli`` (the command line).
"""

from __future__ import annotations

from gateway.exceptions import GatewayError
from gateway.reasons import Reason

__all__ = ["GatewayError", "Reason", "__version__"]

__version__ = "0.1.0"
