"""Animations that play offline: matplotlib's JavaScript player, with nothing fetched.

``FuncAnimation.to_jshtml()`` embeds every frame as a PNG inside one HTML snippet, which
plays in Jupyter, in Colab and in a static page. Its buttons, though, draw their icons
with the Font Awesome stylesheet fetched from a CDN: offline the buttons are blank, and
the course's book (which must fetch nothing) would report the request. :func:`offline_jshtml`
drops that link and writes the icons as plain Unicode characters instead.
"""

from __future__ import annotations

import re

__all__ = ["offline_jshtml"]

# Font Awesome icon class -> a Unicode character that every browser font has.
_ICONS = {
    "fa-minus": "\u2212",  # minus sign: slower
    "fa-fast-backward": "\u23ee",  # first frame
    "fa-step-backward": "\u25c0\u2759",
    "fa-play fa-flip-horizontal": "\u25c0",
    "fa-pause": "\u2759\u2759",
    "fa-play": "\u25b6",
    "fa-step-forward": "\u2759\u25b6",
    "fa-fast-forward": "\u23ed",  # last frame
    "fa-plus": "+",  # faster
}
_LINK = re.compile(r"<link[^>]*font-awesome[^>]*>", re.S)
_ICON = re.compile(r'<i class="fa (fa-[^"]+)"></i>')


def offline_jshtml(anim, close: bool = True) -> str:
    """``anim.to_jshtml()`` that plays offline: the HTML for ``IPython.display.HTML``.

    Calls ``anim.to_jshtml()`` (frames embedded as PNG), removes the stylesheet link
    to the Font Awesome CDN and replaces its icons by Unicode characters, so the
    player fetches nothing. With ``close`` the animation's figure is closed, so the
    notebook does not also show it as a static image.

    Args:
        anim: a ``matplotlib.animation.Animation`` (e.g. a ``FuncAnimation``).
        close: close ``anim``'s figure after rendering (default ``True``).

    Returns:
        The player's HTML (a ``str``); show it with ``IPython.display.HTML(...)``.

    Example:
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> import matplotlib.pyplot as plt
        >>> from matplotlib.animation import FuncAnimation
        >>> fig, ax = plt.subplots(figsize=(2, 2), dpi=30)
        >>> (line,) = ax.plot([0, 1], [0, 0])
        >>> anim = FuncAnimation(fig, lambda k: line.set_ydata([0, k]), frames=3)
        >>> html = offline_jshtml(anim)
        >>> "font-awesome" in html, html.count("data:image/png") == 3
        (False, True)
    """
    import matplotlib.pyplot as plt

    page = anim.to_jshtml()
    page = _LINK.sub("", page)
    page = _ICON.sub(lambda m: _ICONS.get(m.group(1), "\u00b7"), page)
    if close:
        plt.close(anim._fig)
    return page
