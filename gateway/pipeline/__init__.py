"""The exchange pipeline's pure core: intake decisions, case state, outputs and deadlines.

Nothing here knows Faust or Kafka; :mod:`gateway.worker` wires it to topics and tables.
"""

from gateway.pipeline.intake import CaseLookup, Decision, Intake, IntakePolicy
from gateway.pipeline.outputs import Output, Outputs, Source, event_id
from gateway.pipeline.overdue import overdue_outputs
from gateway.pipeline.state import Case, CaseStatus

__all__ = [
    "Case",
    "CaseLookup",
    "CaseStatus",
    "Decision",
    "Intake",
    "IntakePolicy",
    "Output",
    "Outputs",
    "Source",
    "event_id",
    "overdue_outputs",
]
