"""Common random numbers: one seed sequence per experiment, one child per replication.

Replication ``i`` of every scenario draws from ``SeedSequence(entropy, spawn_key=(i,))``, which
is exactly the ``i``-th child of ``SeedSequence(entropy).spawn(n)``. Building the child directly
(rather than spawning from a shared parent) keeps it independent of how many replications were
asked for, so an experiment can be extended from 10 to 50 replications without changing the
first 10, and any worker can rebuild its seed from two numbers.

Example:
    >>> plan = SeedPlan.from_seed(42)
    >>> plan.replication_seed(3).spawn_key
    (3,)
    >>> plan.replication_seed(3).generate_state(1) == plan.replication_seed(3).generate_state(1)
    array([ True])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class SeedPlan:
    """The root of an experiment's random numbers.

    Attributes:
        entropy: The root entropy (an integer of up to 128 bits for fresh entropy).
    """

    entropy: int

    @classmethod
    def from_seed(cls, seed: int | None) -> SeedPlan:
        """A plan from a user's seed, or from fresh operating-system entropy when ``None``."""
        if seed is not None and seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {seed}")
        root = np.random.SeedSequence(seed)
        entropy = root.entropy
        if not isinstance(entropy, int):  # SeedSequence accepts sequences; we always give an int
            raise TypeError(f"unexpected entropy type {type(entropy).__name__}")
        return cls(entropy=entropy)

    def replication_seed(self, replication: int) -> np.random.SeedSequence:
        """The seed sequence of replication ``replication`` (the same for every scenario)."""
        if replication < 0:
            raise ValueError(f"replication index must be >= 0, got {replication}")
        return np.random.SeedSequence(self.entropy, spawn_key=(replication,))

    def to_json(self) -> dict[str, str]:
        """JSON-safe form (entropy as a decimal string: 128-bit integers overflow JSON readers)."""
        return {
            "entropy": str(self.entropy),
            "spawn": "replication i uses SeedSequence(entropy, spawn_key=(i,))",
        }


def spawn_key_text(replication: int) -> str:
    """The spawn key of a replication as stored in result tables."""
    return f"[{replication}]"
