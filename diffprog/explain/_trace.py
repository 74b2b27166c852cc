"""The result of :func:`~diffprog.explain.explain`: the rows and the three tables as text."""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

__all__ = ["Row", "Trace"]


@dataclass(frozen=True)
class Row:
    """One line of a trace: the variable, its definition, and its value(s).

    A frozen dataclass, not a :func:`~diffprog._result.result`: it holds text and Python floats
    (a table to read), not arrays to trace.
    """

    var: str
    expr: str
    value: Any


@dataclass(frozen=True)
class Trace:
    """The three evaluation traces of a scalar function at a point.

    A frozen dataclass, not a :func:`~diffprog._result.result`: its rows are text tables for a
    reader, computed outside jax's transformations (explain refuses tracers).

    Attributes:
        primal: rows ``(v_i, definition, value)`` of the forward primal trace.
        tangent: rows ``(v̇_i, definition, values)``, one value per direction.
        adjoint: rows ``(v̄_j, update, value after the update)`` of the reverse sweep.
        directions: the input directions ``ẋ`` of the tangent columns.
        value: ``f(x)``.
        jvp: ``∇f · ẋ`` for each direction (the last tangent row).
        gradient: ``∇f`` (the adjoints of the inputs).
    """

    primal: tuple[Row, ...]
    tangent: tuple[Row, ...]
    adjoint: tuple[Row, ...]
    directions: tuple[tuple[float, ...], ...]
    value: float
    jvp: tuple[float, ...]
    gradient: tuple[float, ...]
    precision: int = 5

    def _fmt(self, v: Any) -> str:
        if isinstance(v, tuple):
            return "  ".join(self._fmt(x) for x in v)
        return f"{float(v):.{self.precision}g}"

    def _tables(self) -> list[tuple[str, list[tuple[str, str, str]]]]:
        """(title, rows as text) of the three tables."""
        dirs = ", ".join("(" + ", ".join(f"{d:g}" for d in dr) + ")" for dr in self.directions)
        titles = (
            "Forward primal trace",
            f"Forward tangent trace, ẋ = {dirs}",
            "Reverse adjoint trace, ȳ = 1",
        )
        tables = (self.primal, self.tangent, self.adjoint)
        return [
            (title, [(r.var, r.expr, self._fmt(r.value)) for r in rows])
            for title, rows in zip(titles, tables, strict=True)
        ]

    def __str__(self) -> str:
        out = []
        for title, rows in self._tables():
            w0 = max(_width(r[0]) for r in rows)
            w1 = max(_width(r[1]) for r in rows)
            out.append(title)
            out.extend(f"  {_pad(a, w0)} = {_pad(b, w1)} = {c}" for a, b, c in rows)
            out.append("")
        return "\n".join(out).rstrip() + "\n"

    def _repr_html_(self) -> str:
        parts = ['<div style="display:flex;gap:2em;flex-wrap:wrap;align-items:flex-start">']
        for title, rows in self._tables():
            body = "".join(
                f"<tr><td>{html.escape(a)}</td><td>= {html.escape(b)}</td>"
                f"<td style='text-align:right'>= {html.escape(c)}</td></tr>"
                for a, b, c in rows
            )
            parts.append(f"<table><caption><b>{html.escape(title)}</b></caption>{body}</table>")
        parts.append("</div>")
        return "".join(parts)


def _width(s: str) -> int:
    # Display width: the dot and bar accents (combining characters) take no room.
    return len(s) - s.count("\u0307") - s.count("\u0304")


def _pad(s: str, width: int) -> str:
    return s + " " * (width - _width(s))
