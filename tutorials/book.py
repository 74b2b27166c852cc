"""Run the tutorials and build the HTML book; keep each notebook in sync with its text twin.

The tutorials are written as MyST Markdown text twins (``tutorials/NN_topic.md``,
what reviewers read) paired by jupytext with the Colab-openable notebooks
(``tutorials/NN_topic.ipynb``, committed without outputs). This script is what
``make tutorial`` and ``make sync`` call, and what the test suite uses to execute
the notebooks::

    python tutorials/book.py build            # execute every tutorial, write build/book/
    python tutorials/book.py build --only 02  # just tutorial 02
    python tutorials/book.py sync             # regenerate every .ipynb from its .md
    python tutorials/book.py check-sync       # exit 1 if any .ipynb is out of date

Maths in the book is typeset by the MathJax that the ``jupyter-server-mathjax``
package ships, copied next to the pages: the book works offline and fetches
nothing from the network.
"""

from __future__ import annotations

import argparse
import html
import os
import re
import shutil
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BUILD = ROOT / "build" / "book"
REPO_URL = "https://github.com/diffprog/diffprog"
COLAB_URL = "https://colab.research.google.com/github/diffprog/diffprog/blob/main/tutorials/{name}"
CELL_TIMEOUT_S = 600


# --------------------------------------------------------------------------- finding tutorials


def tutorial_paths(only: str | None = None) -> list[Path]:
    """The tutorials' text twins in course order; ``only`` selects by number prefix ("02")."""
    paths = sorted(p for p in HERE.glob("[0-9][0-9]_*.md"))
    if only:
        wanted = {s.strip().zfill(2) for s in only.split(",")}
        paths = [p for p in paths if p.name[:2] in wanted]
        if not paths:
            raise SystemExit(f"no tutorial matches T={only!r}; known: {[p.name[:2] for p in tutorial_paths()]}")
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
        cell.id = f"{stem[:2]}-{i:03d}"
        cell.metadata.pop("lines_to_next_cell", None)
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        heading = re.search(r"^#### Worked solution", cell.source, re.M | re.I)
        if cell.cell_type == "markdown" and heading and heading.start() > 0:
            raise ValueError(f"{md_path.name}: put a '+++' line before '#### Worked solution' so that "
                             "it starts its own cell (Colab and Jupyter fold the solution from there)")
        if cell.cell_type == "markdown" and heading:
            cell.metadata["jp-MarkdownHeadingCollapsed"] = True
            collapsed.append(cell.id)
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nb.metadata["language_info"] = {"name": "python"}
    nb.metadata["jupytext"] = {"formats": "ipynb,md:myst"}
    nb.metadata["colab"] = {"name": md_path.with_suffix(".ipynb").name, "provenance": [],
                            "collapsed_sections": collapsed}
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


def execute(md_path: Path, progress: bool = False):
    """Execute the tutorial (from its notebook form) and return the executed notebook.

    The kernel imports diffprog from this checkout (``PYTHONPATH``), runs in the
    tutorials folder with ``DIFFPROG_PROGRESS=0``, and any error stops execution and is raised.
    """
    from nbclient import NotebookClient

    nb = notebook_from_twin(md_path)
    os.environ["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    )
    # Nobody watches a headless kernel: no inner progress bars (the book shows cells instead).
    os.environ.setdefault("DIFFPROG_PROGRESS", "0")
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(code_cells), desc=md_path.stem, unit="cell", leave=True,
                   file=sys.stdout, dynamic_ncols=True)
    client = NotebookClient(
        nb,
        timeout=CELL_TIMEOUT_S,
        kernel_name="python3",
        resources={"metadata": {"path": str(HERE)}},
        allow_errors=False,
        on_cell_executed=(lambda **_: bar.update(1)) if bar else None,
    )
    try:
        client.execute()
    finally:
        if bar:
            bar.close()
    return nb


# --------------------------------------------------------------------------- the book

