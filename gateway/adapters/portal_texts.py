"""Applicant-facing texts of each portal stage, in Uzbek (Latin script) and Russian.

The texts name the body and the service, never the applicant: the portal already knows whose
application it is (resolution 184 asks for integration, not for more personal data).
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from gateway.calendar import default_calendar

__all__ = ["STAGES", "stage_text"]

STAGES: Final = (
    "received",
    "sent_to_holder",
    "answered",
    "refused",
    "overdue",
    "result_ready",
    "deadline_changed",
)

_UZ: Final = {
    "received": "Arizangiz bo'yicha so'rov {body} tomonidan yuborildi ({service}).",
    "sent_to_holder": "So'rov {body} ga yetkazildi; javob muddati: {deadline}.",
    "answered": "{body} so'rovga javob berdi ({service}).",
    "refused": "{body} so'rovni rad etdi. Sabablari quyida keltirilgan.",
    "overdue": "{body} javob muddatini o'tkazib yubordi ({deadline}). Xizmat davom etmoqda.",
    "result_ready": "Natija tayyor: uni {body} dan olishingiz mumkin.",
    "deadline_changed": 'Ish kunlari taqvimi o\'zgardi: "{body}" uchun javob muddati endi '
    "{deadline}.",
}

_RU: Final = {
    "received": "Запрос по вашему заявлению направлен органом «{body}» ({service}).",
    "sent_to_holder": "Запрос доставлен в «{body}»; срок ответа: {deadline}.",
    "answered": "«{body}» ответил на запрос ({service}).",
    "refused": "«{body}» отказал в предоставлении сведений. Причины приведены ниже.",
    "overdue": "«{body}» нарушил срок ответа ({deadline}). Оказание услуги продолжается.",
    "result_ready": "Результат готов: его можно получить в «{body}».",
    "deadline_changed": "Изменился производственный календарь: срок ответа «{body}» теперь "
    "{deadline}.",
}

_NO_TERM: Final = {"uz": "muddatsiz", "ru": "без срока"}


def _when(deadline: datetime | None, language: str) -> str:
    if deadline is None:
        return _NO_TERM[language]
    local = default_calendar().to_local(deadline)
    return (
        local.strftime("%d.%m.%Y %H:%M") + " (Toshkent)"
        if language == "uz"
        else (local.strftime("%d.%m.%Y %H:%M") + " (Ташкент)")
    )


def stage_text(stage: str, *, body: str, service: str, deadline: datetime | None) -> dict[str, str]:
    """The ``{"uz": ..., "ru": ...}`` text of ``stage`` for the portal."""
    return {
        "uz": _UZ[stage].format(body=body, service=service, deadline=_when(deadline, "uz")),
        "ru": _RU[stage].format(body=body, service=service, deadline=_when(deadline, "ru")),
    }
