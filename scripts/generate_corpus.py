#!/usr/bin/env python3
"""Generate a deterministic, realistic incident knowledge base for benchmarks.

    scripts/generate_corpus.py N --seed S --out DIR [--end YYYY-MM-DD]

The generator is the ``corpusgen`` package next to this file (its vocabulary is in
``corpusgen/data``); this file is its command line, and re-exports ``generate`` for code
that loads the script by path.
"""

from __future__ import annotations

import sys
from pathlib import Path

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:  # loaded by path (importlib) rather than run as a script
    sys.path.insert(0, _HERE)

from corpusgen import DEFAULT_END, CorpusError, CorpusSummary, generate  # noqa: E402
from corpusgen.cli import main  # noqa: E402

__all__ = ["DEFAULT_END", "CorpusError", "CorpusSummary", "generate", "main"]

if __name__ == "__main__":
    sys.exit(main())
