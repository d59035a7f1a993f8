"""`make bench`: how validation, the build and search scale with the number of postmortems.

For each size N (1,000, 5,000 and 10,000 unless BENCH_SIZES or --sizes says otherwise) it
generates a knowledge base with scripts/generate_corpus.py and measures, each figure the
median of --runs runs (at least 3 for a real benchmark):

- validate: wall time of `incident-kb validate`, against the floor of reading every file and
  parsing its front-matter with libyaml's C loader alone;
- build: wall time and peak memory of `mkdocs build --strict` with our hooks, against the same
  corpus built by bare Material (our hooks removed, Material's search plugin in);
- size: HTML bytes of the postmortem pages, the whole site, and the search payload;
- search: in headless Chromium over a local HTTP server, the time from typing a query on the
  freshly loaded home page to the first result shown, and the bytes downloaded until then,
  for our Pagefind search and for bare Material's.

It writes bench/results.json and the tables between the markers in bench/README.md. Nothing
in either is written by hand. Times come from time.perf_counter, memory from wait4's rusage
(the largest resident set of the build and the processes it waited for).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SIZES = (1000, 5000, 10000)
#: "Today" for every run: the generated corpus ends on 2026-11-01.
AS_OF = "2026-11-22"
EPOCH = "1795305600"  # 2026-11-22T00:00:00Z
#: Two words of every generated postmortem's vocabulary that are in no title.
DEFAULT_QUERY = "connection pool"
CHROMIUM = os.environ.get("INCIDENT_KB_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SEARCH_TIMEOUT_S = 120.0
MARK_START = "<!-- results:start -->"
MARK_END = "<!-- results:end -->"

#: The floor: what reading every document and parsing its front-matter costs with libyaml's
#: C loader and nothing else (same splitting rule as MkDocs and our reader).
FLOOR_SCRIPT = r"""
import pathlib, re, sys, yaml
FM = re.compile(r"^-{3}[ \t]*\n(.*?\n)(?:\.{3}|-{3})[ \t]*\n", re.UNICODE | re.DOTALL)
count = 0
for path in sorted(pathlib.Path(sys.argv[1]).rglob("*.md")):
    text = path.read_bytes().decode("utf-8-sig")
    match = FM.match(text)
    if match:
        yaml.load(match.group(1), Loader=yaml.CSafeLoader)
        count += 1
