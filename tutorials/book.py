"""Execute the tutorials and build the site; keep each notebook in sync with its text twin.

The tutorials are written as MyST Markdown text twins (``tutorials/NN_topic.md``,
what reviewers read) paired with the Colab-openable notebooks
(``tutorials/NN_topic.ipynb``, committed without outputs). This script is what
``make tutorial`` and ``make sync`` call, and what the test suite uses to execute
the notebooks::

    python tutorials/book.py build            # execute what changed, build the site in build/site/
    python tutorials/book.py build --only 02  # execute tutorial 02 only (the others: the cache)
    python tutorials/book.py sync             # regenerate every .ipynb from its .md
    python tutorials/book.py check-sync       # exit 1 if any .ipynb is out of date

The site is Sphinx + myst-nb (``docs/conf.py``): the course, an API reference from the
docstrings, search. Notebooks are executed here first, cell by cell with a progress bar,
and stored in a jupyter-cache (``build/jupyter_cache``) keyed on their code; myst-nb
(``nb_execution_mode = "cache"``) reads them back from it, so a second build re-executes
only the tutorials whose code changed. The site works offline (MathJax 3 from a package).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from collections.abc import Mapping
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DOCS = ROOT / "docs"
SITE = ROOT / "build" / "site"
CACHE = ROOT / "build" / "jupyter_cache"
CELL_TIMEOUT_S = 600


# --------------------------------------------------------------------------- finding tutorials


def tutorial_paths(only: str | None = None) -> list[Path]:
    """The tutorials' text twins in course order; ``only`` selects by number prefix ("02").

    A tutorial's number is two digits, with an optional letter for a second part ("08b"
    follows "08"); ``only="08"`` selects both parts, ``only="08b"`` the second alone.
    """
    paths = sorted(p for p in HERE.glob("[0-9][0-9]*_*.md") if re.match(r"\d\d[a-z]?_", p.name))
    if only:
        wanted = {s.strip().zfill(2) for s in only.split(",")}
        paths = [p for p in paths if p.name[:2] in wanted or p.name.split("_")[0] in wanted]
        if not paths:
            raise SystemExit(
                f"no tutorial matches T={only!r}; known: {[p.name[:2] for p in tutorial_paths()]}"
            )
    return paths


def title_of(nb) -> str:
    """The first Markdown heading of a notebook."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return "Untitled"


# --------------------------------------------------------------------------- the text twin


def notebook_from_twin(md_path: Path):
    """The notebook the text twin ``md_path`` stands for: outputs empty, ids stable.

    Worked solutions sit under a ``#### Worked solution`` heading; those headings
    are marked collapsed for Colab (``colab.collapsed_sections``) and JupyterLab
    (``jp-MarkdownHeadingCollapsed``), so the learner tries first and reads after.
    """
    import jupytext
    import nbformat

    nb = jupytext.read(md_path)
    stem = md_path.stem
    collapsed = []
    for i, cell in enumerate(nb.cells):
        cell.id = f"{stem.split('_')[0]}-{i:03d}"
        cell.metadata.pop("lines_to_next_cell", None)
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        heading = re.search(r"^#### Worked solution", cell.source, re.M | re.I)
        if cell.cell_type == "markdown" and heading and heading.start() > 0:
            raise ValueError(
                f"{md_path.name}: put a '+++' line before '#### Worked solution' so that "
                "it starts its own cell (Colab and Jupyter fold the solution from there)"
            )
        if cell.cell_type == "markdown" and heading:
            cell.metadata["jp-MarkdownHeadingCollapsed"] = True
            collapsed.append(cell.id)
    nb.metadata["kernelspec"] = {
        "display_name": "Python 3",
        "language": "python",
        "name": "python3",
    }
    nb.metadata["language_info"] = {"name": "python"}
    nb.metadata["jupytext"] = {"formats": "ipynb,md:myst"}
    nb.metadata["colab"] = {
        "name": md_path.with_suffix(".ipynb").name,
        "provenance": [],
        "collapsed_sections": collapsed,
    }
    nb.nbformat, nb.nbformat_minor = 4, 5
    nbformat.validate(nb)
    return nb


def notebook_text(nb) -> str:
    import nbformat

    return nbformat.writes(nb) + "\n"


