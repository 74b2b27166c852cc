"""Open the built site in headless Chromium and check it the way a reader meets it.

    python tutorials/check_site.py [build/site] [--only 02,03]

On every page: it loads with no console error, nothing is fetched from the network (every
non-``file:`` request is blocked and reported), every image loads, every link between pages
resolves, and the maths is typeset (MathJax 3 from the page's own ``_static``: every
``.math`` element rendered, no raw ``$...$`` left in the prose). Tutorial pages that were
executed show at least one figure. Then: the search page finds "gradient"; a worked solution
opens and closes; the API page of ``diffprog.limit`` renders the maths of its docstring.
Screenshots of the landing page, a tutorial page and an API page go to ``build/screenshots/``.

Needs Debian's ``chromium`` (``apt-get install chromium``) and the ``playwright`` Python
package (in the test extra), which drives that Chromium (no browser download).
"""

from __future__ import annotations

import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SHOTS = ROOT / "build" / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# A raw $...$ left in the prose means a formula was not parsed as maths.
_RAW_MATH_JS = r"""
() => {
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const bad = [];
  while (walker.nextNode()) {
    const node = walker.currentNode, el = node.parentElement;
    if (!el || el.closest('pre, code, script, style, .cell_output, .output, mjx-container'))
      continue;
    const m = node.textContent.match(/\$\$?[^$\n]{1,80}\$\$?/);
    if (m) bad.push(m[0]);
  }
  return bad.slice(0, 5);
}
"""
# Every Sphinx maths element (.math) holds MathJax's rendering once typesetting is done.
_UNTYPESET_JS = """
() => [...document.querySelectorAll('.math')].filter(e => !e.querySelector('mjx-container'))
      .map(e => e.textContent.slice(0, 60)).slice(0, 5)
"""
# Raw resources that a page would fetch from the network (script/link/img/iframe/source).
_SRC_ATTR = re.compile(
    r"<(?:script|link|img|iframe|source|video|audio)\b[^>]*?\b(?:src|href)=[\"'](https?:)?//", re.I
)


def chromium_path() -> str | None:
    """The Chromium to drive, or None (with the reason printed by the caller)."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


@dataclass
class PageReport:
    name: str
    problems: list[str] = field(default_factory=list)
    images: int = 0
    maths: int = 0


def site_pages(site: Path) -> list[Path]:
    """The site's HTML pages: landing page first, then the rest in order."""
    pages = sorted(
        p for p in site.rglob("*.html") if not p.relative_to(site).parts[0].startswith("_")
    )
    index = site / "index.html"
    return [index, *(p for p in pages if p != index)]


def remote_resources(html: str) -> list[str]:
    """Tags in ``html`` that would load a resource from the network (none allowed)."""
    return [m.group(0)[:100] for m in _SRC_ATTR.finditer(html)]


def _open(browser, path: Path, report: PageReport, query: str = ""):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.on(
        "console",
        lambda msg, r=report: (
            msg.type == "error" and r.problems.append(f"console error: {msg.text}")
        ),
    )
    page.on("pageerror", lambda err, r=report: r.problems.append(f"page error: {err}"))
    page.on(
        "requestfailed",
        lambda req, r=report: (
            "network request blocked" not in str(req.failure)
            and r.problems.append(f"could not load {req.url} ({req.failure})")
        ),
    )

    def block_network(route, r=report):
        url = route.request.url
        if url.startswith(("file:", "data:", "blob:", "about:")):
            return route.continue_()
        r.problems.append(f"network request blocked: {url}")
        return route.abort("blockedbyclient")

    page.route("**/*", block_network)
    page.goto(path.as_uri() + query, wait_until="load")
    if page.locator("script[src*='mathjax']").count():
        page.wait_for_function(
            "() => window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=60_000
        )
        page.evaluate("() => MathJax.startup.promise")
    return page


def _check_page(page, path: Path, site: Path, report: PageReport) -> None:
    report.maths = page.locator("mjx-container").count()
    report.problems += [f"maths not typeset: {t!r}" for t in page.evaluate(_UNTYPESET_JS)]
    report.problems += [f"raw maths in the text: {t!r}" for t in page.evaluate(_RAW_MATH_JS)]
    report.images = page.locator(".cell_output img").count()  # figures the notebook made
    broken = page.evaluate(
        "() => [...document.images].filter(i => !(i.complete && i.naturalWidth > 0))"
        ".map(i => (i.src || '').slice(0, 60))"
    )
    report.problems += [f"image did not load: {b}" for b in broken]
    for href in page.evaluate("() => [...document.querySelectorAll('a[href]')].map(a => a.href)"):
        url = urlparse(href)
        if url.scheme == "file" and not Path(unquote(url.path)).exists():
            report.problems.append(f"broken link: {href}")
    report.problems += [
        f"remote resource in the HTML: {t}" for t in remote_resources(path.read_text("utf8"))
    ]


COLAB = "https://colab.research.google.com/github/diffprog/diffprog/blob/main/tutorials/{}.ipynb"


