"""Where each named parameter lives in the flat parameter buffer.

All parameters of a network live in one contiguous vector ``theta``. Layer l
owns one block, the augmented matrix ``Θ[l] = [W[l] | b[l]]`` of shape
``(n_l, n_{l-1} + 1)`` stored row by row: the bias is the weight of a constant
input 1 (the textbook trick), so one matrix product computes ``W a + b`` and
one computes ``[dW | db]``. The named views the user sees are cut from the
blocks by index arithmetic, never by hard-coded slices:

    W[l] = Θ[l][:, :-1]    shape (n_l, n_{l-1})   (the course's layout)
    b[l] = Θ[l][:, -1]     shape (n_l,)

A buffer may carry leading axes (``(K, P)`` for K networks trained in
lockstep, or K perturbed copies in a gradient check); the views carry them too.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Block:
    """Layer l's augmented matrix [W | b]: its shape and half-open range in the buffer."""

    layer: int
    rows: int
    cols: int  # n_{l-1} + 1
    start: int
    stop: int


class Layout:
    """Offsets of the blocks [W1|b1], ..., [WL|bL] in a flat buffer for ``layer_dims``."""

    def __init__(self, layer_dims: tuple[int, ...]) -> None:
        self.layer_dims = tuple(layer_dims)
        blocks, offset = [], 0
        for l in range(1, len(layer_dims)):
            rows, cols = layer_dims[l], layer_dims[l - 1] + 1
            blocks.append(Block(l, rows, cols, offset, offset + rows * cols))
            offset += rows * cols
        self.blocks = tuple(blocks)
        self.size = offset
        self._index_cache: dict[str, np.ndarray] | None = None

    @property
    def n_layers(self) -> int:
        """L, the number of weight layers."""
        return len(self.layer_dims) - 1

    def names(self) -> list[str]:
        return [f"{p}{b.layer}" for b in self.blocks for p in ("W", "b")]

    def shape(self, name: str) -> tuple[int, ...]:
        block = self.blocks[int(name[1:]) - 1]
        return (block.rows, block.cols - 1) if name[0] == "W" else (block.rows,)

    def block_views(self, buffer: np.ndarray) -> list[np.ndarray]:
        """The augmented matrices Θ[l], shape (..., n_l, n_{l-1} + 1), as views of ``buffer``."""
        lead = buffer.shape[:-1]
        return [buffer[..., b.start:b.stop].reshape(lead + (b.rows, b.cols)) for b in self.blocks]

    def views(self, buffer: np.ndarray) -> dict[str, np.ndarray]:
        """Named views W1, b1, ... into ``buffer`` (shape ``(..., P)``); writing a view writes the buffer."""
        views = {}
        for block, theta in zip(self.blocks, self.block_views(buffer)):
            views[f"W{block.layer}"] = theta[..., :, :-1]
            views[f"b{block.layer}"] = theta[..., :, -1]
        return views

    @property
    def _index(self) -> dict[str, np.ndarray]:
        """Flat buffer positions of every named parameter, built on first use (8 bytes per parameter).

        Each entry is its own copy: a view would keep the whole temporary range alive.
        """
        if self._index_cache is None:
            positions = self.views(np.arange(self.size))
            self._index_cache = {name: view.reshape(-1).copy() for name, view in positions.items()}
        return self._index_cache

    def indices(self, name: str) -> np.ndarray:
        """Flat buffer positions of parameter ``name``, in its C order."""
        return self._index[name]

    def flatten(self, named: dict[str, np.ndarray]) -> np.ndarray:
        """A flat vector in buffer order from a dict of named arrays."""
        out = np.zeros(self.size)
        for name, idx in self._index.items():
            out[idx] = np.asarray(named[name], dtype=np.float64).reshape(-1)
        return out

    def weight_mask(self, dtype=np.float64) -> np.ndarray:
        """1 where the buffer holds a weight (an entry of some W), 0 for biases."""
        mask = np.zeros(self.size, dtype=dtype)
        for block, theta in zip(self.blocks, self.block_views(mask)):
            theta[:, :-1] = 1
        return mask

    def locate(self, index: int) -> tuple[str, tuple[int, ...]]:
        """The parameter name and its multi-index for a flat buffer index."""
        for block in self.blocks:
            if block.start <= index < block.stop:
                row, col = divmod(index - block.start, block.cols)
                if col == block.cols - 1:
                    return f"b{block.layer}", (row,)
                return f"W{block.layer}", (row, col)
        raise IndexError(f"index {index} is outside a buffer of {self.size} parameters")
