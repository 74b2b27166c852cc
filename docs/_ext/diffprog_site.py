"""The diffprog site's own Sphinx extension: what no off-the-shelf extension does for us.

* ``.. diffprog-api:: diffprog.limits`` documents every public name defined in that module
  (autodoc directives, generated): each object once, under its public home (``diffprog.limit``
  when ``diffprog.__all__`` re-exports it, else the shallowest public module whose ``__all__``
  lists it). A public name that no API page documents is a build warning (an error under -W).
* References to ``diffprog.<module>.<name>`` (type hints in signatures) resolve to that home;
  a reference to a ``diffprog`` name that resolves nowhere is a warning.
* Every ``#### Worked solution`` section of a tutorial becomes a folded dropdown
  (sphinx-togglebutton), with the solution's text and code cells inside it.
* MathJax 3 (from the sphinx-mathjax-offline package) is copied to ``_static/mathjax``.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import pkgutil
import shutil
import sys
from pathlib import Path

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.transforms import SphinxTransform
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import nested_parse_with_titles

logger = logging.getLogger(__name__)


# --------------------------------------------------------------------------- the public API


# the library, and the course's helpers (exercises, figures) that the tutorials import beside it
PACKAGES = ("diffprog", "diffprog_course")


def public_modules() -> list[str]:
    """Each of ``PACKAGES`` and every module under it with no ``_``-prefixed part, shallowest
    first."""
    names = []
    for package in PACKAGES:
        names.append(package)
        path = importlib.import_module(package).__path__
        for info in pkgutil.walk_packages(path, f"{package}."):
            if not any(part.startswith("_") for part in info.name.split(".")):
                names.append(info.name)
    return sorted(names, key=lambda n: (n.count("."), n))


def public_objects() -> dict[str, object]:
    """Every public object under its home name, ``{"diffprog.limit": limit, ...}``.

    Public: listed in the ``__all__`` of a public module; modules themselves and
    ``__version__`` are not API entries (each public module has its page).
    """
    homes: dict[str, object] = {}
    seen: set[int] = set()
    for modname in public_modules():
        module = importlib.import_module(modname)
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name)
            if name.startswith("__") or inspect.ismodule(obj) or id(obj) in seen:
                continue
            seen.add(id(obj))
            homes[f"{modname}.{name}"] = obj
    return homes


def defining_module(home: str, obj: object) -> str:
    """The module that defines ``obj`` (data objects: the module that lists it)."""
    mod = getattr(obj, "__module__", None)
    if (inspect.isclass(obj) or inspect.isfunction(obj) or callable(obj)) and isinstance(mod, str):
        return mod
    return home.rsplit(".", 1)[0]


def _data_entry(home: str, obj: object) -> list[str]:
    """A module-level constant: its ``#:`` comment if it has one, else its type."""
    from sphinx.pycode import ModuleAnalyzer

    modname, name = home.rsplit(".", 1)
    doc: list[str] = []
    sources = [modname] + sorted(
        m
        for m, mod in list(sys.modules.items())
        if m.split(".")[0] in PACKAGES and "." in m and getattr(mod, name, None) is obj
    )
    for source in sources:
        try:
            doc = ModuleAnalyzer.for_module(source).find_attr_docs().get(("", name), [])
        except Exception:  # noqa: BLE001 -- no source to analyse: fall back to the type
            doc = []
        if doc:
            break
    if not doc:
        doc = [f"A ``{type(obj).__name__}`` (see the module's description above)."]
    return [
        f".. py:data:: {home}",
        f"   :type: {type(obj).__name__}",
        "",
        *("   " + d for d in doc),
    ]


def _directive_for(obj: object) -> tuple[str, list[str]]:
    if inspect.isclass(obj):
        if issubclass(obj, BaseException):
            return "autoexception", []
        return "autoclass", [":members:"]
    if inspect.isfunction(obj) or inspect.isbuiltin(obj):
        return "autofunction", []
    if callable(obj) and hasattr(obj, "__wrapped__"):  # a decorated function
        return "autofunction", []
    return "autodata", [":no-value:"]