def sync(paths: list[Path], check_only: bool = False) -> list[Path]:
    """Regenerate each ``.ipynb`` from its ``.md``; with ``check_only``, list the stale ones."""
    stale = []
    for md in paths:
        ipynb = md.with_suffix(".ipynb")
        text = notebook_text(notebook_from_twin(md))
        if not ipynb.exists() or ipynb.read_text() != text:
            stale.append(ipynb)
            if not check_only:
                ipynb.write_text(text)
    return stale


# --------------------------------------------------------------------------- executing


def read_notebook(md_path: Path):
    """The tutorial as myst-nb reads it when it builds the page (so that cache keys agree)."""
    from myst_nb.core.read import read_myst_markdown_notebook

    return read_myst_markdown_notebook(md_path.read_text("utf8"), add_source_map=True, path=md_path)


def kernel_env(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of a headless kernel: this checkout's diffprog, no inner progress bars.

    A new dict, passed to the kernel: ``base`` (default ``os.environ``) is never changed.
    ``TQDM_DISABLE=1`` (tqdm's own switch) unless the caller set it: nobody watches a headless
    kernel, and the build shows its progress per cell instead.
    """
    env = dict(os.environ if base is None else base)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [env.get("PYTHONPATH")])])
    env.setdefault("TQDM_DISABLE", "1")
    return env


@contextmanager
def _cache(path: Path):
    """The jupyter-cache at ``path``, its database closed on exit."""
    from jupyter_cache import get_cache

    path.mkdir(parents=True, exist_ok=True)
    cache = get_cache(str(path))
    try:
        yield cache
    finally:
        cache.db.dispose()


def is_cached(md_path: Path, cache: Path = CACHE) -> bool:
    """Whether the cache holds this tutorial executed with its current code."""
    if not cache.exists():
        return False
    with _cache(cache) as db:
        try:
            db.match_cache_notebook(read_notebook(md_path))
        except KeyError:
            return False
    return True


def execute(md_path: Path, progress: bool = False, cache: Path | None = None):
    """Execute the tutorial and return the executed notebook; with ``cache``, store it there.

    The kernel runs in the tutorials folder with :func:`kernel_env`; any error stops
    execution and is raised. The cached notebook is what the site build shows.
    """
    from nbclient import NotebookClient

    nb = read_notebook(md_path)
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(
            total=len(code_cells),
            desc=md_path.stem,
            unit="cell",
            leave=True,
            file=sys.stdout,
            dynamic_ncols=True,
        )
    t0 = time.perf_counter()
    try:
        with _kernel_manager() as km:
            client = NotebookClient(
                nb,
                km=km,
                timeout=CELL_TIMEOUT_S,
                kernel_name="python3",
                resources={"metadata": {"path": str(HERE)}},
                allow_errors=False,
                on_cell_executed=(lambda **_: bar.update(1)) if bar else None,
            )
            client.execute(env=kernel_env())
    finally:
        if bar:
            bar.close()
    if cache is not None:
        _store(nb, md_path, cache, time.perf_counter() - t0)
    return nb


@contextmanager
def _kernel_manager():
    """The kernel's manager: local sockets (IPC) where the OS has them, else loopback TCP.

    A kernel on TCP without CurveZMQ keys prints a warning about plain-text traffic at every
    start; the kernel is this machine's own, so on POSIX it talks over Unix sockets in a
    private temporary folder instead (and says nothing).
    """
    import tempfile

    from jupyter_client.manager import KernelManager

    with tempfile.TemporaryDirectory(prefix="diffprog-kernel-") as tmp:
        km = (
            KernelManager(kernel_name="python3", transport="ipc", ip=os.path.join(tmp, "k"))
            if os.name == "posix"
            else KernelManager(kernel_name="python3")
        )
        try:
            yield km
        finally:  # a manager passed in is the caller's to shut down (nbclient's rule)
            if km.has_kernel:
                km.shutdown_kernel(now=True)


def _store(executed, md_path: Path, cache_path: Path, seconds: float) -> None:
    """Cache the outputs of ``executed`` under the key myst-nb will look up.

    The key hashes the code cells with their metadata, so the outputs are put on a fresh
    reading of the tutorial (nbclient adds metadata of its own to the executed cells).
    """
    from jupyter_cache.base import CacheBundleIn

    nb = read_notebook(md_path)
    for cell, done in zip(nb.cells, executed.cells, strict=True):
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = done.outputs, done.execution_count
    uri = str(md_path.resolve())
    with _cache(cache_path) as cache:
        record = cache.cache_notebook_bundle(
            CacheBundleIn(nb, uri, data={"execution_seconds": seconds}),
            check_validity=False,
            overwrite=True,
        )
        for old in cache.list_cache_records():  # the same tutorial's older code: not needed again
            if old.uri == uri and old.pk != record.pk:
                cache.remove_cache_record(old.pk)


# --------------------------------------------------------------------------- the site


class SiteBuildError(RuntimeError):
    """Sphinx failed (with ``strict``, a warning is a failure); its output says why."""


def build_site(
    out: Path = SITE, cache: Path = CACHE, executed: list[str] | None = None, strict: bool = False
) -> Path:
    """Run Sphinx on ``docs/`` into ``out``, the notebooks read from ``cache``.

    ``executed``: the tutorial stems that may be executed (all by default); any other
    tutorial not in the cache is shown without outputs rather than executed. ``strict``:
    warnings are errors (``-W``), as in the test suite.
    """
    allowed = None if executed is None else set(executed)
    skip = [
        p.stem
        for p in tutorial_paths()
        if allowed is not None and p.stem not in allowed and not is_cached(p, cache)
    ]
    env = kernel_env()
    env["DIFFPROG_JUPYTER_CACHE"] = str(cache)
    env["DIFFPROG_SITE_NO_EXECUTE"] = ",".join(skip)
    cmd = [sys.executable, "-m", "sphinx", "-b", "html", "-q", str(DOCS), str(out)]
    if strict:
        cmd[5:5] = ["-W", "--keep-going"]
    result = subprocess.run(cmd, env=env, cwd=ROOT)
    if result.returncode:
        raise SiteBuildError(f"sphinx-build failed (exit {result.returncode}): {' '.join(cmd)}")
    return out / "index.html"


def build(
    paths: list[Path],
    out: Path = SITE,
    cache: Path = CACHE,
    strict: bool = False,
    timings: dict[str, float] | None = None,
) -> Path:
    """Execute ``paths`` (those not cached with their current code) and build the site.

    ``timings``, when given, receives the seconds each executed tutorial took.
    """
    t_all = time.perf_counter()
    ran = 0
    for k, md in enumerate(paths, 1):
        if is_cached(md, cache):
            print(f"[{k}/{len(paths)}] {md.stem}: unchanged, from the cache", flush=True)
            continue
        print(f"[{k}/{len(paths)}] {md.stem}", flush=True)
        t0 = time.perf_counter()
        execute(md, progress=True, cache=cache)
        if timings is not None:
            timings[md.stem] = time.perf_counter() - t0
        ran += 1
    t_exec = time.perf_counter() - t_all
    print(f"Executed {ran} tutorial(s) in {t_exec:.0f} s; building the site ...", flush=True)
    index = build_site(out, cache, executed=[p.stem for p in paths], strict=strict)
    print(f"Site built in {time.perf_counter() - t_all - t_exec:.0f} s.")
    return index


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("command", choices=["build", "sync", "check-sync"])
    parser.add_argument("--only", help="tutorial numbers, e.g. 02 or 02,03")
    parser.add_argument("--out", type=Path, default=SITE)
    parser.add_argument("--strict", action="store_true", help="Sphinx warnings are errors")
    args = parser.parse_args(argv)
    paths = tutorial_paths(args.only)
    if args.command == "sync":
        for p in sync(paths):
            print(f"wrote {p.relative_to(ROOT)}")
        return 0
    if args.command == "check-sync":
        stale = sync(paths, check_only=True)
        for p in stale:
            print(f"out of date: {p.relative_to(ROOT)} (run `make sync`)")
        return 1 if stale else 0
    try:
        index = build(paths, args.out.resolve(), strict=args.strict)
    except SiteBuildError as err:
        print(err)
        return 1
    print(f"\nThe site is ready: open file://{index}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
