"""mkdocs.yml arrives in pull requests like any page: check that it cannot switch safety off.

MkDocs reads mkdocs.yml with PyYAML's full loader, so a ``!!python/object/apply:os.system``
tag runs a command on every build, and a few ordinary settings can undo what incident-kb
guards: dropping its hook, letting snippets include any file of the repository, loading
scripts from other hosts, publishing templates or the whole repository as theme files.

The file is read as YAML nodes only (``yaml.compose``): tags stay strings and nothing is
ever constructed, so the checks are safe on exactly the file that would be dangerous to
load. Every finding names the line of the offending key or value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import NoReturn
from urllib.parse import urlsplit

import yaml

from incident_kb.core.config import quoted
from incident_kb.core.findings import CONTROL_RE, Findings, Level

MKDOCS_YML = "mkdocs.yml"
RULE = "site-config"
#: The largest mkdocs.yml that is read; a real one is a few kilobytes.
MAX_MKDOCS_BYTES = 1024 * 1024

#: The hook file that runs incident-kb in the build, and the plugin that may replace it.
HOOK_FILE = "incident_kb_site.py"
PLUGIN_NAME = "incident-kb"

_CORE = "tag:yaml.org,2002:"
PYTHON_TAG = _CORE + "python/"
_NAME_TAG = PYTHON_TAG + "name:"
_APPLY_TAG = PYTHON_TAG + "object/apply:"
_STR = _CORE + "str"
_BOOL = _CORE + "bool"
_MERGE = _CORE + "merge"
_SEQ = _CORE + "seq"
_MAP = _CORE + "map"

#: ``!!python/name:`` targets that Material's and PyMdown Extensions' documentation use:
#: emoji indexes and generators and custom fence formatters. Each is a plain function of a
#: package the site already installs; naming it imports nothing else and runs nothing.
PYTHON_NAMES = frozenset(
    {
        "material.extensions.emoji.twemoji",
        "material.extensions.emoji.to_svg",
        "pymdownx.emoji.twemoji",
        "pymdownx.emoji.gemoji",
        "pymdownx.emoji.emojione",
        "pymdownx.emoji.to_svg",
        "pymdownx.emoji.to_png",
        "pymdownx.emoji.to_svg_sprite",
        "pymdownx.emoji.to_png_sprite",
        "pymdownx.emoji.to_alt",
        "pymdownx.superfences.fence_code_format",
        "pymdownx.superfences.fence_div_format",
        "pymdownx.slugs.slugify",
        "pymdownx.arithmatex.arithmatex_fenced_format",
        "pymdownx.arithmatex.arithmatex_inline_format",
    }
)
#: Factories that the same documentation calls with ``!!python/object/apply:`` and keyword
#: options (``slugify: !!python/object/apply:pymdownx.slugs.slugify {kwds: {case: lower}}``).
#: Allowed only with a ``kwds`` mapping of plain values: nothing but these functions runs.
PYTHON_FACTORIES = frozenset(
    {
        "pymdownx.slugs.slugify",
        "pymdownx.arithmatex.arithmatex_fenced_format",
        "pymdownx.arithmatex.arithmatex_inline_format",
    }
)

_SNIPPETS = "pymdownx.snippets"
_TRUE = frozenset({"true", "yes", "on"})
_FALSE = frozenset({"false", "no", "off"})
_SNIPPETS_WHY = (
    'snippets can include any file (--8<-- ".git/config") into the published site: set '
    "base_path to folders of snippets inside the repository"
)
_LOG_WHY = (
    "MkDocs logs configuration values before incident-kb installs its log filter, so this "
    "could forge log lines"
)


class _NodeLoader(yaml.SafeLoader):
    """Composes mkdocs.yml into nodes. Composing accepts any tag (a tag is only a string on
    a node); constructing is refused outright, so not even a safe object is ever built."""

    def construct_document(self, node: yaml.Node) -> NoReturn:
        raise TypeError("mkdocs.yml is checked as YAML nodes; nothing is constructed")


@dataclass
class _Checker:
    """What one check of mkdocs.yml needs: where the repository is and what was found."""

    root: Path
    docs_dir: Path
    findings: Findings
    #: Effective mappings (merge keys applied, the last duplicate winning), by node id.
    maps: dict[int, dict[str, tuple[yaml.Node, yaml.Node]]] = field(default_factory=dict)
    #: Value nodes whose control characters another check has reported already.
    reported: set[int] = field(default_factory=set)

    def error(self, node: yaml.Node | None, where: str, message: str) -> None:
        self.findings.add(MKDOCS_YML, _line(node), where, message, Level.ERROR, RULE)

    def warning(self, node: yaml.Node | None, where: str, message: str) -> None:
        self.findings.add(MKDOCS_YML, _line(node), where, message, Level.WARNING, RULE)

    def notice(self, node: yaml.Node | None, where: str, message: str) -> None:
        self.findings.add(MKDOCS_YML, _line(node), where, message, Level.NOTICE, RULE)

    def mapping(self, node: yaml.Node | None) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        """A mapping's string keys as MkDocs sees them: ``<<`` merges applied, explicit keys
        over merged ones, and the last of duplicate keys winning (PyYAML's order)."""
        if not isinstance(node, yaml.MappingNode):
            return {}
        known = self.maps.get(id(node))
        if known is not None:
            return known
        self.maps[id(node)] = {}  # a merge that leads back here adds nothing
        result: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        explicit: list[tuple[yaml.Node, yaml.Node]] = []
        for key, value in node.value:
            if key.tag == _MERGE:
                sources = value.value if isinstance(value, yaml.SequenceNode) else [value]
                for source in reversed(sources):  # the first of several merges wins
                    result.update(self.mapping(source))
            else:
                explicit.append((key, value))
        for key, value in explicit:
            if isinstance(key, yaml.ScalarNode) and key.tag == _STR:
                result[key.value] = (key, value)
        self.maps[id(node)] = result
        return result

    def value(self, node: yaml.Node | None, key: str) -> tuple[yaml.Node, yaml.Node] | None:
        return self.mapping(node).get(key)

    def real(self, path: Path) -> Path | None:
        """``path`` with symbolic links resolved, or None when that fails (a loop)."""
        try:
            return path.resolve()
        except (OSError, RuntimeError):
            return None


def check_mkdocs_yml(root: Path, docs_dir: Path, findings: Findings) -> bool | None:
    """Report what in ``root/mkdocs.yml`` runs code or weakens the site's safety; return
    whether it runs incident-kb (its hook or enabled plugin), None when that cannot be told
    (no file, or one that cannot be read).

    ``docs_dir`` is the folder incident-kb validates (absolute). Never raises on a hostile or
    broken file: each problem is a finding of rule site-config.
    """
    path = root / MKDOCS_YML
    if not path.exists() and not path.is_symlink():
        return None
    checker = _Checker(root, docs_dir, findings)
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_MKDOCS_BYTES + 1)
    except OSError as exc:
        checker.error(None, "", f"cannot be read: {exc.strerror or exc}")
        return None
    if len(raw) > MAX_MKDOCS_BYTES:
        checker.error(
            None,
            "",
            f"is larger than {MAX_MKDOCS_BYTES} bytes; it is not read (a real one "
            "is a few kilobytes)",
        )
        return None
    readable, document = _compose(raw, checker)
    if not readable:
        return None
    if document is not None and not isinstance(document, yaml.MappingNode):
        checker.error(document, "", "must be a mapping of settings (key: value lines)")
        return None
    try:
        for name in ("docs_dir", "site_dir"):
            _check_dir_value(document, name, checker)
        _walk(document, checker)
        _check_inherit(document, checker)
        runs = _check_incident_kb(document, checker)
        _check_snippets(document, checker)
        _check_assets(document, checker)
        _check_theme(document, checker)
    except RecursionError:  # merge keys (<<) chained thousands deep
        checker.error(None, "", "merges (<<) are nested too deeply to check")
        return None
    return runs


