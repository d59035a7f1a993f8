"""The one validator, shared by the CLI and the build: gather, model, then apply the rules."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from incident_kb.checks import rules, siteconfig
from incident_kb.core.config import Config
from incident_kb.core.findings import Finding, Findings, Level
from incident_kb.documents import docstree
from incident_kb.documents.docstree import Tree
from incident_kb.documents.loading import PageText, load_knowledge_base
from incident_kb.documents.model import KnowledgeBase
from incident_kb.documents.pagemeta import OrdinaryPage, read_page


@dataclass(frozen=True)
class Result:
    """Everything a run produced: the model of the valid documents and every finding."""

    kb: KnowledgeBase
    findings: tuple[Finding, ...]
    documents: int
    texts: dict[str, PageText] = field(default_factory=dict, compare=False, repr=False)
    #: Ordinary pages by path as shown in findings: checked front-matter and body.
    pages: dict[str, OrdinaryPage] = field(default_factory=dict, compare=False, repr=False)
    #: What docs_dir holds, and what of it must not be published.
    tree: Tree = field(default_factory=lambda: Tree((), (), frozenset()), compare=False)

    def count(self, level: Level) -> int:
        return sum(1 for f in self.findings if f.level is level)

    def failed(self, strict: bool = False) -> bool:
        """Errors fail a run; with ``strict``, warnings do too. Notices never do."""
        return self.count(Level.ERROR) > 0 or (strict and self.count(Level.WARNING) > 0)


def check(config: Config, today: date, theme_files: Iterable[str] | None = None) -> Result:
    """Check every file under docs_dir, load every document and ordinary page once,
    validate, build the model and run every rule.

    ``theme_files``: the style sheets and scripts the site lists (default: mkdocs.yml's,
    as the configuration read them).
    """
    findings = Findings()
    siteconfig.check_mkdocs_yml(config.root, config.docs_dir, findings)
    if theme_files is None:
        theme_files = config.theme_files
    tree = docstree.scan(config, findings, theme_files)
    texts: dict[str, PageText] = {}
    kb, documents = load_knowledge_base(config, findings, texts, tree.refused)
    pages: dict[str, OrdinaryPage] = {}
    for rel in tree.pages:
        shown = config.relative(config.docs_dir / rel)
        if (page := read_page(config.docs_dir / rel, shown, findings)) is not None:
            pages[shown] = page
            rules.check_unsafe_body(shown, page.body, page.body_line, config, findings)
    rules.run_all(kb, config, today, findings)
    return Result(kb, tuple(findings.sorted()), documents, texts, pages, tree)
