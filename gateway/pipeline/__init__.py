"""The exchange pipeline's pure core: intake decisions, case state, outputs and deadlines
(overdue cases, and deadlines moved by a change of the working calendar).

Nothing here knows Faust or Kafka; :mod:`gateway.worker` wires it to topics and tables.
"""

from gateway.pipeline.deadlines import (
    DEADLINE_CHANGED,
    DeadlineChange,
    deadline_changed_outputs,
    recompute_deadline,
)
from gateway.pipeline.intake import CaseLookup, Decision, Intake, IntakePolicy
from gateway.pipeline.outputs import Output, Outputs, Source, event_id
from gateway.pipeline.overdue import overdue_outputs
from gateway.pipeline.state import Case, CaseStatus

__all__ = [
    "DEADLINE_CHANGED",
    "Case",
    "CaseLookup",
    "CaseStatus",
    "DeadlineChange",
    "Decision",
    "Intake",
    "IntakePolicy",
    "Output",
    "Outputs",
    "Source",
    "deadline_changed_outputs",
    "event_id",
    "overdue_outputs",
    "recompute_deadline",
]
