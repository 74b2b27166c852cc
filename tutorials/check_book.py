"""Open the built book in headless Chromium and check it the way a reader meets it.

    python tutorials/check_book.py [build/book]

On every page: every figure loads, the maths is typeset (no raw ``$...$`` left in
the prose), every link between pages resolves, the console shows no errors, and
nothing is fetched from the network (every non-``file:`` request is blocked and
reported). Screenshots of the index and of the first tutorial are written to
``build/screenshots/``.

Needs Debian's ``chromium`` (``apt-get install chromium``) and the ``playwright``
Python package (in the test extra), which drives that Chromium (no browser download).
"""

from __future__ import annotations

import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SHOTS = ROOT / "build" / "screenshots"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]

# A raw $...$ or $$...$$ left in text after MathJax ran means the maths was not typeset.
_RAW_MATH_JS = r"""
() => {
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const bad = [];
  while (walker.nextNode()) {
    const node = walker.currentNode, el = node.parentElement;
    if (!el || el.closest('pre, code, script, style, .MathJax_Preview, .jp-OutputArea, .jp-InputArea-editor')) continue;
    const m = node.textContent.match(/\$\$?[^$\n]{1,80}\$\$?/);
    if (m) bad.push(m[0]);
  }
  return bad.slice(0, 5);
}
"""


def chromium_path() -> str | None:
    """The Chromium to drive, or None (with the reason printed by the caller)."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


@dataclass
class PageReport:
    name: str
    problems: list[str] = field(default_factory=list)
    images: int = 0
    maths: int = 0


def check_book(book: Path, shots: Path = SHOTS) -> list[PageReport]:
    """Check every page of ``book``; returns one report per page (problems empty when fine)."""
    from playwright.sync_api import sync_playwright

    pages = [book / "index.html", *sorted(book.glob("[0-9][0-9]_*.html"))]
    reports = []
    shots.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        for path in pages:
            report = PageReport(path.name)
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.on("console", lambda msg, r=report: msg.type == "error"
                    and r.problems.append(f"console error: {msg.text}"))
            page.on("pageerror", lambda err, r=report: r.problems.append(f"page error: {err}"))

            def block_network(route, r=report):
                url = route.request.url
                if url.startswith(("file:", "data:", "blob:", "about:")):
                    return route.continue_()
                r.problems.append(f"network request blocked: {url}")
                return route.abort()

            page.route("**/*", block_network)
            page.goto(path.as_uri(), wait_until="load")
            if path.name != "index.html":
                # MathJax 2 typesets asynchronously: wait for its queue to drain.
                page.wait_for_function(
                    "() => window.MathJax && MathJax.Hub && MathJax.Hub.queue.pending === 0"
                    " && MathJax.Hub.queue.running === 0", timeout=60_000)
                report.maths = page.locator("math, .MathJax, .MathJax_Display, mjx-container").count()
                raw = page.evaluate(_RAW_MATH_JS)
                report.problems += [f"maths not typeset: {r!r}" for r in raw]
                if report.maths == 0:
                    report.problems.append("no typeset maths on the page")
            broken = page.evaluate(
                "() => [...document.images].filter(i => !(i.complete && i.naturalWidth > 0))"
                ".map(i => (i.src || '').slice(0, 60))")
            report.images = page.evaluate("() => document.images.length")
            report.problems += [f"image did not load: {b}" for b in broken]
            for href in page.evaluate("() => [...document.querySelectorAll('a[href]')].map(a => a.href)"):
                url = urlparse(href)
                if url.scheme == "file" and not Path(unquote(url.path)).exists():
                    report.problems.append(f"broken link: {href}")
            if path == pages[0] or (len(pages) > 1 and path == pages[1]):
                page.screenshot(path=str(shots / f"{path.stem}.png"), full_page=False)
            page.close()
            reports.append(report)
        browser.close()
    return reports


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    book = (Path(argv[0]) if argv else ROOT / "build" / "book").resolve()
    if not (book / "index.html").exists():
        print(f"no book at {book}: run `make tutorial` first")
        return 2
    if not chromium_path():
        print("Chromium not found: install Debian's chromium (apt-get install chromium)")
        return 2
    reports = check_book(book)
    for r in reports:
        status = "ok" if not r.problems else "FAIL"
        print(f"{status:4} {r.name}: {r.images} figure(s), {r.maths} typeset formula(s)")
        for p in r.problems:
            print(f"     - {p}")
    print(f"Screenshots in {SHOTS}")
    return 1 if any(r.problems for r in reports) else 0


if __name__ == "__main__":
    sys.exit(main())
