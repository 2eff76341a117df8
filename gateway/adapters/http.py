"""Shared HTTP plumbing for adapters whose target speaks JSON over HTTP.

One :class:`aiohttp.ClientSession` per adapter (a pool, never a connection per message), the
bearer token, the ``Idempotency-Key`` header, and one classification of failures:

* connection refused, reset, DNS failure, timeout, HTTP 5xx: retriable ``DeliveryError``;
* HTTP 429 and 503 with ``Retry-After``: ``BackpressureError(retry_after=...)``;
* any other 4xx: ``DeliveryError(retriable=False)`` with the target's error code and field.
"""

from __future__ import annotations

import ssl
import time
from email.utils import parsedate_to_datetime
from typing import Any

import aiohttp

from gateway.adapters.base import Adapter
from gateway.exceptions import BackpressureError, ConfigError, DeliveryError

__all__ = ["HttpAdapter", "retry_after_seconds"]

_BACKPRESSURE = frozenset({429, 503})
_DEFAULT_RETRY_AFTER_S = 1.0


def retry_after_seconds(value: str | None, *, now_s: float | None = None) -> float | None:
    """A ``Retry-After`` header (seconds or an HTTP date) in seconds; None if absent or bad."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (now_s if now_s is not None else time.time()))


class HttpAdapter(Adapter):
    """An adapter with a JSON HTTP client; subclasses implement ``deliver`` with :meth:`call`."""

    _session: aiohttp.ClientSession | None = None

    async def setup(self) -> None:
        settings = self.settings
        context: ssl.SSLContext | bool = settings.verify_tls
        if settings.ca_file is not None:
            context = ssl.create_default_context(cafile=str(settings.ca_file))
        headers = {"User-Agent": f"uz-exchange-gateway/{self.name}"}
        if settings.token is not None:
            headers["Authorization"] = f"Bearer {settings.token.get_secret_value()}"
        self._session = aiohttp.ClientSession(
            base_url=settings.url + "/",
            headers=headers,
            timeout=aiohttp.ClientTimeout(
                total=settings.timeout_s, sock_connect=settings.connect_timeout_s
            ),
            connector=aiohttp.TCPConnector(limit=settings.max_connections, ssl=context),
            raise_for_status=False,
        )

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def call(
        self, method: str, path: str, *, idempotency_key: str, body: Any = None
    ) -> tuple[int, dict[str, Any]]:
        """Send one JSON request; return (status, JSON answer) for 2xx, raise otherwise."""
        if self._session is None:
            raise ConfigError(
                f"adapter {self.name} used before setup()",
                hint="use the adapter as `async with Adapter(...) as a:` or call setup() first",
            )
        target = f"{method} {self.settings.url}/{path.lstrip('/')}"
        try:
            async with self._session.request(
                method,
                path.lstrip("/"),
                json=body,
                headers={"Idempotency-Key": idempotency_key},
            ) as answer:
                status = answer.status
                data = await _json(answer)
                retry_after = retry_after_seconds(answer.headers.get("Retry-After"))
        except TimeoutError:
            raise DeliveryError(
                f"{target} did not answer within {self.settings.timeout_s} s",
                retriable=True,
                code="timeout",
                hint="the target is slow or down; the runner retries",
            ) from None
        except aiohttp.ClientError as exc:
            raise DeliveryError(
                f"{target} failed: {type(exc).__name__}: {exc}",
                retriable=True,
                code="connection",
                hint="check that the target is up and base_url is right",
            ) from None
        if 200 <= status < 300:
            return status, data
        found = data.get("error")
        error: dict[str, Any] = found if isinstance(found, dict) else {}
        code = str(error.get("code") or f"http_{status}")
        text = str(error.get("message") or "no explanation given")
        field = error.get("field")
        message = f"{target} answered {status} {code}: {text}"
        if status in _BACKPRESSURE and (retry_after is not None or status == 429):
            raise BackpressureError(
                message,
                retry_after=retry_after if retry_after is not None else _DEFAULT_RETRY_AFTER_S,
                code=code,
                status=status,
            )
        if status >= 500 or status in {408, 425}:
            raise DeliveryError(message, retriable=True, code=code, status=status)
        if status in {401, 403}:
            hint = f"check GATEWAY_ADAPTER_{self.name.upper()}_TOKEN"
        else:
            hint = "the target refuses this message as it is; fix it, then `gateway dlq replay`"
        raise DeliveryError(
            message,
            retriable=False,
            code=code,
            status=status,
            field=str(field) if field else None,
            hint=hint,
        )


async def _json(answer: aiohttp.ClientResponse) -> dict[str, Any]:
    try:
        data = await answer.json(content_type=None)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {"items": data}
