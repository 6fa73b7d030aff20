"""Numpy Generators held in a compiled record, so compiled kernels take them cheaply.

Handing a ``numpy.random.Generator`` to a compiled (numba) function costs ~8 us a call: numba
unboxes it afresh each time, with Python-level ``ctypes`` calls for its state and its four
function pointers. The model makes four such calls a day (arrests, recruitment, the armed
groups' day, line fire), ~12 ms of a 365-day replication. A :class:`HeldStream` unboxes the
Generator once and keeps it in a numba ``StructRef``; handing the record to a kernel costs
~0.7 us. The record points at the Generator's own state, so draws through it are the same draws,
in the same order, as through the Generator (the Generator's position moves with them), and it
keeps the Generator alive.

Kernels call ``rng.poisson(lam)`` and ``rng.random(size)`` on either: the two methods are
overloaded on the record's type to call the held Generator. (numba's disk cache checks only the
file of a cached kernel: after editing these overloads, clear ``__pycache__`` of the kernels'
modules.)
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import config, njit, types
from numba.core.extending import overload_method
from numba.experimental import structref

GENERATOR_TYPE = types.NumPyRandomGeneratorType("NumPyRandomGeneratorType")
"""Numba's type of every numpy Generator (one instance; see ``sim.ground.kernels``)."""


@structref.register
class HeldStreamType(types.StructRef):
    """Numba's type of the record: one field, ``generator``."""

    def preprocess_fields(self, fields: Any) -> tuple[tuple[str, types.Type], ...]:
        """The fields' types without literal values (numba's recommended preprocessing)."""
        return tuple((name, types.unliteral(typ)) for name, typ in fields)


class HeldStream(structref.StructRefProxy):
    """A Generator held for compiled kernels (build with :func:`hold`).

    Its ``generator`` attribute is the Generator (set by :func:`hold`); ``poisson`` and
    ``random``, which compiled code overloads, also work from Python, as does ``binomial``.
    """

    generator: np.random.Generator

    def poisson(self, lam: Any) -> Any:
        """``generator.poisson(lam)``."""
        return self.generator.poisson(lam)

    def random(self, size: Any = None) -> Any:
        """``generator.random(size)``."""
        return self.generator.random(size)

    def binomial(self, n: Any, p: Any) -> Any:
        """``generator.binomial(n, p)`` (from Python only)."""
        return self.generator.binomial(n, p)


structref.define_proxy(HeldStream, HeldStreamType, ["generator"])

KernelStream = np.random.Generator | HeldStream
"""What a compiled kernel's ``rng`` argument may be."""

_HELD_TYPE = HeldStreamType(fields=[("generator", GENERATOR_TYPE)])


@njit(cache=True)
def _new_held(generator: np.random.Generator) -> HeldStream:  # pragma: no cover
    held = structref.new(_HELD_TYPE)  # type: ignore[call-arg,var-annotated]
    held.generator = generator
    return held


# numba requires the overload and its implementation to have the same signature, annotations
# included.
@overload_method(HeldStreamType, "poisson")
def _held_poisson(held: Any, lam: Any) -> Any:
    def draw(held: Any, lam: Any) -> Any:  # pragma: no cover
        return held.generator.poisson(lam)

    return draw


@overload_method(HeldStreamType, "random")
def _held_random(held: Any, size: Any = None) -> Any:
    def draw(held: Any, size: Any = None) -> Any:  # pragma: no cover
        return held.generator.random(size)

    return draw


def hold(stream: object) -> object:
    """A :class:`HeldStream` for a numpy Generator; any other stream (a test's stand-in) as is.

    With ``NUMBA_DISABLE_JIT=1`` kernels are plain Python and take the Generator itself.
    """
    if isinstance(stream, np.random.Generator) and not config.DISABLE_JIT:  # type: ignore[attr-defined]
        held: HeldStream = _new_held(stream)
        # The record holds the Generator for compiled code; Python reads it here (a numba record
        # cannot hand a Generator back to Python).
        held.generator = stream
        return held
    return stream
