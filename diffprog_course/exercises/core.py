"""The exercise registry, and ``check``/``evaluate`` for learners' answers.

Exercises are registered by the bank module of their tutorial
(``diffprog_course/exercises/bank_NN.py``), which is imported the first time an id
starting with ``NN.`` is asked for. Ids are ``"NN.k"``: tutorial number, then the
exercise's number within it.

Each exercise is declared once: its statement and its worked solution are text of the
tutorial (where the learner reads them); the bank holds only what judges an answer (the
checker, the worked answer it must accept, a hint and the typical wrong answers it must
reject), under the id the tutorial's ``check("NN.k", ...)`` cell names.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from diffprog import InputError

from .checkers import DNE

__all__ = [
    "DNE",
    "Exercise",
    "ExerciseIdError",
    "Verdict",
    "all_exercises",
    "check",
    "evaluate",
    "get",
    "register",
]


class ExerciseIdError(InputError, KeyError):
    """An exercise id that is malformed or not registered (also a ``KeyError``)."""

    __str__ = Exception.__str__


_ID = re.compile(r"^(\d\d)\.(\d+)$")
_REGISTRY: dict[str, Exercise] = {}


@dataclass(frozen=True)
class Exercise:
    """One exercise's judge: how an answer is checked, and the worked answer it accepts.

    The question itself is stated by the tutorial only (the cell that calls
    ``check("NN.k", answer)`` follows it), never copied here.

    Attributes:
        id: ``"NN.k"``, e.g. ``"02.3"`` is tutorial 02's third exercise.
        checker: a callable ``answer -> (status, message)`` from
            ``diffprog_course.exercises.checkers``.
        solution: the worked solution's answer as a Python value that the checker
            must accept (a number, a function, ``DNE``...). The tutorial shows the
            full worked solution; the test suite checks this value passes.
        hint: a nudge shown after a wrong answer.
        wrong_answers: typical wrong answers the checker must reject (tested).
    """

    id: str
    checker: Callable[[Any], tuple[str, str]]
    solution: Any
    hint: str = ""
    wrong_answers: tuple[Any, ...] = ()


@dataclass(frozen=True)
class Verdict:
    """The outcome of judging an answer: ``status`` is correct, wrong or malformed."""

    id: str
    status: str
    message: str

    @property
    def correct(self) -> bool:
        return self.status == "correct"

    def __bool__(self) -> bool:
        return self.correct

    def __str__(self) -> str:
        head = {"correct": "✅ Correct", "wrong": "❌ Not yet", "malformed": "⚠️  Can't check that"}
        text = f"{head[self.status]} (exercise {self.id})"
        return f"{text}. {self.message}" if self.message else f"{text}."


def register(exercise: Exercise) -> Exercise:
    """Add ``exercise`` to the registry (ids must be unique and look like ``"02.3"``)."""
    if not _ID.match(exercise.id):
        raise InputError(f"exercise id {exercise.id!r} must look like '02.3' (tutorial.number)")
    if exercise.id in _REGISTRY and _REGISTRY[exercise.id] is not exercise:
        raise InputError(f"exercise id {exercise.id!r} is registered twice; give it a new number")
    _REGISTRY[exercise.id] = exercise
    return exercise


def _load_bank(tutorial: str) -> None:
    try:
        importlib.import_module(f"{__package__}.bank_{tutorial}")
    except ModuleNotFoundError as err:
        if err.name != f"{__package__}.bank_{tutorial}":
            raise


def get(exercise_id: str) -> Exercise:
    """The registered exercise with this id.

    Raises:
        ExerciseIdError: (a ``KeyError`` and an ``InputError``) with the known ids of that
            tutorial, if there is no such exercise or the id is malformed.
    """
    if not isinstance(exercise_id, str):
        raise ExerciseIdError(
            f"exercise id must be a string like '02.3', got "
            f"{type(exercise_id).__name__} {exercise_id!r}. Pass it quoted: "
            f"check('02.3', answer)"
        )
    m = _ID.match(exercise_id)
    if not m:
        raise ExerciseIdError(
            f"exercise id {exercise_id!r} should look like '02.3' (tutorial.number)"
        )
    _load_bank(m.group(1))
    if exercise_id not in _REGISTRY:
        known = sorted(k for k in _REGISTRY if k.startswith(m.group(1) + "."))
        raise ExerciseIdError(
            f"no exercise {exercise_id!r}; tutorial {m.group(1)} has {known or 'none'}"
        )
    return _REGISTRY[exercise_id]


def evaluate(exercise_id: str, answer: Any) -> Verdict:
    """Judge ``answer`` to exercise ``exercise_id`` and return the verdict (prints nothing).

    A wrong or malformed answer is a verdict, never an exception; the hint is
    appended to a wrong answer's message.

    Example:
        >>> from diffprog_course.exercises import Exercise, evaluate, register
        >>> from diffprog_course.exercises.checkers import Number
        >>> _ = register(Exercise("99.1", Number(2.0), solution=2))
        >>> evaluate("99.1", 2).correct, evaluate("99.1", 3).status
        (True, 'wrong')
    """
    ex = get(exercise_id)
    try:
        status, message = ex.checker(answer)
    except Exception as err:  # noqa: BLE001 - a checker must never crash on a learner
        status, message = "malformed", f"Could not check this answer ({type(err).__name__}: {err})."
    if status == "wrong" and ex.hint:
        message = f"{message} Hint: {ex.hint}"
    return Verdict(exercise_id, status, message)


def check(exercise_id: str, answer: Any) -> None:
    """Print the verdict on ``answer`` to exercise ``exercise_id``.

    This is what a learner calls in a tutorial; it never raises on a wrong answer.
    Answer "does not exist" with ``DNE`` (or the string ``"does not exist"``).

    Example:
        >>> from diffprog_course.exercises import Exercise, check, register
        >>> from diffprog_course.exercises.checkers import Number
        >>> _ = register(Exercise("99.2", Number(6.0), solution=6, hint="Add 2 three times."))
        >>> check("99.2", 5)
        ❌ Not yet (exercise 99.2). Not a single number that matches. Hint: Add 2 three times.
    """
    print(evaluate(exercise_id, answer))


def all_exercises() -> dict[str, Exercise]:
    """Every registered exercise of every tutorial, by id (loads all banks)."""
    for info in pkgutil.iter_modules(importlib.import_module(__package__).__path__):
        if info.name.startswith("bank_"):
            importlib.import_module(f"{__package__}.{info.name}")
    return {k: _REGISTRY[k] for k in sorted(_REGISTRY, key=lambda s: tuple(map(int, s.split("."))))}