print(count)
"""


class BenchError(Exception):
    """A step failed: the benchmark stops with this message (exit 1)."""


# -- running and timing commands -----------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    seconds: float
    peak_rss_bytes: int


def run_measured(
    args: Sequence[str], *, cwd: Path, env: dict[str, str] | None = None, what: str
) -> Sample:
    """Run a command to completion; wall time and the peak resident set of it and of the
    processes it waited for (wait4's rusage). A failure raises with the command's output."""
    full_env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": EPOCH}
    full_env.update(env or {})
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        proc = subprocess.Popen(args, cwd=cwd, env=full_env, stdout=out, stderr=out)
        _pid, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            out.seek(0)
            tail = out.read().decode("utf-8", "replace")[-4000:]
            raise BenchError(f"{what} failed (exit {proc.returncode}) in {cwd}:\n{tail}")
    return Sample(seconds, usage.ru_maxrss * 1024)


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def measure(runs: int, once: Callable[[], Sample]) -> dict[str, Any]:
    samples = [once() for _ in range(runs)]
    return {
        "seconds": median([s.seconds for s in samples]),
        "peak_rss_bytes": int(median([s.peak_rss_bytes for s in samples])),
        "samples_seconds": [round(s.seconds, 4) for s in samples],
    }


# -- the corpus and its two configurations -------------------------------------------------


def load_generator() -> Any:
    """The corpus generator: the ``corpusgen`` package under scripts/ (not installed)."""
    scripts = str(REPO / "scripts")
    if scripts not in sys.path:
        sys.path.insert(0, scripts)
    return importlib.import_module("corpusgen")


def count_documents(docs: Path) -> dict[str, int]:
    def md(folder: str) -> int:
        return sum(1 for p in (docs / folder).rglob("*.md") if p.name != "index.md")

    counts = {"postmortems": md("postmortems"), "runbooks": md("runbooks")}
    counts["services"] = md("services")
    counts["all_markdown"] = sum(1 for _ in docs.rglob("*.md"))
    return counts


def write_bare_config(root: Path) -> Path:
    """The corpus' mkdocs.yml as a team without incident-kb would have it: no hooks,
    Material's search plugin, and only the hand-written pages in the navigation (every
    document stays out of it, as our hooks keep them, so both builds make the same pages)."""
    config = yaml.safe_load((root / "mkdocs.yml").read_text(encoding="utf-8"))
    config.pop("hooks", None)
    config["plugins"] = ["search", "tags"]
    config["nav"] = [{"Home": "index.md"}, {"Severity policy": "policies/severity.md"}]
    config["validation"] = {"nav": {"omitted_files": "ignore"}}
    features = config.get("theme", {}).get("features", [])
    config.setdefault("theme", {})["features"] = [
        *features,
        *[f for f in ("search.highlight", "search.suggest") if f not in features],
    ]
    path = root / "mkdocs.bare.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


def tree_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def page_sizes(site: Path) -> list[int]:
    """HTML bytes of every postmortem page (not the postmortems index)."""
    pages = [
        p for p in (site / "postmortems").rglob("index.html") if p.parent != site / "postmortems"
    ]
    return sorted(p.stat().st_size for p in pages)


# -- search in the browser -----------------------------------------------------------------


@contextlib.contextmanager
def serve(site: Path) -> Iterator[tuple[str, Callable[[], int]]]:
    """``site`` served by bench/serve.py in its own process; yields the URL and a function
    that tells how many response bytes it has sent."""
    server = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("serve.py")), str(site)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        url = f"http://127.0.0.1:{int(server.stdout.readline())}/"

        def sent() -> int:
            with urllib.request.urlopen(url + "__bytes__", timeout=10) as answer:
                return int(answer.read())

        yield url, sent
    finally:
        server.terminate()
        server.wait(timeout=10)


#: Installed before the page's scripts: the browser's own clock at the first and the last
#: keystroke, and at every change of the page while a result is listed. A slow typist sees
#: results of the first words before the last keystroke; what counts is the first result
#: shown after it.
TIMING_SCRIPT = """
window.__bench = {first: null, last: null, shown: []};
document.addEventListener("keydown", () => {
  const now = performance.now();
  if (window.__bench.first === null) window.__bench.first = now;
  window.__bench.last = now;
}, true);
new MutationObserver(() => {
  if (document.querySelector(".md-search-result__item")) {
    window.__bench.shown.push(performance.now());
  }
}).observe(document, {childList: true, subtree: true});
"""


def search_once(playwright: Any, site: Path, query: str, profile: Path) -> dict[str, Any]:
    """A cold browser (new profile) loads the home page, opens search, types the query and
    waits for the first result. Times are the page's own clock: from the last keystroke
    (the query typed) and from the first; bytes are everything served since the page load."""
    with serve(site) as (url, sent):
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
            headless=True,
            viewport={"width": 1280, "height": 900},
        )
        outside: list[str] = []

        def refuse(route: Any) -> None:
            outside.append(route.request.url)
            route.abort()

        try:
            context.set_default_timeout(SEARCH_TIMEOUT_S * 1000)
            context.route(
                lambda u: not u.startswith(url) and not u.startswith(("data:", "blob:")), refuse
            )
            context.add_init_script(TIMING_SCRIPT)
            page = context.pages[0] if context.pages else context.new_page()
            page.goto(url, wait_until="load")
            box = page.locator("input.md-search__input")
            if not box.is_visible():
                page.locator("label.md-header__button[for='__search']").click()
            box.click()
            page.keyboard.type(query)
            page.wait_for_function("(b => b.shown.some(t => t >= b.last))(window.__bench)")
            page.locator(".md-search-result__item").first.wait_for(state="visible")
            clock = page.evaluate("window.__bench")
            first = page.locator(".md-search-result__item").first.inner_text()
        finally:
            context.close()
        downloaded = sent()
        if outside:
            raise BenchError(f"the site requested outside addresses: {outside}")
        after = min(t for t in clock["shown"] if t >= clock["last"])
        return {
            "seconds": (after - clock["last"]) / 1000,
            "from_first_keystroke_seconds": (clock["shown"][0] - clock["first"]) / 1000,
            "downloaded_bytes": downloaded,
            "first_result": first[:80],
        }


def measure_search(site: Path, query: str, runs: int, work: Path) -> dict[str, Any]:
    try:
        from playwright.sync_api import TimeoutError as PlaywrightTimeout
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        raise BenchError("Playwright is needed: pip install -e '.[test]'") from exc
    if shutil.which(CHROMIUM) is None:
        raise BenchError(
            f"no Chromium at {CHROMIUM}: apt-get install chromium, or set INCIDENT_KB_CHROMIUM"
        )
    samples = []
    with sync_playwright() as pw:
        for index in range(runs):
            profile = work / f"profile-{site.name}-{index}"
            try:
                samples.append(search_once(pw, site, query, profile))
            except PlaywrightTimeout:
                return {"seconds": None, "timeout_seconds": SEARCH_TIMEOUT_S}
            finally:
                shutil.rmtree(profile, ignore_errors=True)
    return {
        "seconds": median([s["seconds"] for s in samples]),
        "from_first_keystroke_seconds": median(
            [s["from_first_keystroke_seconds"] for s in samples]
        ),
        "downloaded_bytes": int(median([s["downloaded_bytes"] for s in samples])),
        "samples_seconds": [round(s["seconds"], 4) for s in samples],
        "first_result": samples[0]["first_result"],
    }


# -- one size ------------------------------------------------------------------------------


def bench_size(
    n: int, *, runs: int, seed: int, query: str, work: Path, log: Callable[[str], None]
) -> dict[str, Any]:
    generator = load_generator()
    root = work / f"kb-{n}"
    start = time.perf_counter()
    generator.generate(n, seed, root)
    log(f"N={n}: corpus generated in {time.perf_counter() - start:.1f} s")
    docs = root / "docs"
    counts = count_documents(docs)
    documents = counts["all_markdown"]
    bin_dir = Path(sys.executable).parent

    validate = measure(
        runs,
        lambda: run_measured(
            [str(bin_dir / "incident-kb"), "validate", "--as-of", AS_OF],
            cwd=root,
            what="incident-kb validate",
        ),
    )
    floor = measure(
        runs,
        lambda: run_measured(
            [sys.executable, "-c", FLOOR_SCRIPT, str(docs)], cwd=root, what="the libyaml floor"
        ),
    )
    log(f"N={n}: validate {validate['seconds']:.2f} s, floor {floor['seconds']:.2f} s")

    site = root / "site"
    bare_site = root / "site-bare"

    def build(config: str, target: Path, strict: bool) -> Callable[[], Sample]:
        def once() -> Sample:
            shutil.rmtree(target, ignore_errors=True)
            args = [sys.executable, "-m", "mkdocs", "build", "-q", "-f", config]
            args += ["--site-dir", str(target)] + (["--strict"] if strict else [])
            return run_measured(args, cwd=root, what=f"mkdocs build -f {config}")

        return once

    hooks = measure(runs, build("mkdocs.yml", site, strict=True))
    log(f"N={n}: build with hooks {hooks['seconds']:.1f} s")
    # The search index step of that build on its own (every bundle, as the build runs it):
    # its share of the time, and its memory apart from MkDocs'.
    index = "import sys, pathlib; from incident_kb.site import search; "
    index += "search.index_site(pathlib.Path(sys.argv[1]))"
    pagefind = measure(
        runs,
        lambda: run_measured([sys.executable, "-c", index, str(site)], cwd=root, what="Pagefind"),
    )
    write_bare_config(root)
    bare = measure(runs, build("mkdocs.bare.yml", bare_site, strict=False))
    log(f"N={n}: bare Material build {bare['seconds']:.1f} s")

    pages = page_sizes(site)
    sizes = {
        "postmortem_page_median_bytes": int(median(pages)) if pages else 0,
        "postmortem_page_max_bytes": max(pages) if pages else 0,
        "site_bytes": tree_bytes(site),
        "pagefind_index_bytes": tree_bytes(site / "pagefind"),
        "bare_site_bytes": tree_bytes(bare_site),
        "material_index_bytes": (bare_site / "search" / "search_index.json").stat().st_size,
    }
    search = {
        "pagefind": measure_search(site, query, runs, work),
        "material": measure_search(bare_site, query, runs, work),
    }
    log(
        f"N={n}: first result {fmt_s(search['pagefind']['seconds'])}, "
        f"Material {fmt_s(search['material']['seconds'])}"
    )
    shutil.rmtree(root, ignore_errors=True)
    return {
        "n": n,
        "documents": counts,
        "validate": {**validate, "documents_per_second": documents / validate["seconds"]},
        "floor": floor,
        "validate_over_floor": validate["seconds"] / floor["seconds"],
        "build": hooks,
        "pagefind": pagefind,
        "bare_build": bare,
        "hooks_overhead": hooks["seconds"] / bare["seconds"] - 1,
        "sizes": sizes,
        "search": search,
    }


# -- results -------------------------------------------------------------------------------


GOALS = {
    "validate_seconds": 3.0,
    "hooks_overhead": 0.15,
    "build_growth": 11.0,
    "page_bytes": 60_000,
    "peak_rss_bytes": 2 * 1024**3,
    "first_result_seconds": 1.5,
    "downloaded_bytes": 10_000_000,
}


def goals(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each goal at the largest size measured, with the figure and whether it is met."""
    if not results:
        return []
    big = max(results, key=lambda r: r["n"])
    small = min(results, key=lambda r: r["n"])
    growth = big["build"]["seconds"] / small["build"]["seconds"]
    size_ratio = big["n"] / small["n"]
    found = [
        ("validate", "under 3 s", "s", big["validate"]["seconds"], GOALS["validate_seconds"]),
        (
            "hooks on top of bare Material",
            "under 15%",
            "pct",
            big["hooks_overhead"],
            GOALS["hooks_overhead"],
        ),
        (
            f"build time {big['n']:,} / {small['n']:,}",
            f"under {size_ratio * 1.1:.3g}x",
            "x",
            growth,
            size_ratio * 1.1,
        ),
        (
            "postmortem page (largest)",
            "under 60 KB",
            "bytes",
            big["sizes"]["postmortem_page_max_bytes"],
            GOALS["page_bytes"],
        ),
        (
            f"median page size {big['n']:,} / {small['n']:,}",
            "flat (under 1.1x)",
            "x",
            big["sizes"]["postmortem_page_median_bytes"]
            / max(1, small["sizes"]["postmortem_page_median_bytes"]),
            1.1,
        ),
        (
            "peak build memory",
            "under 2 GB",
            "bytes",
            big["build"]["peak_rss_bytes"],
            GOALS["peak_rss_bytes"],
        ),
        (
            "first search result",
            "under 1.5 s",
            "s",
            big["search"]["pagefind"]["seconds"],
            GOALS["first_result_seconds"],
        ),
        (
            "downloaded until then",
            "under 10 MB",
            "bytes",
            big["search"]["pagefind"].get("downloaded_bytes"),
            GOALS["downloaded_bytes"],
        ),
    ]
    out = []
    for name, target, unit, value, limit in found:
        met = value is not None and value < limit
        out.append(
            {
                "goal": name,
                "target": target,
                "unit": unit,
                "value": value,
                "limit": limit,
                "met": met,
                "n": big["n"],
            }
        )
    return out