def _compose(raw: bytes, checker: _Checker) -> tuple[bool, yaml.Node | None]:
    """(True, the root node or None for an empty file), or (False, None) after reporting why
    the file is not YAML. Bytes go in, so the encoding is detected as MkDocs detects it."""
    try:
        return True, yaml.compose(raw, Loader=_NodeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        problem = exc.problem or "not valid YAML"
        context = f" ({exc.context})" if exc.context else ""
        message = f"is not valid YAML: {problem}{context}"
    except yaml.reader.ReaderError as exc:
        text = raw.decode("utf-8", "replace")
        line = text.count("\n", 0, max(0, int(exc.position))) + 1
        message = f"is not valid YAML: {exc.reason}"
    except yaml.YAMLError as exc:
        line, message = 1, f"is not valid YAML: {exc}"
    except RecursionError:
        line, message = 1, "is nested too deeply to read"
    checker.findings.add(MKDOCS_YML, line, "", message[:300], Level.ERROR, RULE)
    return False, None


def _line(node: yaml.Node | None) -> int:
    mark = node.start_mark if node is not None else None
    return mark.line + 1 if mark is not None else 1


def _key_text(node: yaml.Node) -> str:
    if isinstance(node, yaml.ScalarNode):
        text = str(node.value)
        return text if len(text) <= 60 else text[:57] + "..."
    return "?"


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _plain(node: yaml.Node | None) -> str | None:
    """A scalar written as a plain string (no tag, no !ENV), or None."""
    if isinstance(node, yaml.ScalarNode) and node.tag == _STR:
        return str(node.value)
    return None


def _flag(node: yaml.Node | None) -> bool | None:
    """A YAML boolean (true/false, yes/no, on/off) as MkDocs reads it, or None."""
    if isinstance(node, yaml.ScalarNode) and node.tag == _BOOL:
        text = str(node.value).lower()
        return True if text in _TRUE else False if text in _FALSE else None
    return None


def _shown_tag(tag: str) -> str:
    short = "!!" + tag[len(_CORE) :] if tag.startswith(_CORE) else tag
    return short if len(short) <= 100 else short[:97] + "..."


# -- every node: Python tags, control characters, duplicate keys --------------------------


def _walk(document: yaml.Node | None, checker: _Checker) -> None:
    """Visit every node once (an alias is the node it names: no alias bomb expands)."""
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, str]] = [(document, "")] if document is not None else []
    while stack:
        node, where = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if node.tag.startswith(PYTHON_TAG):
            _check_python_tag(node, where, checker)
        if isinstance(node, yaml.ScalarNode):
            block = node.style in ("|", ">")  # a block scalar holds line breaks by design
            if not block and id(node) not in checker.reported and CONTROL_RE.search(node.value):
                checker.error(node, where, f"the value contains a control character; {_LOG_WHY}")
        elif isinstance(node, yaml.MappingNode):
            first: dict[str, int] = {}
            children: list[tuple[yaml.Node, str]] = []
            for key, value in node.value:
                name = _key_text(key)
                key_where = _join(where, name)
                if isinstance(key, yaml.ScalarNode):
                    if id(key) not in seen:  # an alias as a key is checked once
                        seen.add(id(key))
                        if key.tag.startswith(PYTHON_TAG):
                            _check_python_tag(key, key_where, checker)
                        if CONTROL_RE.search(str(key.value)):
                            checker.error(
                                key, key_where, f"the key contains a control character; {_LOG_WHY}"
                            )
                    if key.tag == _STR:
                        if key.value in first:
                            checker.error(
                                key,
                                key_where,
                                f"is set again (first on line {first[key.value]}): MkDocs uses "
                                "this last value, which a reader of the first may not see",
                            )
                        else:
                            first[key.value] = _line(key)
                else:
                    children.append((key, key_where))
                children.append((value, key_where))
            stack.extend(reversed(children))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(
                (item, f"{where}[{i}]") for i, item in reversed(list(enumerate(node.value)))
            )