def _matches(module: str, prefixes: list[str]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


class DiffprogAPI(SphinxDirective):
    """``.. diffprog-api:: diffprog.simulate [more prefixes]``: the names defined there."""

    required_arguments = 1
    optional_arguments = 10

    def run(self) -> list[nodes.Node]:
        prefixes = list(self.arguments)
        lines: list[str] = []
        documented = self.env.__dict__.setdefault("diffprog_api", {})
        mine = documented.setdefault(self.env.docname, set())
        for home, obj in public_objects().items():
            if not _matches(defining_module(home, obj), prefixes):
                continue
            directive, options = _directive_for(obj)
            if directive == "autodata":
                lines += [*_data_entry(home, obj), ""]
            else:
                lines += [f".. {directive}:: {home}", *(f"   {o}" for o in options), ""]
            mine.add(home)
        if not lines:
            logger.warning(
                f"diffprog-api: no public name is defined in {prefixes}",
                location=(self.env.docname, self.lineno),
            )
        node = nodes.container(classes=["diffprog-api"])
        nested_parse_with_titles(self.state, StringList(lines, source="diffprog-api"), node)
        return node.children


def _purge(app, env, docname):
    env.__dict__.get("diffprog_api", {}).pop(docname, None)


def _merge(app, env, docnames, other):
    env.__dict__.setdefault("diffprog_api", {}).update(other.__dict__.get("diffprog_api", {}))


def _check_coverage(app, env):
    documented = set().union(*env.__dict__.get("diffprog_api", {}).values())
    for home in public_objects():
        if home not in documented:
            logger.warning(
                f"{home} is public but no API page documents it: add its module to "
                "a `diffprog-api` directive in docs/api/"
            )


# --------------------------------------------------------------------------- references

_HOME_BY_ID: dict[int, str] = {}


def _lookup(target: str):
    parts = target.split(".")
    for i in range(len(parts), 0, -1):
        modname = ".".join(parts[:i])
        try:
            obj = importlib.import_module(modname)
        except ImportError:
            continue
        try:
            for attr in parts[i:]:
                obj = getattr(obj, attr)
        except AttributeError:
            return None
        return obj
    return None


def _missing_reference(app, env, node, contnode):
    target = node.get("reftarget", "")
    if node.get("refdomain") != "py" or not target.lstrip("~.").startswith("diffprog"):
        return None
    target = target.lstrip("~.")
    if not _HOME_BY_ID:
        _HOME_BY_ID.update({id(o): h for h, o in public_objects().items()})
    obj = _lookup(target)
    home = _HOME_BY_ID.get(id(obj)) if obj is not None else None
    if home is None and inspect.ismodule(obj):
        return None  # a module: its page is found by :doc:, not a py target
    if home and home != target:
        domain = env.get_domain("py")
        return domain.resolve_xref(env, node["refdoc"], app.builder, "obj", home, node, contnode)
    if home is None and not any(p.startswith("_") for p in target.split(".")):
        logger.warning(
            f"reference to {target}, which is not a documented public name", location=node
        )
    return None


# --------------------------------------------------------------------------- worked solutions


class FoldSolutions(SphinxTransform):
    """Each section titled "Worked solution" becomes a dropdown admonition, folded."""

    default_priority = 400

    def apply(self, **kwargs) -> None:
        for section in list(self.document.findall(nodes.section)):
            if not section.children or not isinstance(section[0], nodes.title):
                continue
            title = section[0].astext().strip()
            if not title.lower().startswith("worked solution"):
                continue
            box = nodes.admonition(classes=["dropdown", "solution"], ids=section["ids"])
            box += nodes.title(title, title)
            box.extend(section.children[1:])
            for node_id in section["ids"]:
                self.document.ids[node_id] = box
            section.replace_self(box)


# --------------------------------------------------------------------------- MathJax, offline


def mathjax_dir() -> Path:
    spec = importlib.util.find_spec("sphinx-mathjax-offline")
    if spec is None or spec.origin is None:
        raise RuntimeError(
            "MathJax is missing: pip install sphinx-mathjax-offline "
            "(it is in diffprog's `tutorials` extra)"
        )
    return Path(spec.origin).parent / "static" / "mathjax"


def _copy_mathjax(app, exc):
    if exc is not None or app.builder.format != "html":
        return
    dest = Path(app.outdir) / "_static" / "mathjax"
    src = mathjax_dir()
    if not (dest / "tex-svg-full.js").exists():
        shutil.copytree(src, dest, dirs_exist_ok=True)


def setup(app):
    app.add_directive("diffprog-api", DiffprogAPI)
    app.add_transform(FoldSolutions)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    app.connect("env-check-consistency", _check_coverage)
    app.connect("missing-reference", _missing_reference)
    app.connect("build-finished", _copy_mathjax)
    return {
        "version": "1",
        "parallel_read_safe": True,
        "parallel_write_safe": True,
        "env_version": 1,
    }
