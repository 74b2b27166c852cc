"""Sphinx configuration of the diffprog site: the executed course and the API reference.

Built by ``make tutorial`` (``tutorials/book.py build``), which executes the notebooks first
(per-cell progress, results stored in jupyter-cache) and then runs Sphinx; myst-nb reads the
executed notebooks back from that cache (``nb_execution_mode = "cache"``). Everything the pages
need is copied next to them: the site works offline and fetches nothing.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(ROOT))  # autodoc imports this checkout's diffprog
sys.path.insert(0, str(DOCS / "_ext"))

import diffprog  # noqa: E402

project = "diffprog"
author = "the diffprog authors"
copyright = "the diffprog authors"
release = version = diffprog.__version__

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "sphinx_togglebutton",
    "sphinx_copybutton",
    "diffprog_site",
]

root_doc = "index"
exclude_patterns = ["_build", "tutorials/*.ipynb", "tutorials/_*", "**/.ipynb_checkpoints"]
suppress_warnings = ["mystnb.unknown_mime_type"]

# --------------------------------------------------------------------------- MyST and notebooks
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3
nb_execution_mode = "cache"
nb_execution_cache_path = os.environ.get(
    "DIFFPROG_JUPYTER_CACHE", str(ROOT / "build" / "jupyter_cache")
)
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_execution_timeout = 600
# tutorials/book.py names the tutorials it chose not to execute (T=02 builds one tutorial;
# the others come from the cache when they are there, else are shown without outputs).
nb_execution_excludepatterns = [
    f"tutorials/{stem}.md"
    for stem in os.environ.get("DIFFPROG_SITE_NO_EXECUTE", "").split(",")
    if stem
]
nb_merge_streams = True

# --------------------------------------------------------------------------- API reference
autodoc_typehints = "signature"
autodoc_type_aliases = {"ArrayLike": "jax.typing.ArrayLike"}  # not its 8-type expansion
autodoc_member_order = "bysource"
autodoc_default_options = {"members": False}
napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_use_rtype = False
add_module_names = True
python_use_unqualified_type_names = True

# --------------------------------------------------------------------------- maths, offline
# MathJax 3 from the sphinx-mathjax-offline package, copied into _static/mathjax by
# diffprog_site; SVG output, so no web font is ever loaded.
mathjax_path = "mathjax/tex-svg-full.js"
mathjax3_config = {"options": {"enableMenu": False}}

# --------------------------------------------------------------------------- the theme
html_theme = "sphinx_book_theme"
html_title = "diffprog"
html_static_path = ["_static"]
html_css_files = ["diffprog.css"]
html_last_updated_fmt = None
html_copy_source = True
html_theme_options = {
    "repository_url": "https://github.com/diffprog/diffprog",
    "repository_branch": "main",
    "path_to_docs": "",
    "use_repository_button": True,
    "use_download_button": True,
    "use_source_button": False,
    "launch_buttons": {"colab_url": "https://colab.research.google.com"},
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "home_page_in_toc": True,
}
html_context = {"default_mode": "light"}  # pydata-sphinx-theme: else an empty mode is logged
html_show_search_summary = False  # summaries are fetched per result: browsers refuse on file:
# sphinx-togglebutton: the worked solutions (a "dropdown" admonition each) start folded.
togglebutton_hint = "Show the worked solution"
togglebutton_hint_hide = "Hide the worked solution"
copybutton_exclude = ".linenos, .gp, .go"
