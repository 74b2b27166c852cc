"""The few jax APIs whose spelling or defaults differ across the supported versions.

diffprog supports jax 0.10.1 (Python 3.11) up to the newest release (0.12.x). Everything
version-sensitive that the library uses goes through here, so that a future rename is
fixed in one place.

- ``jax.make_mesh`` names its first parameter ``axis_shapes`` in 0.10 and ``axis_sizes``
  in 0.12, and defaults to *Explicit* axis types, which switch sharding propagation into
  the "sharding-in-types" mode. diffprog wants the classic *Auto* mode (XLA propagates
  the shardings and inserts the collectives), so :func:`mesh_1d` builds the mesh with the
  ``jax.sharding.Mesh`` constructor, whose default is Auto in both versions.
- ``jax.shard_map`` (top level, with ``check_vma``) exists in both; diffprog's library
  path does not need it (jit + ``NamedSharding`` is enough), the tutorial uses it to show
  the all-reduce explicitly.
"""

from __future__ import annotations

from collections.abc import Sequence

import jax
import numpy as np
from jax.sharding import Mesh

__all__ = ["mesh_1d"]


def mesh_1d(devices: Sequence[jax.Device], axis_name: str) -> Mesh:
    """A 1-D mesh over ``devices`` with one Auto-sharded axis called ``axis_name``."""
    return Mesh(np.asarray(devices, dtype=object), (axis_name,))
