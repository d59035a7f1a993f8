"""A deterministic, realistic incident knowledge base of any size, for benchmarks.

The output folder becomes a complete, buildable project like this repository: ``docs/``
(home page, severity policy, services, runbooks, postmortems by year), ``mkdocs.yml``,
``hooks/incident_kb_site.py`` and ``incident-kb.toml``. Every document passes
``incident-kb validate --strict`` (notices aside), so a benchmark measures the tool on a
clean knowledge base of the size it will meet, not on a stream of findings.

Modules, in the order a corpus is made:

* ``vocabulary``: the prose and names, read from ``data/*.yaml``;
* ``choices``: every random decision, from the seed;
* ``catalogue``, ``incidents``, ``timing``: the facts (``model``);
* ``postmortem``, ``pages`` (with ``templates/``), ``frontmatter``: the files;
* ``output``, ``corpus``, ``cli``: the folder, the whole run, the command line.
"""

from corpusgen.corpus import DEFAULT_END, CorpusSummary, generate
from corpusgen.output import CorpusError

__all__ = ["DEFAULT_END", "CorpusError", "CorpusSummary", "generate"]
