"""Named random streams from one seed.

Each kind of random decision (movement, arrests, attacks, aid seizures, bargaining draws ...)
draws from its own ``numpy.random.Generator``. The streams are derived from one
``SeedSequence`` by a stable hash of the stream's name, so adding a new stream, or drawing
more from one, never reshuffles the draws of another (the Starsim practice).

Example:
    >>> streams = RandomStreams(12345)
    >>> a = streams["movement"].random()
    >>> b = RandomStreams(12345)["movement"].random()
    >>> a == b
    True
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import numpy as np


def _name_key(name: str) -> int:
    """A stable 32-bit integer for a stream name (Python's ``hash`` is salted per process)."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=4).digest(), "little")


class RandomStreams:
    """A lazily built family of independent generators, one per named stream.

    Args:
        seed: An integer seed or a ``SeedSequence`` (e.g. one spawned per replication).
    """

    def __init__(self, seed: int | np.random.SeedSequence | None) -> None:
        self.seed_sequence = (
            seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
        )
        self._streams: dict[str, np.random.Generator] = {}
        self._prepared: dict[tuple[str, Callable[[Any], Any]], Any] = {}

    def __getitem__(self, name: str) -> np.random.Generator:
        """The generator for stream ``name``, created on first use."""
        stream = self._streams.get(name)
        if stream is None:
            parent = self.seed_sequence
            child = np.random.SeedSequence(
                entropy=parent.entropy,
                spawn_key=(*parent.spawn_key, _name_key(name)),
                pool_size=parent.pool_size,
            )
            stream = np.random.Generator(np.random.PCG64(child))
            self._streams[name] = stream
        return stream

    def prepared(self, name: str, prepare: Callable[[Any], Any]) -> Any:
        """``prepare(self[name])``, made once per stream and kept.

        For a wrapper that must share the stream's position, such as the record compiled
        kernels take (:func:`sim.ground.streams.hold`): building it for every call would cost
        more than the call.
        """
        key = (name, prepare)
        value = self._prepared.get(key)
        if value is None:
            value = self._prepared[key] = prepare(self[name])
        return value

    def __getstate__(self) -> dict[str, Any]:
        """Copies and pickles keep the streams, not what was prepared from them.

        A prepared wrapper (a record compiled code holds) cannot be pickled and would point at
        the original's Generators; a copy prepares its own when first asked.
        """
        return {**self.__dict__, "_prepared": {}}

    @property
    def entropy(self) -> int | None:
        """The root entropy, recorded with results for provenance."""
        entropy = self.seed_sequence.entropy
        return int(entropy) if isinstance(entropy, int) else None

    @property
    def spawn_key(self) -> tuple[int, ...]:
        """The spawn key of the root sequence (identifies a replication within an experiment)."""
        return tuple(self.seed_sequence.spawn_key)
