"""The offline animation player: every frame embedded, nothing fetched, the figure closed."""

from __future__ import annotations

import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.animation import FuncAnimation  # noqa: E402

from diffprog_course.plotting.animation import offline_jshtml  # noqa: E402


def _anim(frames: int):
    fig, ax = plt.subplots(figsize=(2, 2), dpi=30)
    (line,) = ax.plot([0, 1], [0, 0])
    return fig, FuncAnimation(fig, lambda k: line.set_ydata([0, k]), frames=frames)


def test_every_frame_is_embedded_and_nothing_is_fetched():
    fig, anim = _anim(5)
    page = offline_jshtml(anim)
    assert page.count("data:image/png") == 5
    # No URL to any server (the oracle: the raw to_jshtml output does link to a CDN).
    assert not re.search(r"https?://", page)
    assert 'class="fa ' not in page
    assert "anim-buttons" in page and page.count("<button") == 9
    assert not plt.fignum_exists(fig.number)


def test_close_false_keeps_the_figure():
    fig, anim = _anim(2)
    raw = anim.to_jshtml()
    assert re.search(r"https?://", raw), "matplotlib's player no longer links a CDN"
    offline_jshtml(anim, close=False)
    assert plt.fignum_exists(fig.number)
    plt.close(fig)
