"""Retrieval for the planner prompt: similar solved examples (and, later, Tool RAG)."""

from .examples import Example, ExampleRetriever

__all__ = ["Example", "ExampleRetriever"]