def _check_python_tag(node: yaml.Node, where: str, checker: _Checker) -> None:
    """``!!python/...`` tags import or run code in MkDocs' loader; only named functions of
    Material and PyMdown Extensions (and their option factories) are allowed."""
    tag = node.tag
    if tag.startswith(_NAME_TAG) and tag[len(_NAME_TAG) :] in PYTHON_NAMES:
        return
    if tag.startswith(_APPLY_TAG) and tag[len(_APPLY_TAG) :] in PYTHON_FACTORIES:
        if _options_only(node, checker):
            return
        checker.error(
            node,
            where,
            f"{_shown_tag(tag)} may only be given keyword options of plain values "
            "({kwds: {case: lower}}): anything else builds or runs more than that function",
        )
        return
    if tag.startswith(_NAME_TAG):
        allowed = ", ".join(sorted(PYTHON_NAMES))
        checker.error(
            node,
            where,
            f"{_shown_tag(tag)} imports Python code when MkDocs reads mkdocs.yml; only "
            f"these names are allowed: {allowed}",
        )
        return
    checker.error(
        node,
        where,
        f"{_shown_tag(tag)}: MkDocs reads mkdocs.yml with a loader that builds Python objects, "
        "so this tag imports or runs code (a shell command, say) on every build: remove it",
    )


