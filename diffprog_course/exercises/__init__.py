"""Self-checking exercises: answer, get feedback, then read the worked solution.

Every tutorial's exercises are registered here, one bank module per tutorial
(``bank_01.py``, ``bank_02.py``, ...), loaded on first use. A learner writes an
answer and calls::

    from diffprog_course.exercises import check
    check("02.3", my_answer)

which prints a verdict: correct; wrong, with the *kind* of answer expected and a
hint (never the expected value itself); or malformed (wrong type or shape),
explained. ``check`` never raises on a wrong answer and needs no network.

Checker kinds (``diffprog_course.exercises.checkers``): ``Number`` (a scalar with a
tolerance), ``Vector`` (an array of given shape), ``Function`` (a function
compared with a reference at sample points, e.g. a derivative the learner wrote)
and ``DoesNotExist`` (the verdict that a limit or derivative does not exist).
"""

from .core import DNE as DNE
from .core import Exercise as Exercise
from .core import ExerciseIdError as ExerciseIdError
from .core import Verdict as Verdict
from .core import all_exercises as all_exercises
from .core import check as check
from .core import evaluate as evaluate
from .core import get as get
from .core import register as register

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
