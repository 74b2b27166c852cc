"""Exercises of tutorial 10: scaling out (data parallelism, the all-reduce, even shards)."""

from .checkers import Number
from .core import Exercise, register

register(
    Exercise(
        id="10.1",
        checker=Number(6.0),
        solution=1030 % 8,
        hint="The remainder of 1030 divided by 8.",
        wrong_answers=(2.0, 8.0, 128.0),
    )
)

register(
    Exercise(
        id="10.2",
        checker=Number(3.0),
        solution=(1.0 + 2.0 + 4.0 + 5.0) / 4,
        hint="L = (1/k) * sum of the shard losses; the sum rule does the rest.",
        wrong_answers=(12.0, 5.0, 1.0),
    )
)

register(
    Exercise(
        id="10.3",
        checker=Number(3.0),
        solution=(3 * 2.0 + 1 * 6.0) / 4,
        hint="Turn each shard's mean back into a sum (multiply by its size) before averaging.",
        wrong_answers=(4.0, 8.0, 12.0),
    )
)

register(
    Exercise(
        id="10.4",
        checker=Number(-105.0),
        solution=-105.0,
        hint="By hand: C'(m) = mean(2 x (m x - y)); at m = 0 that is -6 mean(x^2).",
        wrong_answers=(105.0, -840.0, -52.5),
    )
)
