"""The course's own helpers, apart from the library: exercises and figures of the tutorials.

``diffprog`` is the library (what research code imports); ``diffprog_course`` is what only the
tutorials use, shipped by the same distribution so that the tutorials' first-cell install
(``pip install "diffprog[tutorials]"``) brings both:

* ``diffprog_course.exercises``: ``check("02.3", answer)``, the self-checking exercises (one
  bank module per tutorial: the checker, a worked answer and the typical wrong answers; the
  statement lives in the tutorial only);
* ``diffprog_course.plotting``: the tutorials' figures and the offline animation player
  (matplotlib, imported on demand).

Importing ``diffprog_course`` imports neither: each is imported when a tutorial asks for it.
"""

__all__: list[str] = []