def _options_only(node: yaml.Node, checker: _Checker) -> bool:
    """Whether an allowed factory gets nothing but ``kwds`` of plain scalars."""
    if not isinstance(node, yaml.MappingNode):
        return False
    keys = [key for key, _ in node.value]
    if len(keys) != 1 or _plain(keys[0]) != "kwds":
        return False
    kwds = node.value[0][1]
    if not isinstance(kwds, yaml.MappingNode):
        return False
    return all(
        isinstance(k, yaml.ScalarNode)
        and isinstance(v, yaml.ScalarNode)
        and not k.tag.startswith(PYTHON_TAG)
        and not v.tag.startswith(PYTHON_TAG)
        and k.tag != _MERGE
        for k, v in kwds.value
    )


def _check_dir_value(document: yaml.Node | None, name: str, checker: _Checker) -> None:
    """docs_dir and site_dir reach log lines in any style, block scalars included."""
    entry = checker.value(document, name)
    if entry is None or not isinstance(entry[1], yaml.ScalarNode):
        return
    if CONTROL_RE.search(str(entry[1].value)):
        checker.reported.add(id(entry[1]))
        checker.error(
            entry[1], name, f"the path contains a control character or line break; {_LOG_WHY}"
        )


# -- settings ------------------------------------------------------------------------------


def _check_inherit(document: yaml.Node | None, checker: _Checker) -> None:
    """INHERIT merges another YAML file in, which these checks would not see."""
    entry = checker.value(document, "INHERIT")
    if entry is not None:
        checker.error(
            entry[0],
            "INHERIT",
            "reads settings from another file, which is loaded with the same code-running "
            "loader but not checked: keep the whole configuration in mkdocs.yml",
        )


def _check_incident_kb(document: yaml.Node | None, checker: _Checker) -> bool:
    """The build must run incident-kb: its hook file (any folder) or its enabled plugin."""
    hooks = checker.value(document, "hooks")
    if hooks is not None and isinstance(hooks[1], yaml.SequenceNode) and hooks[1].tag == _SEQ:
        for item in hooks[1].value:
            text = _plain(item)
            if text is not None and PurePosixPath(text.replace("\\", "/")).name == HOOK_FILE:
                return True
    plugins = checker.value(document, "plugins")
    if plugins is not None and _has_plugin(plugins[1], checker):
        return True
    where = hooks or plugins
    checker.error(
        where[0] if where else None,
        "hooks",
        "the incident-kb hook (or plugin) is not in mkdocs.yml: the site would be built "
        "without validation or sanitising",
    )
    return False


def _has_plugin(node: yaml.Node, checker: _Checker) -> bool:
    """Whether ``plugins`` (a list or a mapping) holds incident-kb, not disabled."""
    if node.tag not in (_SEQ, _MAP):
        return False  # computed (!ENV): not known to hold incident-kb
    for key, options in _entries(node, checker):
        if _plain(key) not in (PLUGIN_NAME, "/" + PLUGIN_NAME):
            continue
        enabled = checker.value(options, "enabled")
        if enabled is None or _flag(enabled[1]) is True:
            return True
    return False


