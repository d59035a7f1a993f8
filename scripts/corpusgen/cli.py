"""``generate_corpus.py N --seed S --out DIR [--end YYYY-MM-DD]``: usage errors exit 2, an
output folder that cannot be used exits 1, both with a message and no traceback."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from corpusgen.corpus import DEFAULT_END, generate
from corpusgen.output import CorpusError


def _end_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date: use YYYY-MM-DD") from None


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="generate_corpus.py",
        description="Write a deterministic, valid incident knowledge base of N postmortems.",
    )
    parser.add_argument("n", metavar="N", type=_positive, help="number of postmortems")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--out", type=Path, required=True, help="output folder (new or empty)")
    parser.add_argument(
        "--end",
        type=_end_date,
        default=DEFAULT_END,
        help=f"last day of the corpus, YYYY-MM-DD (default {DEFAULT_END.isoformat()})",
    )
    args = parser.parse_args(argv)
    try:
        summary = generate(args.n, args.seed, args.out, args.end)
    except CorpusError as exc:
        print(f"generate_corpus: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"generate_corpus: cannot write {args.out}: {exc}", file=sys.stderr)
        return 1
    print(
        f"wrote {summary.postmortems} postmortems, {summary.runbooks} runbooks and "
        f"{summary.services} services ({summary.files} files, {summary.bytes} bytes) "
        f"to {args.out}"
    )
    return 0
