"""The exercise bank: every worked solution passes its checker; typical wrong answers do not."""

from __future__ import annotations

import math
import re
from pathlib import Path

import jax.numpy as jnp
import numpy as np
import pytest

from diffprog_course.exercises import DNE, Exercise, all_exercises, check, evaluate, get, register
from diffprog_course.exercises.checkers import DoesNotExist, Function, Number, Vector

ROOT = Path(__file__).resolve().parent.parent
EXERCISES = {k: v for k, v in all_exercises().items() if not k.startswith("99.")}


@pytest.mark.parametrize("ex_id", list(EXERCISES))
def test_worked_solution_is_accepted(ex_id):
    verdict = evaluate(ex_id, EXERCISES[ex_id].solution)
    assert verdict.correct, str(verdict)


@pytest.mark.parametrize("ex_id", list(EXERCISES))
def test_typical_wrong_answers_are_rejected(ex_id):
    ex = EXERCISES[ex_id]
    assert ex.wrong_answers, f"{ex_id}: give at least one typical wrong answer to test the checker"
    for wrong in ex.wrong_answers:
        assert not evaluate(ex_id, wrong).correct, f"{ex_id} accepted the wrong answer {wrong!r}"


def test_tutorials_and_bank_agree():
    """Every check("NN.k", ...) in a tutorial is registered, and every registered one is used."""
    used = set()
    for md in (ROOT / "tutorials").glob("[0-9][0-9]*_*.md"):
        used |= set(re.findall(r"""check\(\s*["'](\d\d\.\d+)["']""", md.read_text()))
    assert used - set(EXERCISES) == set(), f"used but not registered: {used - set(EXERCISES)}"
    assert set(EXERCISES) - used == set(), (
        f"registered but no tutorial asks: {set(EXERCISES) - used}"
    )


def test_every_tutorial_has_self_checking_exercises():
    for md in sorted((ROOT / "tutorials").glob("[0-9][0-9]*_*.md")):
        assert re.search(rf"""check\(\s*["']{md.name[:2]}\.""", md.read_text()), (
            f"{md.name} has no self-checking exercise (diffprog_course.exercises.check)"
        )


# ---------------------------------------------------------------- the checker kinds themselves


@pytest.mark.parametrize(
    "answer, status",
    [
        (2.0, "correct"),
        (2, "correct"),
        (jnp.float32(2.00001), "correct"),
        (np.array([2.0]), "correct"),
        (2.1, "wrong"),
        (-2.0, "wrong"),
        (math.inf, "wrong"),
        (math.nan, "wrong"),
        (DNE, "wrong"),
        ("two", "malformed"),
        (None, "malformed"),
        ([2.0, 2.0], "malformed"),
        (lambda x: 2.0, "malformed"),
    ],
)
def test_number_checker(answer, status):
    assert Number(2.0)(answer)[0] == status


def test_number_checker_handles_infinity():
    assert Number(math.inf)(math.inf)[0] == "correct"
    assert Number(math.inf)(-math.inf)[0] == "wrong"
    assert Number(math.inf)(1e30)[0] == "wrong"


def test_messages_never_reveal_the_expected_value():
    for answer in (3.0, "x", [1, 2], DNE):
        _, message = Number(1234.5)(answer)
        assert "1234" not in message


@pytest.mark.parametrize(
    "answer, status",
    [
        ([1.0, 2.0], "correct"),
        (jnp.array([1.0, 2.0]), "correct"),
        ([1.0, 2.5], "wrong"),
        ([1.0, 2.0, 3.0], "malformed"),
        ("12", "malformed"),
        ([[1.0, 2.0]], "malformed"),
    ],
)
def test_vector_checker(answer, status):
    assert Vector([1.0, 2.0])(answer)[0] == status


@pytest.mark.parametrize(
    "answer, status",
    [
        (lambda x: 2 * x, "correct"),
        (lambda x: jnp.multiply(2.0, x), "correct"),
        (lambda x: x**2, "wrong"),
        (lambda x: 2 * x + 1e-2, "wrong"),
        (2.0, "malformed"),
        (lambda x: [x, x], "malformed"),
        (lambda x: 1 / 0, "malformed"),
        (lambda: 1.0, "malformed"),
    ],
)
def test_function_checker(answer, status):
    assert Function(lambda x: 2 * x)(answer)[0] == status


def test_function_checker_several_arguments():
    checker = Function(lambda x, y: x * y, points=[(1.0, 2.0), (-3.0, 0.5)])
    assert checker(lambda x, y: y * x)[0] == "correct"
    assert checker(lambda x, y: x + y)[0] == "wrong"


@pytest.mark.parametrize(
    "answer, status",
    [
        (DNE, "correct"),
        ("does not exist", "correct"),
        ("DNE", "correct"),
        ("doesn't exist", "correct"),
        (0.0, "wrong"),
        (math.inf, "wrong"),
        ("zero", "malformed"),
        (None, "malformed"),
    ],
)
def test_does_not_exist_checker(answer, status):
    assert DoesNotExist()(answer)[0] == status


def test_check_prints_and_never_raises(capsys):
    register(Exercise("99.7", Number(4.0), solution=4, hint="Count.", wrong_answers=(5,)))
    check("99.7", 4)
    check("99.7", 5)
    check("99.7", object())
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("✅") and out[1].startswith("❌") and "Hint: Count." in out[1]
    assert out[2].startswith("⚠️")


def test_bad_ids_are_explained():
    with pytest.raises(KeyError, match="should look like"):
        get("2.3")
    with pytest.raises(KeyError, match="no exercise"):
        get("98.1")
    with pytest.raises(ValueError, match="must look like"):
        register(Exercise("x", Number(1.0), solution=1))


def test_duplicate_ids_are_refused():
    register(Exercise("99.8", Number(1.0), solution=1))
    with pytest.raises(ValueError, match="registered twice"):
        register(Exercise("99.8", Number(2.0), solution=2))
