"""Exercises of tutorial 10: scaling out (data parallelism, the all-reduce, even shards)."""

from .checkers import Number
from .core import Exercise, register

register(
    Exercise(
        id="10.1",
        statement=(
            "A batch of 1030 examples is to be split over 8 devices. How many examples must "
            "be dropped to trim it to the largest multiple of 8?"
        ),
        checker=Number(6.0),
        solution=1030 % 8,
        hint="The remainder of 1030 divided by 8.",
        wrong_answers=(2.0, 8.0, 128.0),
    )
)

register(
    Exercise(
        id="10.2",
        statement=(
            "A mean loss over 4 equal shards has per-shard gradients 1, 2, 4 and 5 (each the "
            "gradient of that shard's mean loss). What is the gradient of the whole batch's "
            "mean loss?"
        ),
        checker=Number(3.0),
        solution=(1.0 + 2.0 + 4.0 + 5.0) / 4,
        hint="L = (1/k) * sum of the shard losses; the sum rule does the rest.",
        wrong_answers=(12.0, 5.0, 1.0),
    )
)

register(
    Exercise(
        id="10.3",
        statement=(
            "Shard A holds 3 examples and has mean-loss gradient 2; shard B holds 1 example "
            "and has mean-loss gradient 6. What is the gradient of the mean loss over all "
            "4 examples?"
        ),
        checker=Number(3.0),
        solution=(3 * 2.0 + 1 * 6.0) / 4,
        hint="Turn each shard's mean back into a sum (multiply by its size) before averaging.",
        wrong_answers=(4.0, 8.0, 12.0),
    )
)

register(
    Exercise(
        id="10.4",
        statement=(
            "With x = 0, 1, ..., 7 and y = 3x, use diffprog.data_parallel_value_and_grad to "
            "compute the derivative of C(m) = mean((m x - y)^2) at m = 0."
        ),
        checker=Number(-105.0),
        solution=-105.0,
        hint="By hand: C'(m) = mean(2 x (m x - y)); at m = 0 that is -6 mean(x^2).",
        wrong_answers=(105.0, -840.0, -52.5),
    )
)
