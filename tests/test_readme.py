"""The README's library examples run: every ```python block, in order, in one namespace."""

import re
from pathlib import Path

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()
BLOCKS = re.findall(r"^```python\n(.*?)^```", README, re.S | re.M)


def test_readme_has_examples():
    assert BLOCKS, "README.md has no ```python example"


def test_readme_examples_run():
    namespace: dict = {}
    for code in BLOCKS:
        exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102 - our own README
