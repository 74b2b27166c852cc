"""How long each tutorial takes in class, by one fixed estimate, and where things are introduced.

The estimate (issue 18's): reading prose at 120 words a minute, 0.2 minutes per line of code,
and 5 minutes per exercise. Prose is every word outside the code cells (worked solutions
included: a learner reads them); a code line is a non-blank line of a ``{code-cell}`` (cell
options such as ``:tags:`` excluded); an exercise is a ``### Exercise`` heading. A section headed
``## Optional: ...`` (up to the next ``## `` heading; each opens with a "skip on a first reading"
note) is not part of the class session: its words, code lines and exercises are counted apart,
as the optional minutes. The class time is the rest, the core, and it is what the course's pace
bound (75 minutes a tutorial, issue 18) applies to. The first-use
table lists, for each symbol and each JAX function the course relies on, the first tutorial
whose text or code contains it. ``docs/index.md`` carries both tables; ``tests/test_pace.py``
checks them against this script, so the numbers there are computed, not copied::

    python tutorials/pace.py            # print both tables as Markdown
    python tutorials/pace.py --write    # refresh them in docs/index.md
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORDS_PER_MINUTE = 120
MINUTES_PER_CODE_LINE = 0.2
MINUTES_PER_EXERCISE = 5

_CELL = re.compile(r"^```\{code-cell\}[^\n]*\n(.*?)^```[ \t]*$", re.M | re.S)
_FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.S)
OPTIONAL_HEADING = "## Optional"
CLASS_MINUTES_BOUND = 75

# (what the table shows, the regular expression that finds it in a tutorial's text).
SYMBOLS = [
    (r"$\Delta x$", r"\\Delta x"),
    (r"$f'(x)$", r"f'\(x\)"),
    (r"$\frac{dy}{dx}$", r"\\frac\{dy\}\{dx\}"),
    (r"$\varepsilon$", r"\\varepsilon"),
    (r"$\partial$", r"\\partial"),
    (r"$\nabla$", r"\\nabla"),
    ("the Jacobian", r"Jacobian"),
    (r"$\eta$", r"\\eta"),
    (r"$\dot v$", r"\\dot v"),
    (r"$\delta$", r"\\delta"),
    (r"$\frac{ds}{dt}$", r"\\frac\{ds\}\{dt\}"),
]
JAX_FUNCTIONS = [
    "jnp.",
    "jax.grad",
    "jax.vmap",
    "jax.jit",
    "jax.value_and_grad",
    "jax.jacobian",
    "jax.hessian",
    "jax.jvp",
    "jax.vjp",
    "jax.jacfwd",
    "jax.jacrev",
    "jax.lax.scan",
    "jax.lax.stop_gradient",
    "jax.random",
    "jax.block_until_ready",
    "shard_map",
]


@dataclass(frozen=True)
class Counts:
    """Prose words, code lines and exercises of some text, and its estimate in minutes."""

    words: int
    code_lines: int
    exercises: int

    @property
    def minutes(self) -> float:
        return (
            self.words / WORDS_PER_MINUTE
            + MINUTES_PER_CODE_LINE * self.code_lines
            + MINUTES_PER_EXERCISE * self.exercises
        )


@dataclass(frozen=True)
class Pace:
    """One tutorial's counts: the class session (core) and its optional sections apart."""

    number: str
    core: Counts
    optional: Counts

    @property
    def words(self) -> int:
        return self.core.words

    @property
    def code_lines(self) -> int:
        return self.core.code_lines

    @property
    def exercises(self) -> int:
        return self.core.exercises

    @property
    def minutes(self) -> float:
        """The class time: the estimate without the optional sections."""
        return self.core.minutes

    @property
    def optional_minutes(self) -> float:
        return self.optional.minutes


def tutorials() -> list[Path]:
    """The text twins in course order (two digits, a letter for a second part)."""
    return sorted(p for p in HERE.glob("[0-9][0-9]*_*.md") if re.match(r"\d\d[a-z]?_", p.name))


def split_optional(text: str) -> tuple[str, str]:
    """(core, optional): ``text`` without and with only its ``## Optional: ...`` sections.

    An optional section runs from its heading to the next ``## `` heading; headings are found
    outside code cells only (a ``## `` line inside a cell is code).
    """
    core: list[str] = []
    optional: list[str] = []
    into, in_cell = core, False
    for line in text.splitlines(keepends=True):
        if line.startswith("```"):
            in_cell = not in_cell  # a fence opens or closes a cell (or a fenced block)
        elif not in_cell and line.startswith("## "):
            into = optional if line.startswith(OPTIONAL_HEADING) else core
        into.append(line)
    return "".join(core), "".join(optional)


def counts(text: str) -> Counts:
    """Count the prose words, code lines and exercises of some tutorial text."""
    code = [
        line
        for cell in _CELL.findall(text)
        for line in cell.splitlines()
        if line.strip() and not re.match(r"^:\w+:", line)
    ]
    prose = _CELL.sub("", text)
    prose = re.sub(r"^\+\+\+.*$", "", prose, flags=re.M)  # MyST cell breaks
    return Counts(
        words=len(prose.split()),
        code_lines=len(code),
        exercises=len(re.findall(r"^### Exercise ", text, re.M)),
    )


def pace(md: Path) -> Pace:
    """Count one tutorial: its class session and, apart, its optional sections."""
    core, optional = split_optional(_FRONT_MATTER.sub("", md.read_text()))
    return Pace(number=md.name.split("_")[0], core=counts(core), optional=counts(optional))


def first_uses() -> list[tuple[str, str]]:
    """(symbol or function, number of the first tutorial that contains it), in table order."""
    texts = [(p.name.split("_")[0], p.read_text()) for p in tutorials()]
    rows = []
    for shown, pattern in SYMBOLS:
        rows.append((shown, next((n for n, t in texts if re.search(pattern, t)), "—")))
    for name in JAX_FUNCTIONS:
        rows.append((f"`{name}`", next((n for n, t in texts if name in t), "—")))
    return rows


def pace_table() -> str:
    """The pace table as Markdown (what docs/index.md carries)."""
    lines = [
        "| tutorial | prose words | code lines | exercises | class time (min) | optional (min) |",
        "|---|---|---|---|---|---|",
    ]
    for p in map(pace, tutorials()):
        lines.append(
            f"| {p.number} | {p.words} | {p.code_lines} | {p.exercises} | {p.minutes:.0f} "
            f"| {p.optional_minutes:.0f} |"
        )
    return "\n".join(lines)


def first_use_table() -> str:
    """The first-use table as Markdown (what docs/index.md carries)."""
    lines = ["| symbol or function | first in tutorial |", "|---|---|"]
    lines += [f"| {shown} | {n} |" for shown, n in first_uses()]
    return "\n".join(lines)


INDEX = HERE.parent / "docs" / "index.md"
TABLES = {"first-use": first_use_table, "table": pace_table}


def filled(text: str) -> str:
    """``text`` (docs/index.md) with each ``<!-- pace:NAME -->`` block holding its fresh table."""
    for name, table in TABLES.items():
        begin, end = f"<!-- pace:{name} -->", f"<!-- /pace:{name} -->"
        head, found, rest = text.partition(begin)
        if not found or end not in rest:
            raise ValueError(f"docs/index.md has no {begin} ... {end} block")
        text = head + begin + "\n" + table() + "\n" + end + rest.partition(end)[2]
    return text


if __name__ == "__main__":
    if sys.argv[1:] == ["--write"]:
        INDEX.write_text(filled(INDEX.read_text()))
        print(f"updated {INDEX}")
    else:
        print(pace_table(), first_use_table(), sep="\n\n")
