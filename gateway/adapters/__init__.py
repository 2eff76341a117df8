"""Adapters to external systems (E-qaror, NIS.UZ, the unified portal, and third-party ones).

The API for integrators: subclass :class:`Adapter` (or :class:`HttpAdapter`), give it a
``name`` and a ``settings_class``, implement ``deliver``, and register the class in the
``gateway.adapters`` entry-point group. docs/adapters.md walks through it. Nothing here loads
an adapter at import: :class:`AdapterRegistry` does, when a command builds it.
"""

from gateway.adapters.base import Adapter, AdapterContext, DeliveryReceipt
from gateway.adapters.http import HttpAdapter
from gateway.adapters.message import AdapterMessage, decode_adapter_record
from gateway.adapters.registry import ENTRY_POINT_GROUP, AdapterRegistry
from gateway.adapters.settings import AdapterSettings, env_prefix, load_adapter_settings
from gateway.exceptions import BackpressureError, DeliveryError

__all__ = [
    "ENTRY_POINT_GROUP",
    "Adapter",
    "AdapterContext",
    "AdapterMessage",
    "AdapterRegistry",
    "AdapterSettings",
    "BackpressureError",
    "DeliveryError",
    "DeliveryReceipt",
    "HttpAdapter",
    "decode_adapter_record",
    "env_prefix",
    "load_adapter_settings",
]