def fmt_s(value: float | None) -> str:
    return "timeout" if value is None else f"{value:.2f} s"


def fmt_bytes(value: float | None) -> str:
    if value is None:
        return "n/a"
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if value >= scale:
            return f"{value / scale:.1f} {unit}"
    return f"{value:.0f} B"


def fmt_goal(goal: dict[str, Any]) -> str:
    value, unit = goal["value"], goal["unit"]
    if value is None:
        return "timeout"
    if unit == "bytes":
        return fmt_bytes(value)
    if unit == "pct":
        return f"{value * 100:+.1f}%"
    if unit == "x":
        return f"{value:.2f}x"
    return fmt_s(value)


def markdown(report: dict[str, Any]) -> str:
    results = report["results"]
    head = "| | " + " | ".join(f"N = {r['n']:,}" for r in results) + " |"
    rule = "|---|" + "---:|" * len(results)

    def row(label: str, cell: Callable[[dict[str, Any]], str]) -> str:
        return f"| {label} | " + " | ".join(cell(r) for r in results) + " |"

    lines = [
        f"Measured {report['measured_at']} on {report['machine']['cpus']} CPUs, Python "
        f"{report['machine']['python']}, MkDocs {report['machine']['mkdocs']}, Material "
        f"{report['machine']['mkdocs-material']}, Pagefind {report['machine']['pagefind']}; "
        f'median of {report["runs"]} runs each; query "{report["query"]}".',
        "",
        head,
        rule,
        row("documents (Markdown files)", lambda r: f"{r['documents']['all_markdown']:,}"),
        row(
            "postmortems / runbooks / services",
            lambda r: " / ".join(
                f"{r['documents'][k]:,}" for k in ("postmortems", "runbooks", "services")
            ),
        ),
        row("**validate** (`incident-kb validate`)", lambda r: fmt_s(r["validate"]["seconds"])),
        row("documents per second", lambda r: f"{r['validate']['documents_per_second']:,.0f}"),
        row("floor: read + libyaml C loader", lambda r: fmt_s(r["floor"]["seconds"])),
        row("validate / floor", lambda r: f"{r['validate_over_floor']:.2f}x"),
        row(
            "**build** with hooks (`mkdocs build --strict`)", lambda r: fmt_s(r["build"]["seconds"])
        ),
        row("peak memory with hooks", lambda r: fmt_bytes(r["build"]["peak_rss_bytes"])),
        row(
            "of which Pagefind indexing: time / peak memory",
            lambda r: (
                f"{fmt_s(r['pagefind']['seconds'])} / {fmt_bytes(r['pagefind']['peak_rss_bytes'])}"
            ),
        ),
        row("bare Material build (no hooks)", lambda r: fmt_s(r["bare_build"]["seconds"])),
        row("peak memory, bare Material", lambda r: fmt_bytes(r["bare_build"]["peak_rss_bytes"])),
        row("hooks on top of bare Material", lambda r: f"{r['hooks_overhead'] * 100:+.1f}%"),
        row(
            "build time / smallest N's",
            lambda r: (
                f"{r['build']['seconds'] / results[0]['build']['seconds']:.2f}x "
                f"(N {r['n'] / results[0]['n']:.0f}x)"
            ),
        ),
        row(
            "**size**: postmortem page, median / largest",
            lambda r: (
                f"{fmt_bytes(r['sizes']['postmortem_page_median_bytes'])} / "
                f"{fmt_bytes(r['sizes']['postmortem_page_max_bytes'])}"
            ),
        ),
        row("whole site (with hooks)", lambda r: fmt_bytes(r["sizes"]["site_bytes"])),
        row("Pagefind index on disk", lambda r: fmt_bytes(r["sizes"]["pagefind_index_bytes"])),
        row(
            "bare Material: site / search_index.json",
            lambda r: (
                f"{fmt_bytes(r['sizes']['bare_site_bytes'])} / "
                f"{fmt_bytes(r['sizes']['material_index_bytes'])}"
            ),
        ),
        *search_rows(row),
        "",
    ]
    if report["goals"]:
        n = report["goals"][0]["n"]
        lines += [
            f"Goals at N = {n:,}:",
            "",
            "| goal | target | measured | met |",
            "|---|---|---:|---|",
        ]
        for goal in report["goals"]:
            lines.append(
                f"| {goal['goal']} | {goal['target']} | {fmt_goal(goal)} | "
                f"{'yes' if goal['met'] else '**no**'} |"
            )
        lines.append("")
    return "\n".join(lines)


