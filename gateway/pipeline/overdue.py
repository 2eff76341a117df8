"""Overdue cases (item 17): a late answer is escalated, never a ground to refuse the applicant.

Called by the worker's timer for each open case past its deadline. The requester and the
holder each get a signed ``overdue`` notice in their inbox; the events topic (statistics,
tracking) and the adapters the service names get the event. Its id is deterministic, so a
second timer or a replay repeats rather than adds it.
"""

from __future__ import annotations

from datetime import datetime

from gateway.pipeline.outputs import Output, Outputs
from gateway.pipeline.state import Case
from gateway.topics.names import adapter_topic

__all__ = ["overdue_outputs"]


def overdue_outputs(case: Case, outputs: Outputs, *, now: datetime, actor: str) -> list[Output]:
    """The outputs that announce ``case`` as overdue at ``now``."""
    detail = {"service": case.service, "requester": case.requester, "holder": case.holder}
    status = outputs.status(
        case_id=case.case_id,
        message_id=case.request_id,
        stage="overdue",
        at=now,
        actor=actor,
        deadline=case.due_at,
        detail=detail,
    )
    event = outputs.publish(status)
    notices = [outputs.notice(org, status) for org in (case.requester, case.holder)]
    adapters = [
        Output(adapter_topic(a), event.key, event.value, event.headers) for a in case.adapters
    ]
    return [event, *notices, *adapters]