def _entries(node: yaml.Node, checker: _Checker) -> list[tuple[yaml.Node, yaml.Node | None]]:
    """(name node, options node) of each plugin or markdown extension, from a list of names
    and one-key mappings or from one mapping."""
    entries: list[tuple[yaml.Node, yaml.Node | None]] = []
    if isinstance(node, yaml.SequenceNode):
        for item in node.value:
            if isinstance(item, yaml.MappingNode):
                entries.extend(checker.mapping(item).values())
            else:
                entries.append((item, None))
    elif isinstance(node, yaml.MappingNode):
        entries.extend(checker.mapping(node).values())
    return entries


def _check_snippets(document: yaml.Node | None, checker: _Checker) -> None:
    """pymdownx.snippets reads files by name from its base_path (default: the folder the
    build runs in, the repository root): it must be fenced into folders of snippets."""
    extensions = checker.value(document, "markdown_extensions")
    if extensions is None:
        return
    for name_node, options in _entries(extensions[1], checker):
        name = _plain(name_node)
        if name is None or not (name == _SNIPPETS or name.startswith(_SNIPPETS + ":")):
            continue
        where = f"markdown_extensions.{name}"
        base = checker.value(options, "base_path")
        if base is None:
            checker.error(
                name_node,
                where,
                f"sets no base_path, so it reads from the repository root: {_SNIPPETS_WHY}",
            )
        else:
            _check_base_path(base[1], f"{where}.base_path", checker)
        restrict = checker.value(options, "restrict_base_path")
        if restrict is not None and _flag(restrict[1]) is not True:
            checker.error(
                restrict[1],
                f"{where}.restrict_base_path",
                f"must not be turned off (it keeps '..' inside base_path): {_SNIPPETS_WHY}",
            )
        download = checker.value(options, "url_download")
        if download is not None and _flag(download[1]) is not False:
            checker.error(
                download[1],
                f"{where}.url_download",
                "must not be turned on: it includes whatever a URL returns into the site, "
                "and the site loads nothing from outside",
            )


def _check_base_path(node: yaml.Node, where: str, checker: _Checker) -> None:
    items = node.value if isinstance(node, yaml.SequenceNode) else [node]
    if not items:
        checker.error(node, where, f"is empty: {_SNIPPETS_WHY}")
    root = checker.real(checker.root)
    git = checker.real(checker.root / ".git")
    for item in items:
        folder = _base_folder(item, checker)
        if folder is None:
            checker.error(
                item, where, f"must be a folder written out, not a computed value: {_SNIPPETS_WHY}"
            )
            continue
        shown = quoted(str(item.value))
        real = checker.real(folder)
        if root is None or real is None or not real.is_relative_to(root):
            checker.error(item, where, f"{shown} is outside the repository: {_SNIPPETS_WHY}")
        elif real == root:
            checker.error(item, where, f"{shown} is the repository root: {_SNIPPETS_WHY}")
        elif git is not None and real.is_relative_to(git):
            checker.error(item, where, f"{shown} is git's own folder: {_SNIPPETS_WHY}")


def _base_folder(node: yaml.Node, checker: _Checker) -> Path | None:
    """The folder a base_path entry names: a path (relative to the root, where the build
    runs) or MkDocs' ``!relative`` tag; None for anything else (``!ENV``, a list)."""
    if not isinstance(node, yaml.ScalarNode):
        return None
    text = str(node.value)
    if node.tag == _STR:
        return checker.root / text
    if node.tag != "!relative":
        return None
    prefix, _, suffix = text.partition("/")
    if prefix == "$config_dir":
        return checker.root / suffix
    if prefix == "$docs_dir":
        return checker.docs_dir / suffix
    return checker.docs_dir if not text else None  # bare !relative: the page's own folder


