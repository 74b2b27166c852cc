"""One meaning per public name: no two public names of diffprog (or of the course's helpers,
diffprog_course, which tutorials import beside it) are the same word bound to different objects.

Public names of a module: its ``__all__`` and its UPPER_CASE constants (``METHODS``, ``RULES``),
for ``diffprog``, every module under it without a ``_``-prefixed part (``diffprog.autodiff``,
``diffprog.simulate.integrators``...) and likewise under ``diffprog_course``; a module's own name
counts too, against the functions and constants it could be confused with (``check`` the module
vs ``check`` the exercises' function). Not a collision:

* the same object re-exported (``diffprog.limit is diffprog.limits.limit``);
* a module and the one thing of that name it defines (``diffprog.explain.explain``);
* one module's name reused by another module (``diffprog_course.plotting.limits``: the figures
  about limits);
* mirrors of jax's elementary functions (``sin``, ``exp``, ``sigmoid``...): each engine's
  version of the same mathematical function (``diffprog.autodiff.sin`` on the engine's values,
  ``diffprog.rules.sin`` on expressions);
* a deprecated alias: served by a module ``__getattr__`` (so not in ``__all__``) or marked with
  PEP 702's ``__deprecated__`` attribute (``warnings.deprecated``), its warning naming the new
  name.

See docs/ARCHITECTURE.md, "Conventions".
"""

from __future__ import annotations

import collections
import importlib
import inspect
import pkgutil

import jax
import jax.numpy as jnp
import pytest

PACKAGES = ("diffprog", "diffprog_course")

# Collisions being renamed in parallel branches (issue 16), each with its rename. The coordinator
# empties this after merging them: each entry is a strict xfail, so a fixed one fails until removed.
KNOWN_COLLISIONS: dict[str, str] = {}


def _public_modules() -> list[str]:
    names = []
    for package in PACKAGES:
        pkg = importlib.import_module(package)
        names.append(package)
        for info in pkgutil.walk_packages(pkg.__path__, f"{package}."):
            if not any(part.startswith("_") for part in info.name.split(".")):
                names.append(info.name)
    return names


def _public_names(module) -> list[str]:
    names = [n for n in getattr(module, "__all__", []) if not n.startswith("__")]
    constants = [n for n in vars(module) if n.isupper() and not n.startswith("_")]
    return names + [n for n in constants if n not in names]


def _is_mirror_of_jax(name: str) -> bool:
    return callable(getattr(jnp, name, None)) or callable(getattr(jax.nn, name, None))


def _meanings() -> dict[str, dict[int, list[str]]]:
    """Every public name -> {id of the object it is bound to: where}."""
    found: dict[str, dict[int, list[str]]] = collections.defaultdict(dict)
    modules = {m: importlib.import_module(m) for m in _public_modules()}
    for modname, module in modules.items():
        for name in _public_names(module):
            obj = getattr(module, name)
            if inspect.ismodule(obj) or hasattr(obj, "__deprecated__"):
                continue  # a subpackage re-exported as a namespace; a deprecated alias
            found[name].setdefault(id(obj), []).append(f"{modname}.{name}")
    for modname, module in modules.items():
        short = modname.rsplit(".", 1)[-1]
        if short in found and not any(
            getattr(obj, "__module__", None) == modname for obj in (getattr(module, short, None),)
        ):
            found[short].setdefault(id(module), []).append(f"module {modname}")
    return found


# Names whose one meaning is relative to their module (ARCHITECTURE.md, "Names"): `METHODS` /
# `RULES` are the tuple of strings that module's `method=` / `rule=` accepts. Their values differ
# by module; their meaning (and type) does not, which _is_vocabulary checks.
VOCABULARY = {"METHODS", "RULES"}


def _is_vocabulary(name: str) -> bool:
    if name not in VOCABULARY:
        return False
    for modname in _public_modules():
        value = getattr(importlib.import_module(modname), name, None)
        if value is not None and not (
            isinstance(value, tuple) and value and all(isinstance(v, str) for v in value)
        ):
            return False
    return True


def _collisions() -> dict[str, list[list[str]]]:
    return {
        name: list(where.values())
        for name, where in _meanings().items()
        if len(where) > 1 and not _is_mirror_of_jax(name) and not _is_vocabulary(name)
    }


def test_vocabulary_names_are_tuples_of_strings():
    """`METHODS` and `RULES`, wherever they are public, are the accepted strings (not a dict)."""
    for name in VOCABULARY:
        assert _is_vocabulary(name), name


def test_every_public_name_has_one_meaning():
    new = {n: w for n, w in _collisions().items() if n not in KNOWN_COLLISIONS}
    assert not new, (
        "public names bound to different objects (rename one; keep the old name as a deprecated "
        f"alias only where a tutorial or the README uses it): {new}"
    )


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(n, marks=pytest.mark.xfail(strict=True, reason=why))
        for n, why in KNOWN_COLLISIONS.items()
    ],
)
def test_known_collision_is_renamed(name):
    """Strict xfail while the rename is in another branch; remove the entry once merged."""
    assert name not in _collisions(), _collisions().get(name)


# Parameter names with one meaning (ARCHITECTURE.md, "Names"): `eps` is machine epsilon only (a
# finite-difference step is `step`); `num_steps` counts applications of a step function, so only
# the modules that step take it (a count of sample points is `num_points`).
STEPPING_MODULES = ("diffprog.optimize", "diffprog.simulate", "diffprog.parallel")
KNOWN_PARAMETER_MISUSES: dict[str, str] = {}


def _parameter_misuses() -> set[str]:
    misuses = set()
    for modname in _public_modules():
        module = importlib.import_module(modname)
        for name in _public_names(module):
            obj = getattr(module, name)
            if not inspect.isfunction(obj) or not obj.__module__.startswith("diffprog."):
                continue
            params = inspect.signature(obj).parameters
            where = f"{obj.__module__}.{obj.__name__}"
            if "eps" in params:
                misuses.add(f"{where}(eps)")
            if "num_steps" in params and not obj.__module__.startswith(STEPPING_MODULES):
                misuses.add(f"{where}(num_steps)")
    return misuses


def test_parameter_names_have_one_meaning():
    new = _parameter_misuses() - set(KNOWN_PARAMETER_MISUSES)
    assert not new, f"parameters named against the vocabulary of ARCHITECTURE.md: {sorted(new)}"


@pytest.mark.parametrize(
    "where",
    [
        pytest.param(w, marks=pytest.mark.xfail(strict=True, reason=why))
        for w, why in KNOWN_PARAMETER_MISUSES.items()
    ],
)
def test_known_parameter_misuse_is_renamed(where):
    """Strict xfail while the rename is in another branch; remove the entry once merged."""
    assert where not in _parameter_misuses()


def test_the_check_sees_a_collision():
    """The test itself can fail: two different objects under one public name are reported."""
    import types

    fake = types.ModuleType("diffprog.fake_module")
    fake.__all__ = ["limit"]
    fake.limit = lambda f, x0: None
    found = collections.defaultdict(dict)
    for module in (importlib.import_module("diffprog.limits"), fake):
        for name in _public_names(module):
            found[name].setdefault(id(getattr(module, name)), []).append(module.__name__)
    assert len(found["limit"]) == 2
