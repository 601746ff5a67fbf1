"""Retrieval for the planner prompt: similar solved examples, and Tool RAG (which tools to offer)."""

from .examples import Example, ExampleRetriever
from .toolrag import ToolClassifier, ToolSelection, ToolSelector, default_classifier

__all__ = ["Example", "ExampleRetriever", "ToolClassifier", "ToolSelection", "ToolSelector", "default_classifier"]
