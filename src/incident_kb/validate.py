"""The one validator, shared by the CLI and the build: gather, model, then apply the rules."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from . import alertrules, bodytext, rules
from .config import Config
from .findings import Finding, Findings, Level
from .loading import PageText, load_knowledge_base
from .model import KnowledgeBase


@dataclass(frozen=True)
class Result:
    """Everything a run produced: the model of the valid documents and every finding."""

    kb: KnowledgeBase
    findings: tuple[Finding, ...]
    documents: int
    texts: dict[str, PageText] = field(default_factory=dict, compare=False, repr=False)

    def count(self, level: Level) -> int:
        return sum(1 for f in self.findings if f.level is level)

    def failed(self, strict: bool = False) -> bool:
        """Errors fail a run; with ``strict``, warnings do too. Notices never do."""
        return self.count(Level.ERROR) > 0 or (strict and self.count(Level.WARNING) > 0)


def check(config: Config, today: date) -> Result:
    """Load every document once, validate, build the model and run every rule."""
    findings = Findings()
    texts: dict[str, PageText] = {}
    kb, documents = load_knowledge_base(config, findings, texts)
    kb = replace(kb, defined_alerts=alertrules.defined_alerts(config))
    rules.run_all(kb, config, today, findings)
    bodytext.forget()  # the prose the rules shared is not needed past this point
    return Result(kb, tuple(findings.sorted()), documents, texts)
