"""Retrieval for the planner prompt: similar solved examples (and, later, Tool RAG)."""

from .examples import Example, ExampleRetriever, default_bank

__all__ = ["Example", "ExampleRetriever", "default_bank"]
