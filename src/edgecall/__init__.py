"""edgecall: function-calling agents at the edge (TinyAgent-style LLMCompiler planning on small local models)."""

__version__ = "0.1.0"
