"""The playground's limits, each with its reason (none is a round number picked for its own sake).

A server is shared: a classroom opens many tabs on one machine. Every limit below
bounds either what one session can cost the others or what one frame costs to
compute and draw, and ``descentlab playground --help`` prints them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from .. import _checks as check


@dataclass(frozen=True)
class Limits:
    """What the server accepts; ``reasons()`` says why each limit is what it is."""

    max_sessions: int = 16
    max_runs: int = 4
    max_hidden_layers: int = 6
    max_units: int = 32
    max_params: int = 2_500
    max_points: int = 2_000
    max_upload_bytes: int = 1_000_000
    max_classes: int = 8
    grid: int = 100
    unit_grid: int = 25
    fps: float = 30.0
    quantum: float = 0.004

    def __post_init__(self) -> None:
        for name in ("max_sessions", "max_runs", "max_hidden_layers", "max_units", "max_params", "max_points",
                     "max_upload_bytes", "max_classes", "grid", "unit_grid"):
            check.integer(name, getattr(self, name), low=1)
        check.real("fps", self.fps, low=1.0, high=120.0)
        check.real("quantum", self.quantum, low=0.0005, high=0.1)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @staticmethod
    def reasons() -> dict[str, str]:
        return REASONS


REASONS = {
    "max_sessions": "open sessions (browser tabs) at once; each holds its data and networks in a worker process, "
                    "and the workers share the machine's cores in equal time slices",
    "max_runs": "runs side by side in a comparison: the course's comparisons have 3 arms; 4 boundaries still fit "
                "a laptop screen",
    "max_hidden_layers": "hidden layers drawn in the network diagram; deeper plain ReLU networks on 2-D data mostly "
                         "show vanishing gradients, which 6 layers already show",
    "max_units": "units per hidden layer drawn, each with its own heatmap, in one column of the diagram",
    "max_params": "parameters of one network: each frame evaluates it at grid² = 10,000 points (about 2 x 10,000 x "
                  "parameters flops), which stays near 10 ms at this size, so a frame fits in a 30 fps budget",
    "max_points": "points of a generated data set; beyond that the dots hide the boundary",
    "max_upload_bytes": "bytes of an uploaded CSV (about 30,000 rows of 2 features and a label); the rows kept are "
                        "at most max_points, the others are refused with a message",
    "max_classes": "classes of an uploaded CSV, one colour each on the boundary",
    "grid": "the boundary's resolution, grid x grid points, quantized to one byte each",
    "unit_grid": "each unit's heatmap resolution in the network diagram",
    "fps": "frames a second sent while training; a frame waits for the page to acknowledge the previous one",
    "quantum": "seconds of training per session per turn of its worker (round robin): every playing session on a "
               "worker gets an equal share of its core",
}