def search_rows(row: Callable[[str, Callable[[dict[str, Any]], str]], str]) -> list[str]:
    """The same three search figures for each engine: Pagefind's first."""
    rows = []
    for engine, name in (("pagefind", "Pagefind"), ("material", "bare Material")):
        lead = "**search**: " if engine == "pagefind" else ""

        def figure(key: str, fmt: Callable[[Any], str], engine: str = engine) -> Any:
            return lambda r: fmt(r["search"][engine].get(key))

        rows += [
            row(f"{lead}first result after typing ({name})", figure("seconds", fmt_s)),
            row(
                f"from the first keystroke ({name})",
                figure("from_first_keystroke_seconds", fmt_s),
            ),
            row(
                f"downloaded until the first result ({name})",
                figure("downloaded_bytes", fmt_bytes),
            ),
        ]
    return rows


def write_readme(path: Path, table: str) -> None:
    text = path.read_text(encoding="utf-8")
    if MARK_START not in text or MARK_END not in text:
        raise BenchError(f"{path}: no {MARK_START} ... {MARK_END} markers to write between")
    before, rest = text.split(MARK_START, 1)
    after = rest.split(MARK_END, 1)[1]
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(f"{before}{MARK_START}\n{table}\n{MARK_END}{after}", encoding="utf-8")
    tmp.replace(path)