def _check_assets(document: yaml.Node | None, checker: _Checker) -> None:
    """extra_css and extra_javascript are files of the site, never other hosts' scripts."""
    for key in ("extra_css", "extra_javascript"):
        entry = checker.value(document, key)
        if entry is None or not isinstance(entry[1], yaml.SequenceNode):
            continue
        for index, item in enumerate(entry[1].value):
            where = f"{key}[{index}]"
            node: yaml.Node | None = item
            if isinstance(item, yaml.MappingNode):  # {path: x.js, type: module}
                found = checker.value(item, "path")
                node = found[1] if found else None
                where += ".path"
            if node is None:
                continue
            text = _plain(node)
            if text is None:
                checker.error(node, where, "must be a file name written out, not a computed value")
            elif problem := _asset_problem(text):
                checker.error(node, where, f"{quoted(text)} {problem}")


def _asset_problem(text: str) -> str | None:
    windows = PureWindowsPath(text)
    if text.startswith("//") or text.startswith("\\\\"):
        return "loads a file from another host: the site loads nothing from outside itself"
    try:
        parts = urlsplit(text)
    except ValueError:
        return "is not a valid file name"
    if parts.scheme and not windows.drive:
        return "is a URL: the site loads nothing from outside itself; copy the file into docs_dir"
    if text.startswith(("/", "\\")) or windows.drive:
        return "is an absolute path: name a file inside docs_dir"
    if ".." in re.split(r"[\\/]", text):
        return "leads out of docs_dir with '..': name a file inside docs_dir"
    return None


def _check_theme(document: yaml.Node | None, checker: _Checker) -> None:
    """theme.custom_dir publishes its files; Material's default font comes from Google."""
    entry = checker.value(document, "theme")
    if entry is None:
        return
    _key, theme = entry
    if isinstance(theme, yaml.ScalarNode):
        return
    custom = checker.value(theme, "custom_dir")
    if custom is not None:
        _check_custom_dir(custom[1], checker)
    name = checker.value(theme, "name")
    if name is None or _plain(name[1]) != "material":
        return
    font = checker.value(theme, "font")
    if font is not None and _flag(font[1]) is not False:
        checker.notice(
            font[0],
            "theme.font",
            "asks for web fonts, which incident-kb switches off so that the site loads "
            "nothing from the internet (Google Fonts); the plugin's external_fonts: true "
            "keeps them",
        )


def _check_custom_dir(node: yaml.Node, checker: _Checker) -> None:
    """custom_dir's files are published as theme files and its templates render every page:
    it must be a folder of the repository apart from docs_dir (which contributors fill and
    which is published anyway) and apart from the root (which would publish the repository)."""
    where = "theme.custom_dir"
    text = _plain(node)
    if text is None:
        checker.error(node, where, "must be a folder written out, not a computed value")
        return
    shown = quoted(text)
    if PureWindowsPath(text).is_absolute() or text.startswith(("/", "\\")):
        checker.error(node, where, f"{shown} is an absolute path: name a folder of the repository")
        return
    if ".." in re.split(r"[\\/]", text):
        checker.error(node, where, f"{shown} leads out of the repository with '..'")
        return
    root = checker.real(checker.root)
    real = checker.real(checker.root / text)
    docs = checker.real(checker.docs_dir)
    git = checker.real(checker.root / ".git")
    if root is None or real is None or not real.is_relative_to(root):
        checker.error(node, where, f"{shown} resolves outside the repository (a symbolic link)")
    elif real == root:
        checker.error(
            node, where, f"{shown} is the repository root: every file in it would be published"
        )
    elif git is not None and real.is_relative_to(git):
        checker.error(node, where, f"{shown} is git's own folder")
    elif docs is not None and real.is_relative_to(docs):
        checker.error(
            node,
            where,
            f"{shown} is inside docs_dir: its templates would be published as files of the site "
            "and edited by anyone who edits documents; keep the theme in a folder of its own",
        )
    elif docs is not None and docs.is_relative_to(real):
        checker.error(
            node,
            where,
            f"{shown} holds docs_dir: its files would be published again as theme files, "
            "past incident-kb's checks; keep the theme in a folder of its own",
        )
