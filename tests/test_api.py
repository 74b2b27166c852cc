"""The public API: one table of names, each existing and documented; importing stays light."""

import ast
import importlib
import inspect
import subprocess
import sys
from pathlib import Path

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


def test_all_is_made_from_the_imports():
    """The import lines of ``diffprog/__init__.py`` are the one list: ``__all__`` holds exactly
    the names they bind (oracle: the file's syntax tree), each the module's own object."""
    tree = ast.parse(Path(diffprog.__file__).read_text())
    imported = {}
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            for alias in node.names:
                name = alias.asname or alias.name
                if not name.startswith("_"):
                    imported[name] = f"diffprog.{node.module}" if node.module else "diffprog"
    assert sorted(diffprog.__all__) == sorted(["__version__", *imported])
    for name, module in imported.items():
        mod = importlib.import_module(module)
        want = getattr(mod, name) if module != "diffprog" else mod.__dict__[name]
        assert getattr(diffprog, name) is want, f"diffprog.{name}"
        if module != "diffprog" and hasattr(mod, "__all__"):
            assert name in mod.__all__, f"{name} is re-exported but not in {module}.__all__"


def test_version_is_a_string():
    assert isinstance(diffprog.__version__, str) and diffprog.__version__.count(".") >= 1


def _modules_after(code: str) -> set[str]:
    heavy = ["matplotlib", "sympy", "torch", "tensorflow", "tqdm", "IPython", "optax"]
    code += f"\nimport sys; print(','.join(m for m in {heavy!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(filter(None, out.stdout.strip().split(",")))


def test_import_is_light():
    """`import diffprog` must not pull in plotting, symbolic or other frameworks."""
    assert _modules_after("import diffprog") == set()


def test_course_helpers_are_apart_from_the_library():
    """The exercises and figures live in ``diffprog_course``; the library namespace has none of
    them, and the exercises do not import matplotlib either."""
    assert _modules_after("import diffprog_course, diffprog_course.exercises") == set()
    import diffprog_course.exercises  # noqa: F401

    assert not hasattr(diffprog, "exercises") and not hasattr(diffprog, "plotting")
    package = Path(diffprog.__file__).parent
    assert not (package / "exercises").exists() and not (package / "plotting").exists()
