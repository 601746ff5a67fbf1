"""Evaluation: datasets, the paper's success metric with argument accuracy, runs and reports."""

from ..dataset import DEFAULT_NOW, DatasetError, Example, load_examples
from ..tools import ArgKind
from .metrics import PlanScore, score_plan, token_f1
from .runner import ExampleResult, evaluate_example, run_evaluation, summarize

__all__ = [
    "DEFAULT_NOW",
    "ArgKind",
    "DatasetError",
    "Example",
    "ExampleResult",
    "PlanScore",
    "evaluate_example",
    "load_examples",
    "run_evaluation",
    "score_plan",
    "summarize",
    "token_f1",
]
