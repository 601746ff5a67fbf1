"""Planning datasets: a scenario generator for the assistant's 16 tools, sanity checks, dedup, splits,
dataset cards, training export through the runtime's prompt builder, a TinyAgent importer, and a teacher
mode that distils requests and plans from a model behind an OpenAI-compatible endpoint.

The CLI is ``edgecall data ...`` (``edgecall.cli.data``); the modules here are importable on their own:
``generate.generate_splits``, ``validate.validate_rows``, ``checks.check_example``, ``card.render_card``,
``export.export_rows``, ``teacher.Teacher``; rows, their reader and the TinyAgent importer are `edgecall.dataset`.
"""

__all__: list[str] = []  # import the modules directly (generating data needs the assistant's tools)
