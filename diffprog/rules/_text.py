"""The derivation printer of :mod:`diffprog.rules`: each node's text and its derivative's.

Texts are ``(text, atomic)`` pairs (atomic: needs no parentheses). :func:`text_pass` writes every
node once, in topological order, naming the shared or long sub-expressions (``u1``, ``u2`` ...),
so a derivation grows with the number of nodes, not with the size of the expanded formula.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

__all__ = ["INLINE_LIMIT", "NAME_WIDTH", "derivation", "inline", "let", "node_text", "text_pass"]

INLINE_LIMIT = 4000
#: In ``derivation()``, a sub-expression longer than this gets a name (``u1``, ``u2``, ...).
NAME_WIDTH = 60

_Text = tuple[str, bool]  # (text, atomic: needs no parentheses around it)


def _p(t: _Text) -> str:
    """Parenthesise a compound expression."""
    return t[0] if t[1] else f"({t[0]})"


def _num(c: float) -> _Text:
    s = f"{c:g}"
    return s, s.replace("_", "").replace(".", "").isalnum()


def _call(name: str) -> Callable[[_Text], _Text]:
    return lambda a: (f"{name}({a[0]})", True)


def _fmt(template: str, atomic: bool = False) -> Callable[[_Text], _Text]:
    """A text template in ``x``: ``{p}`` is the argument parenthesised, ``{a}`` it bare."""
    return lambda a: (template.format(p=_p(a), a=a[0]), atomic)


def _substituting(template: str) -> Callable[[_Text], _Text]:
    """A user-written text in ``x`` (``Diff(...)``): each ``x`` becomes the argument."""
    atomic = re.fullmatch(r"[A-Za-z_]\w*(\(x\))?", template) is not None

    def text(a: _Text) -> _Text:
        s = re.sub(r"\(x\)|\bx\b", lambda m: f"({a[0]})" if m.group() == "(x)" else _p(a), template)
        return s, atomic

    return text


def node_text(n: Any, shown: dict) -> tuple[_Text, _Text | None]:
    """The node's text and its derivative's (None: a constant), from its parts' shown texts."""
    op = n._op
    if op == "x":
        return ("x", True), ("1", True)
    if op == "const":
        return _num(n._c), None
    (ue, ud), *rest = [shown[id(a)] for a in n._args]
    if op == "apply":
        expr = n._block.text(ue)
        if ud is None:
            return expr, None
        outer = n._block.dtext(ue)
        return expr, outer if ud[0] == "1" else (f"{_p(outer)}*{_p(ud)}", False)
    if op == "scale":
        c = _num(n._c)
        return (f"{c[0]}*{_p(ue)}", False), None if ud is None else (f"{c[0]}*{_p(ud)}", False)
    ((ve, vd),) = rest
    if ud is None and vd is None:  # a constant sub-expression: its derivative is not shown
        expr, _ = _BINARY_TEXT[op](ue, ("0", True), ve, ("0", True))
        return (expr, False), None
    expr, dexpr = _BINARY_TEXT[op](ue, ud, ve, vd)
    return (expr, False), None if n.const else (dexpr, _ATOM.fullmatch(dexpr) is not None)


_ATOM = re.compile(r"[\w.']+")


def _join(*terms: str | None) -> str:
    return " + ".join(t for t in terms if t is not None).replace("+ -", "- ")


_BINARY_TEXT: dict[str, Callable[..., tuple[str, str]]] = {
    "add": lambda ue, ud, ve, vd: (f"{ue[0]} + {ve[0]}", _join(ud and ud[0], vd and vd[0])),
    "sub": lambda ue, ud, ve, vd: (
        f"{ue[0]} - {_p(ve)}",
        (ud[0] if ud else "") + (f" - {_p(vd)}" if ud and vd else f"-{_p(vd)}" if vd else ""),
    ),
    "mul": lambda ue, ud, ve, vd: (
        f"{_p(ue)}*{_p(ve)}",
        _join(ud and f"{_p(ud)}*{_p(ve)}", vd and f"{_p(ue)}*{_p(vd)}"),
    ),
    "div": lambda ue, ud, ve, vd: (
        f"{_p(ue)}/{_p(ve)}",
        (
            f"({_p(ud)}*{_p(ve)} - {_p(ue)}*{_p(vd)})/{_p(ve)}**2"
            if ud and vd
            else f"{_p(ud)}*{_p(ve)}/{_p(ve)}**2"
            if ud
            else f"-{_p(ue)}*{_p(vd)}/{_p(ve)}**2"
        ),
    ),
}


def text_pass(root: Any, order: list, width: float, name_shared: bool) -> tuple[list, dict]:
    """Texts of every node (display order), naming shared or long sub-expressions."""
    refs: dict[int, int] = {}
    for n in order:
        for a in n._args:
            refs[id(a)] = refs.get(id(a), 0) + 1
    shown: dict[int, tuple[_Text, _Text | None]] = {
        id(a): (("x", True), ("1", True)) for n in order for a in n._args if a._op == "x"
    }
    lines: list = []
    names: dict[int, str] = {}
    for n in order:
        expr, dexpr = node_text(n, shown)
        name = None
        r = refs.get(id(n), 0)
        if (
            n._op not in ("x", "const")
            and r
            and (
                (name_shared and r > 1)
                or len(expr[0]) > width
                or (dexpr is not None and len(dexpr[0]) > width)
            )
        ):
            name = f"u{len(names) + 1}"
            names[id(n)] = name
            shown[id(n)] = ((name, True), None if n.const else (f"{name}'", True))
        else:
            shown[id(n)] = (expr, dexpr)
        lines.append((n, name, expr, dexpr))
    return lines, shown


def inline(root: Any, order: list) -> tuple[str, str] | None:
    """``(expr, dexpr)`` written inline, or None past :data:`INLINE_LIMIT` characters."""
    shown: dict[int, tuple[_Text, _Text | None]] = {}
    for n in order:
        expr, dexpr = node_text(n, shown)
        if len(expr[0]) > INLINE_LIMIT or (dexpr and len(dexpr[0]) > INLINE_LIMIT):
            return None
        shown[id(n)] = (expr, dexpr)
    expr, dexpr = shown[id(root)]
    return expr[0], "0" if dexpr is None else dexpr[0]


def let(root: Any, lines: list, shown: dict) -> tuple[str, str]:
    """``(expr, dexpr)`` with let-bindings for the named sub-expressions of a text pass."""
    lets = [(nm, e[0], d[0] if d else "0") for _, nm, e, d in lines if nm]
    expr, dexpr = shown[id(root)]
    dtext = "0" if dexpr is None else dexpr[0]
    bind = "; ".join(f"{nm} = {e}" for nm, e, _ in lets)
    dbind = "; ".join(f"{nm} = {e}; {nm}' = {d}" for nm, e, d in lets)
    return f"let {bind} in {expr[0]}", f"let {dbind} in {dtext}"


def derivation(lines: list) -> str:
    """One line per node of a text pass: the rule, then the derivative (or the named part)."""
    rows = []
    for n, name, expr, dexpr in lines:
        dtext = "0" if dexpr is None else dexpr[0]
        if name:
            rows.append((n.rule, f"{name} = {expr[0]};  {name}' = {dtext}"))
        else:
            rows.append((n.rule, f"d/dx[{expr[0]}] = {dtext}"))
    width = max(len(r) for r, _ in rows)
    return "\n".join(f"{r:<{width}}  {t}" for r, t in rows)