_CSS = """
<style>
.dp-nav { font-family: system-ui, sans-serif; display: flex; gap: 1.5em; padding: .6em 1em;
          border-bottom: 1px solid #ddd; background: #fafafa; position: sticky; top: 0; z-index: 10; }
.dp-nav a { text-decoration: none; }
details.dp-solution { border-left: 3px solid #4a90d9; padding: .2em .8em; margin: .5em 0 .5em 5.5em; }
details.dp-solution > summary { cursor: pointer; font-weight: 600; color: #2a6cb0;
                                font-family: system-ui, sans-serif; }
math { font-size: 1.15em; }
</style>
"""


def _mathjax_dir() -> Path:
    import jupyter_server_mathjax

    return Path(jupyter_server_mathjax.__file__).parent / "static"


def export_page(nb, nav_html: str) -> str:
    """One executed notebook as a self-contained HTML page (figures inline, MathJax local)."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        template_name="lab",
        extra_template_paths=[str(HERE / "_book")],
        template_file="page.html.j2",
        mathjax_url="_static/mathjax/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full,Safe",
    )
    nb.metadata["title"] = f"{title_of(nb)} — diffprog"
    body, _ = exporter.from_notebook_node(nb)
    body = body.replace("</head>", _CSS + "</head>", 1)
    i = body.index(">", body.index("<body")) + 1
    return body[:i] + nav_html + body[i:]


def _nav(pages: list[tuple[str, str]], k: int) -> str:
    links = ['<a href="index.html">&#8962; Contents</a>']
    if k > 0:
        links.append(f'<a href="{pages[k - 1][0]}">&larr; {html.escape(pages[k - 1][1])}</a>')
    if k + 1 < len(pages):
        links.append(f'<a href="{pages[k + 1][0]}">{html.escape(pages[k + 1][1])} &rarr;</a>')
    return f'<nav class="dp-nav">{" ".join(links)}</nav>'


def write_index(out: Path, pages: list[tuple[str, str, float]]) -> None:
    rows = "\n".join(
        f'<li><a href="{href}">{html.escape(title)}</a> <small>({secs:.0f} s)</small></li>'
        for href, title, secs in pages
    )
    (out / "index.html").write_text(f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>diffprog — the book</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body {{ font-family: system-ui, sans-serif; max-width: 48em; margin: 2em auto; padding: 0 1em;
line-height: 1.5; }} li {{ margin: .4em 0; }}</style></head>
<body><h1>diffprog — differentiable programming, from limits to simulation</h1>
<p>The executed tutorials, in course order. Each page is the notebook as it ran on this
machine, figures included; worked solutions are folded: try each exercise first.</p>
<ol>
{rows}
</ol>
<p>Source: <a href="{REPO_URL}">{REPO_URL}</a></p>
</body></html>
""")


def write_book(out: Path, done: list[tuple[str, str, float, object]]) -> Path:
    """Write executed notebooks ``done`` = [(href, title, seconds, nb)] as the book in ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    static = out / "_static" / "mathjax"
    if not static.exists():
        shutil.copytree(_mathjax_dir(), static)
    pages = [(href, title) for href, title, _, _ in done]
    for k, (href, _, _, nb) in enumerate(done):
        (out / href).write_text(export_page(nb, _nav(pages, k)))
    built = sorted(out.glob("[0-9][0-9]_*.html"))
    titles = {h: (t, s) for h, t, s, _ in done}
    write_index(out, [(p.name, *titles.get(p.name, (p.stem, float("nan")))) for p in built])
    return out / "index.html"


def build(paths: list[Path], out: Path = BUILD) -> Path:
    """Execute ``paths`` in order with progress and write the book to ``out``."""
    done: list[tuple[str, str, float, object]] = []
    t_all = time.perf_counter()
    for k, md in enumerate(paths, 1):
        print(f"[{k}/{len(paths)}] {md.stem}", flush=True)
        t0 = time.perf_counter()
        nb = execute(md, progress=True)
        done.append((md.stem + ".html", title_of(nb), time.perf_counter() - t0, nb))
    print(f"Executed {len(paths)} tutorial(s) in {time.perf_counter() - t_all:.0f} s.")
    return write_book(out, done)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["build", "sync", "check-sync"])
    parser.add_argument("--only", help="tutorial numbers, e.g. 02 or 02,03")
    parser.add_argument("--out", type=Path, default=BUILD)
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
    index = build(paths, args.out)
    print(f"\nThe book is ready: open file://{index}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
