"""Running plans: the parallel executor, joiners, and the plan-execute-join agent loop."""

from ..planner import Planner, PlanOutcome
from .agent import Agent, AgentResult, Round
from .approval import DECLINED, ApprovalRequest, Approver, ConsentUnavailable, PendingAct
from .events import Event, EventKind
from .executor import Executor, TaskResult, resolve_args
from .joiner import Finish, LLMJoiner, Replan, RuleJoiner

__all__ = [
    "DECLINED",
    "Agent",
    "AgentResult",
    "ApprovalRequest",
    "Approver",
    "ConsentUnavailable",
    "Event",
    "EventKind",
    "Executor",
    "Finish",
    "LLMJoiner",
    "PendingAct",
    "PlanOutcome",
    "Planner",
    "Replan",
    "Round",
    "RuleJoiner",
    "TaskResult",
    "resolve_args",
]
