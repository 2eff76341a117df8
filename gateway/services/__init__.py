"""The service registry (``services.yaml``): who may ask whom for which service (item 21).

Per unique registry number: the service's name, the body that provides it, the bodies allowed
to request it, the documents it may return, its deadline policy (items 13, 22), the adapters
to notify, and whether personal data is involved. Deny by default.
"""

from gateway.services.registry import Service, ServiceRegistry
from gateway.services.reloading import ReloadingRegistry
from gateway.services.spec import load_services

__all__ = ["ReloadingRegistry", "Service", "ServiceRegistry", "load_services"]