def _tutorial_page_problems(page, stem: str) -> list[str]:
    """A tutorial page has its Colab button, its .ipynb download and previous/next links."""
    hrefs = page.evaluate(
        "() => [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href'))"
    )
    problems = []
    if COLAB.format(stem) not in hrefs:
        problems.append(f"no launch-in-Colab link ({COLAB.format(stem)})")
    if not any(h.endswith(f"_sources/tutorials/{stem}.ipynb") for h in hrefs):
        problems.append("no .ipynb download")
    if not page.locator(".prev-next-area a").count():
        problems.append("no previous/next links")
    return problems


def check_site(
    site: Path, executed: list[str] | None = None, shots: Path = SHOTS
) -> list[PageReport]:
    """Check every page of ``site``; one report per page, then one per feature check.

    ``executed``: the tutorial stems whose pages must show figures (default: all tutorials).
    """
    from playwright.sync_api import sync_playwright

    site = site.resolve()
    pages = site_pages(site)
    tutorials = sorted((site / "tutorials").glob("[0-9][0-9]*_*.html"))
    executed = [p.stem for p in tutorials] if executed is None else executed
    reports: list[PageReport] = []
    shots.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        for path in pages:
            report = PageReport(str(path.relative_to(site)))
            page = _open(browser, path, report)
            _check_page(page, path, site, report)
            if path.parent.name == "tutorials":
                if path.stem in executed and report.images == 0:
                    report.problems.append("an executed tutorial with no figure")
                report.problems += _tutorial_page_problems(page, path.stem)
            page.close()
            reports.append(report)

        # Search: Sphinx's own index, from the files.
        report = PageReport("search for 'gradient'")
        page = _open(browser, site / "search.html", report, "?q=gradient")
        try:
            page.wait_for_selector("#search-results li", timeout=30_000)
            report.images = page.locator("#search-results li").count()
        except Exception as err:  # noqa: BLE001 -- reported, not raised
            report.problems.append(f"no search results for 'gradient' ({type(err).__name__})")
        page.close()
        reports.append(report)

        # A worked solution: folded, opens on a click, folds again.
        report = PageReport("a worked solution opens and closes")
        first = next((site / "tutorials" / f"{s}.html" for s in executed), None)
        target = first or (tutorials[0] if tutorials else None)
        if target is None:
            report.problems.append("no tutorial page")
        else:
            page = _open(browser, target, report)
            box = page.locator("div.admonition.solution").first
            body = box.locator(":scope > :not(.admonition-title)").first
            title = box.locator(".admonition-title")
            states = [body.is_visible()]
            title.click()
            page.wait_for_timeout(400)
            states.append(body.is_visible())
            page.screenshot(path=str(shots / "tutorial.png"))
            title.click()
            page.wait_for_timeout(400)
            states.append(body.is_visible())
            if states != [False, True, False]:
                report.problems.append(f"visible (folded, opened, folded again): {states}")
            page.goto(target.as_uri(), wait_until="load")
            page.close()
        reports.append(report)

        # The API page of diffprog.limit: its docstring's maths typeset.
        report = PageReport("API page of diffprog.limit")
        page = _open(browser, site / "api" / "limits.html", report)
        entry = page.locator("dl.py.function:has(> dt#diffprog\\.limit) > dd")
        report.maths = entry.locator("mjx-container").count()
        if not entry.count() or report.maths == 0:
            report.problems.append("diffprog.limit's docstring shows no typeset maths")
        page.locator("dt#diffprog\\.limit").scroll_into_view_if_needed()
        page.screenshot(path=str(shots / "api_limit.png"))
        page.close()
        page = _open(browser, site / "index.html", PageReport("landing"))
        page.screenshot(path=str(shots / "landing.png"))
        page.close()
        reports.append(report)
        browser.close()
    return reports


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("site", nargs="?", type=Path, default=ROOT / "build" / "site")
    parser.add_argument("--only", help="the tutorials executed (T=02,03): only those need figures")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    site = args.site.resolve()
    executed = None
    if args.only:
        wanted = {s.strip().zfill(2) for s in args.only.split(",")}
        executed = [
            p.stem
            for p in (site / "tutorials").glob("*.html")
            if p.name[:2] in wanted or p.name.split("_")[0] in wanted
        ]
    if not (site / "index.html").exists():
        print(f"no site at {site}: run `make tutorial` first")
        return 2
    if not chromium_path():
        print("Chromium not found: install Debian's chromium (apt-get install chromium)")
        return 2
    reports = check_site(site, executed)
    for r in reports:
        status = "ok" if not r.problems else "FAIL"
        print(f"{status:4} {r.name}: {r.images} figure(s)/result(s), {r.maths} typeset formula(s)")
        for p in r.problems:
            print(f"     - {p}")
    print(f"Screenshots in {SHOTS}: landing.png, tutorial.png, api_limit.png")
    return 1 if any(r.problems for r in reports) else 0


if __name__ == "__main__":
    sys.exit(main())
