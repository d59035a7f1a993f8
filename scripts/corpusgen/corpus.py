"""Plan a corpus from (N, seed, end date), then render and write it.

Planning decides every fact, drawing from one :class:`~corpusgen.choices.Choices` made here
from the seed; rendering turns facts into files. Nothing reads the clock, and files are
written in sorted order, so the same N, seed and end date give a byte-identical tree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from corpusgen.catalogue import make_people, make_runbooks, make_services, review_runbooks
from corpusgen.choices import Choices
from corpusgen.incidents import make_incidents
from corpusgen.model import Corpus
from corpusgen.output import (
    MARKER,
    CorpusError,
    marker_text,
    prepare_output,
    project_files,
    write_files,
)
from corpusgen.pages import render_home, render_policy, render_runbook, render_service
from corpusgen.postmortem import render_postmortem
from corpusgen.vocabulary import Vocabulary, load

DEFAULT_END = date(2026, 11, 1)


@dataclass(frozen=True)
class CorpusSummary:
    """What ``generate`` wrote, for the benchmark harness and the command's last line."""

    postmortems: int
    runbooks: int
    services: int
    files: int
    bytes: int


def plan(n: int, seed: int, end: date, vocab: Vocabulary, choices: Choices) -> Corpus:
    """Every fact of the corpus: N postmortems, N/5 runbooks, N/100 services (at least 6)."""
    services = make_services(max(6, n // 100), vocab, choices)
    runbooks = make_runbooks(max(1, n // 5), services, vocab, choices)
    people = make_people(services, vocab, choices)
    incidents = make_incidents(n, end, services, runbooks, people, vocab, choices)
    review_runbooks(runbooks, incidents, end, choices)
    return Corpus(n, seed, end, services, runbooks, people, incidents)


def render(corpus: Corpus, vocab: Vocabulary, choices: Choices) -> dict[str, str | bytes]:
    """Every file of the corpus by relative path."""
    files: dict[str, str | bytes] = {
        MARKER: marker_text(corpus.n, corpus.seed, corpus.end.isoformat()),
        **project_files(),
        "docs/index.md": render_home(corpus.services, corpus.n, corpus.end),
        "docs/policies/severity.md": render_policy(corpus.incidents, vocab),
    }
    by_id = corpus.services_by_id
    for svc in corpus.services:
        files[f"docs/services/{svc.id}.md"] = render_service(svc, corpus, vocab, choices)
    for rb in corpus.runbooks:
        path = f"docs/runbooks/{rb.services[0]}/{rb.id}.md"
        files[path] = render_runbook(rb, corpus, vocab, choices)
    for inc in corpus.incidents:
        files[f"docs/postmortems/{inc.path}"] = render_postmortem(inc, by_id, vocab, choices)
    return files


def generate(n: int, seed: int, out: Path, end: date = DEFAULT_END) -> CorpusSummary:
    """Write a corpus of ``n`` postmortems to ``out``; raises CorpusError if out is foreign."""
    if n < 1:
        raise CorpusError("N must be at least 1")
    vocab = load()
    choices = Choices(seed)
    corpus = plan(n, seed, end, vocab, choices)
    files = render(corpus, vocab, choices)
    prepare_output(out)
    total = write_files(out, files)
    return CorpusSummary(
        len(corpus.incidents), len(corpus.runbooks), len(corpus.services), len(files), total
    )
