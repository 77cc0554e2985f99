"""Where each named parameter lives in the flat parameter buffer.

All parameters of a network are stored in one contiguous vector ``theta`` in the
order ``W1, b1, W2, b2, ..., WL, bL``. ``W[l]`` has shape ``(n_l, n_{l-1})`` and
``b[l]`` has shape ``(n_l,)`` (the course's layout, with ``b`` flattened).
A :class:`Layout` records the offset of each so that named views are cut by
index pointers, never by hard-coded slices. A buffer may carry leading axes
(``(K, P)`` for K networks trained in lockstep); the views then carry them too.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Slot:
    """One named parameter: its shape and its half-open range in the buffer."""

    name: str
    shape: tuple[int, ...]
    start: int
    stop: int

    @property
    def size(self) -> int:
        return self.stop - self.start


class Layout:
    """Offsets of ``W1, b1, ..., WL, bL`` in a flat buffer for ``layer_dims``."""

    def __init__(self, layer_dims: tuple[int, ...]) -> None:
        self.layer_dims = tuple(layer_dims)
        slots: list[Slot] = []
        offset = 0
        for l in range(1, len(layer_dims)):
            for name, shape in ((f"W{l}", (layer_dims[l], layer_dims[l - 1])), (f"b{l}", (layer_dims[l],))):
                size = int(np.prod(shape))
                slots.append(Slot(name, shape, offset, offset + size))
                offset += size
        self.slots = tuple(slots)
        self.size = offset
        self._by_name = {s.name: s for s in slots}

    @property
    def n_layers(self) -> int:
        """L, the number of weight layers."""
        return len(self.layer_dims) - 1

    def __getitem__(self, name: str) -> Slot:
        return self._by_name[name]

    def names(self) -> list[str]:
        return [s.name for s in self.slots]

    def views(self, buffer: np.ndarray) -> dict[str, np.ndarray]:
        """Named views into ``buffer`` (shape ``(..., P)``); writing a view writes the buffer."""
        lead = buffer.shape[:-1]
        views = {}
        for s in self.slots:
            view = buffer[..., s.start:s.stop].reshape(lead + s.shape)
            assert np.shares_memory(view, buffer)
            views[s.name] = view
        return views

    def weight_mask(self, dtype=np.float64) -> np.ndarray:
        """1 where the buffer holds a weight (an entry of some W), 0 for biases."""
        mask = np.zeros(self.size, dtype=dtype)
        for s in self.slots:
            if s.name.startswith("W"):
                mask[s.start:s.stop] = 1
        return mask

    def locate(self, index: int) -> tuple[str, tuple[int, ...]]:
        """The parameter name and its multi-index for a flat buffer index."""
        for s in self.slots:
            if s.start <= index < s.stop:
                return s.name, tuple(int(i) for i in np.unravel_index(index - s.start, s.shape))
        raise IndexError(f"index {index} is outside a buffer of {self.size} parameters")
