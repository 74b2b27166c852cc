"""The public API: every exported name exists and is documented; importing stays light."""

import inspect
import subprocess
import sys

import diffprog


def test_all_names_exist_and_have_docstrings():
    missing = [n for n in diffprog.__all__ if not hasattr(diffprog, n)]
    assert not missing, f"in __all__ but not defined: {missing}"
    undocumented = [
        n
        for n in diffprog.__all__
        if n != "__version__" and not inspect.getdoc(getattr(diffprog, n))
    ]
    assert not undocumented, f"public names without a docstring: {undocumented}"


def test_all_has_no_duplicates():
    assert len(diffprog.__all__) == len(set(diffprog.__all__))


def test_version_is_a_string():
    assert isinstance(diffprog.__version__, str) and diffprog.__version__.count(".") >= 1


def test_import_is_light():
    """`import diffprog` must not pull in plotting, symbolic or other frameworks."""
    heavy = ["matplotlib", "sympy", "torch", "tensorflow", "tqdm", "IPython"]
    code = (
        "import sys, diffprog, diffprog_course.exercises\n"
        f"print(','.join(m for m in {heavy!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"import diffprog imported: {out.stdout.strip()}"