def machine() -> dict[str, Any]:
    def version(name: str) -> str:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "not installed"

    return {
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "mkdocs": version("mkdocs"),
        "mkdocs-material": version("mkdocs-material"),
        "pagefind": version("pagefind"),
    }


def sizes_from(text: str) -> list[int]:
    sizes = [int(part) for part in re.split(r"[,\s]+", text.strip()) if part]
    if not sizes or any(n < 1 for n in sizes):
        raise ValueError(text)
    return sorted(set(sizes))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        default=os.environ.get("BENCH_SIZES") or " ".join(map(str, DEFAULT_SIZES)),
        help="postmortem counts, e.g. '1000 5000 10000' (default: $BENCH_SIZES or those)",
    )
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (default 3)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--query", default=DEFAULT_QUERY)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results.json")
    parser.add_argument("--readme", type=Path, default=REPO / "bench" / "README.md")
    parser.add_argument("--work", type=Path, help="scratch folder (default: a temporary one)")
    args = parser.parse_args(argv)
    if not args.readme.is_file():
        parser.error(f"--readme: no file {args.readme}")
    try:
        sizes = sizes_from(args.sizes)
    except ValueError:
        parser.error(f"--sizes: whole numbers above 0, like '1000 5000', not {args.sizes!r}")
    if args.runs < 1:
        parser.error("--runs: at least 1")

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    try:
        with contextlib.ExitStack() as stack:
            if args.work is None:
                work = Path(
                    stack.enter_context(tempfile.TemporaryDirectory(prefix="incident-kb-bench-"))
                )
            else:
                work = args.work
                work.mkdir(parents=True, exist_ok=True)
            results = [
                bench_size(n, runs=args.runs, seed=args.seed, query=args.query, work=work, log=log)
                for n in sizes
            ]
        report = {
            "measured_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": machine(),
            "runs": args.runs,
            "seed": args.seed,
            "query": args.query,
            "results": results,
        }
        report["goals"] = goals(results) if len(results) > 1 else []
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        write_readme(args.readme, markdown(report))
    except BenchError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 1
    log(f"wrote {args.out} and the tables in {args.readme}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
