"""SIGNS: seconds per epoch of both engines, the search for the `signs` recipe, and the course's recipe.

    python benchmarks/signs_recipes.py                       # all three parts (~10-20 min on 2 cores)
    python benchmarks/signs_recipes.py --only timing         # or: search, course (repeatable)
    python benchmarks/signs_recipes.py --quick               # smoke run: a few epochs everywhere
    python benchmarks/signs_recipes.py --json runs/signs.json --engine numpy

The network is the course's: [12288, 25, 12, 6], ReLU, ReLU, softmax, on ``load_signs()`` (1080 training
photos, the official 120-photo test set), mini-batches of 32, Adam, float32.

1. **timing**: seconds per epoch of the NumPy and the TensorFlow engine in the same process, the runs
   interleaved (numpy, tensorflow, numpy, tensorflow), each the median of the epochs after a warm-up.
2. **search** (recipe ``signs``): the test set is never used for a choice. A stratified validation set
   (30 photos per class = 180, fixed seed) is split from the 1080 training photos; every point of a
   small grid (input scaling /255 or standardization with the training fold's statistics; Xavier or He
   initialization; lr 1e-4, 3e-4, 1e-3; no regularization, L2 or dropout) trains on the other 900 photos
   for at most 300 epochs with early stopping on the validation cost (the best epoch's weights kept).
   The recipe with the best validation accuracy (ties: lower validation cost) is chosen. Declared
   before looking at the test set: the recipe's model is then retrained on all 1080 photos (the
   standardization statistics of all 1080) for the chosen run's best number of epochs, and evaluated
   once on the test set.
3. **course** (recipe ``signs-course``): Xavier/Glorot seed 1, Adam lr 1e-4, batch 32, 1500 epochs,
   inputs /255 on all 1080 photos (the course printed test accuracy 0.717); the number of dead ReLU
   units (``net.diagnose``) after the first epoch and at the end.

Everything is printed and written to a JSON record (``--json``).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import itertools
import json
import os
import platform
import statistics
import sys
import time
from typing import Any

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # before anything imports TensorFlow
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "src"))

from descentlab import EarlyStopping, Network, Scale, Standardize, fit  # noqa: E402
from descentlab.datasets import load_signs  # noqa: E402
from descentlab.training.callbacks import Callback  # noqa: E402

LAYERS = [12288, 25, 12, 6]
BATCH = 32
DTYPE = "float32"
VAL_PER_CLASS = 30
SPLIT_SEED = 0
INIT_SEED = 1
FIT_SEED = 0
MAX_EPOCHS = 300
PATIENCE = 30
L2 = 1.0
KEEP_PROB = 0.8
GRID = {
    "scaling": ["/255", "standardize"],
    "init": ["xavier", "he"],
    "lr": [1e-4, 3e-4, 1e-3],
    "regularization": ["none", f"l2={L2:g}", f"dropout keep_prob={KEEP_PROB:g}"],
}


def _log(*args: Any) -> None:
    print(*args, flush=True)


class EpochTimes(Callback):
    def __init__(self) -> None:
        self.times: list[float] = []

    def on_epoch_end(self, epoch, logs, run):
        self.times.append(logs["time"])


def _net(scaling: Any, init: str, seed: int = INIT_SEED) -> Network:
    return Network(LAYERS, hidden="relu", output="softmax", init=init, seed=seed, dtype=DTYPE, preprocessing=scaling)


def _scaling(kind: str, X_train: np.ndarray):
    return Scale(1 / 255) if kind == "/255" else Standardize.fit(X_train)


def _regularization(kind: str) -> dict[str, Any]:
    if kind.startswith("l2"):
        return {"l2": L2}
    if kind.startswith("dropout"):
        return {"keep_prob": KEEP_PROB}
    return {}


def _dead_units(net: Network, X: np.ndarray) -> dict[str, int]:
    diag = net.diagnose(X)
    return {f"layer{s.layer}": len(s.dead_units) for s in diag.layers if s.layer < len(LAYERS) - 1}


# ================================================================================== 1. timing
def timing(data, args) -> dict[str, Any]:
    warmup, timed, rounds = (1, 2, 1) if args.quick else (2, 6, 2)
    _log(f"\n== 1. seconds per epoch: SIGNS {LAYERS}, {DTYPE}, batch {BATCH}, Adam lr 1e-4, "
         f"{len(data.X_train)} photos; {rounds} interleaved rounds, median of {timed} epochs after {warmup} warm-up")
    samples: dict[str, list[float]] = {"numpy": [], "tensorflow": []}
    for r in range(rounds):
        for engine in samples:
            cb = EpochTimes()
            net = _net(Scale(1 / 255), "xavier")
            fit(net, data.X_train, data.y_train, optimizer="adam", lr=1e-4, epochs=warmup + timed, batch_size=BATCH,
                seed=FIT_SEED, verbose=0, engine=engine, callbacks=[cb])
            samples[engine] += cb.times[warmup:]
            _log(f"   round {r + 1} {engine:<10} epochs: " + " ".join(f"{t:.3f}" for t in cb.times) + " s")
    med = {k: statistics.median(v) for k, v in samples.items()}
    out = {"seconds_per_epoch_median": med, "samples": samples, "warmup_epochs": warmup,
           "numpy_over_tensorflow": med["numpy"] / med["tensorflow"]}
    _log(f"   median s/epoch: numpy {med['numpy']:.3f}, tensorflow {med['tensorflow']:.3f} "
         f"(numpy/tensorflow = {out['numpy_over_tensorflow']:.2f})")
    return out


# ================================================================================== 2. search
def stratified_split(y: np.ndarray, per_class: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    val = np.sort(np.concatenate([rng.choice(np.flatnonzero(y == k), per_class, replace=False)
                                  for k in np.unique(y)]))
    train = np.setdiff1d(np.arange(len(y)), val)
    return train, val


def search(data, args) -> dict[str, Any]:
    max_epochs, patience = (3, 2) if args.quick else (MAX_EPOCHS, PATIENCE)
    tr, va = stratified_split(data.y_train, VAL_PER_CLASS, SPLIT_SEED)
    Xt, yt, Xv, yv = data.X_train[tr], data.y_train[tr], data.X_train[va], data.y_train[va]
    _log(f"\n== 2. recipe search: {len(tr)} training / {len(va)} validation photos (stratified, seed {SPLIT_SEED}); "
         f"test set untouched. Each point: at most {max_epochs} epochs, early stopping on val_cost "
         f"(patience {patience}, best weights kept); engine {args.engine}")
    grid = list(itertools.product(*GRID.values()))
    if args.quick:
        grid = grid[:2]
    rows = []
    head = f"   {'scaling':<12} {'init':<7} {'lr':>7} {'regularization':<22} {'best ep':>7} {'val_cost':>8} {'val_acc':>7} {'train_acc':>9} {'s':>6}"
    _log(head)
    for scaling, init, lr, reg in grid:
        net = _net(_scaling(scaling, Xt), init)
        t0 = time.perf_counter()
        h = fit(net, Xt, yt, optimizer="adam", lr=lr, epochs=max_epochs, batch_size=BATCH, seed=FIT_SEED, verbose=0,
                engine=args.engine, validation_data=(Xv, yv), early_stopping=EarlyStopping(patience=patience),
                **_regularization(reg))
        best = h.best_epoch if h.best_epoch is not None else len(h) - 1
        row = {"scaling": scaling, "init": init, "lr": lr, "regularization": reg, "epochs_run": len(h),
               "best_epoch": best, "val_cost": h["val_cost"][best], "val_accuracy": h["val_accuracy"][best],
               "train_accuracy": net.accuracy(Xt, yt), "seconds": time.perf_counter() - t0}
        rows.append(row)
        _log(f"   {scaling:<12} {init:<7} {lr:>7.0e} {reg:<22} {best + 1:>7} {row['val_cost']:>8.4f} "
             f"{row['val_accuracy']:>7.3f} {row['train_accuracy']:>9.3f} {row['seconds']:>6.1f}")
    chosen = max(rows, key=lambda r: (r["val_accuracy"], -r["val_cost"]))
    runners_up = sorted(rows, key=lambda r: (-r["val_accuracy"], r["val_cost"]))[1:4]
    why = (f"highest validation accuracy {chosen['val_accuracy']:.3f} (ties broken by the lower validation cost, "
           f"{chosen['val_cost']:.4f}); next: " + "; ".join(
               f"{r['scaling']}/{r['init']}/{r['lr']:.0e}/{r['regularization']}: {r['val_accuracy']:.3f}, "
               f"{r['val_cost']:.4f}" for r in runners_up))
    epochs = chosen["best_epoch"] + 1
    se_val = float(np.sqrt(chosen["val_accuracy"] * (1 - chosen["val_accuracy"]) / len(va)))
    close = [r for r in rows if r["val_accuracy"] >= chosen["val_accuracy"] - se_val]
    _log(f"   chosen: {chosen['scaling']}, {chosen['init']}, lr {chosen['lr']:.0e}, {chosen['regularization']}, "
         f"{epochs} epochs -- {why}")
    _log(f"   note: one standard error of a validation accuracy on {len(va)} photos is {se_val:.3f}; "
         f"{len(close)} grid points are within it of the best")

    # how much the chosen recipe's validation accuracy moves with the seeds (still no test set)
    seeds = [] if args.quick else [2, 3, 4, 5, 6]
    spread = []
    for sd in seeds:
        net = _net(_scaling(chosen["scaling"], Xt), chosen["init"], seed=sd)
        h = fit(net, Xt, yt, optimizer="adam", lr=chosen["lr"], epochs=max_epochs, batch_size=BATCH, seed=sd, verbose=0,
                engine=args.engine, validation_data=(Xv, yv), early_stopping=EarlyStopping(patience=patience),
                **_regularization(chosen["regularization"]))
        b = h.best_epoch if h.best_epoch is not None else len(h) - 1
        spread.append({"seed": sd, "best_epoch": b, "val_accuracy": h["val_accuracy"][b], "val_cost": h["val_cost"][b]})
    if spread:
        accs = [r["val_accuracy"] for r in spread]
        _log(f"   the chosen recipe with seeds {seeds} (init and fit): validation accuracy "
             f"{np.mean(accs):.3f} +- {np.std(accs, ddof=1):.3f} (min {min(accs):.3f}, max {max(accs):.3f})")
    recipe = {"name": "signs", "layers": LAYERS, "hidden": "relu", "output": "softmax", "dtype": DTYPE,
              "scaling": chosen["scaling"], "init": chosen["init"], "init_seed": INIT_SEED, "optimizer": "adam",
              "lr": chosen["lr"], "batch_size": BATCH, "epochs": epochs, "seed": FIT_SEED,
              **_regularization(chosen["regularization"])}

    # the protocol's only look at the test set
    net = _net(_scaling(chosen["scaling"], data.X_train), chosen["init"])
    t0 = time.perf_counter()
    fit(net, data.X_train, data.y_train, optimizer="adam", lr=chosen["lr"], epochs=epochs, batch_size=BATCH,
        seed=FIT_SEED, verbose=0, engine=args.engine, **_regularization(chosen["regularization"]))
    final = {"train_accuracy": net.accuracy(data.X_train, data.y_train),
             "test_accuracy": net.accuracy(data.X_test, data.y_test), "seconds": time.perf_counter() - t0,
             "dead_units": _dead_units(net, data.X_train)}
    final["test_standard_error"] = float(np.sqrt(final["test_accuracy"] * (1 - final["test_accuracy"]) / len(data.y_test)))
    _log(f"   recipe 'signs' retrained on all {len(data.X_train)} photos for {epochs} epochs: "
         f"train accuracy {final['train_accuracy']:.3f}, TEST accuracy {final['test_accuracy']:.3f} "
         f"(one standard error on {len(data.y_test)} photos: {final['test_standard_error']:.3f})")
    return {"split": {"train": len(tr), "validation": len(va), "per_class": VAL_PER_CLASS, "seed": SPLIT_SEED},
            "grid": GRID, "max_epochs": max_epochs, "patience": patience, "engine": args.engine, "rows": rows,
            "chosen": chosen, "why": why, "validation_standard_error": se_val, "within_one_se": len(close),
            "seed_spread": spread, "recipe": recipe, "final": final}


# ================================================================================== 3. the course
class DeadAfterFirstEpoch(Callback):
    def __init__(self, X: np.ndarray) -> None:
        self.X, self.dead = X, None

    def on_epoch_end(self, epoch, logs, run):
        if epoch == 0:
            self.dead = _dead_units(run.net, self.X)


def course(data, args) -> dict[str, Any]:
    epochs = 5 if args.quick else 1500
    _log(f"\n== 3. recipe 'signs-course': Xavier seed 1, Adam lr 1e-4, batch {BATCH}, {epochs} epochs, inputs /255, "
         f"all {len(data.X_train)} photos; engine {args.engine}")
    net = _net(Scale(1 / 255), "xavier", seed=1)
    dead0 = _dead_units(net, data.X_train)
    cb = DeadAfterFirstEpoch(data.X_train)
    t0 = time.perf_counter()
    h = fit(net, data.X_train, data.y_train, optimizer="adam", lr=1e-4, epochs=epochs, batch_size=BATCH, seed=3,
            verbose=0, engine=args.engine, callbacks=[cb])
    out = {"recipe": {"name": "signs-course", "layers": LAYERS, "init": "xavier", "init_seed": 1, "optimizer": "adam",
                      "lr": 1e-4, "batch_size": BATCH, "epochs": epochs, "scaling": "/255", "seed": 3, "dtype": DTYPE},
           "train_accuracy": net.accuracy(data.X_train, data.y_train),
           "test_accuracy": net.accuracy(data.X_test, data.y_test),
           "cost_every_100": [h["cost"][i] for i in range(0, len(h), 100)] + [h["cost"][-1]],
           "dead_units_at_init": dead0, "dead_units_after_epoch_1": cb.dead,
           "dead_units_at_end": _dead_units(net, data.X_train), "seconds": time.perf_counter() - t0}
    _log(f"   train accuracy {out['train_accuracy']:.3f}, test accuracy {out['test_accuracy']:.3f} "
         f"(course: 0.717); dead ReLU units at init {dead0}, after epoch 1 {cb.dead}, at the end "
         f"{out['dead_units_at_end']}; {out['seconds']:.0f} s")
    return out


# ================================================================================== main
def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--only", action="append", choices=["timing", "search", "course"])
    p.add_argument("--engine", choices=["numpy", "tensorflow"], default=None,
                   help="engine of the search and the course run (default: tensorflow if installed, it is faster)")
    p.add_argument("--quick", action="store_true", help="smoke run with a few epochs")
    p.add_argument("--json", default="signs_recipes.json", help="where to write the record")
    args = p.parse_args(argv)
    if args.engine is None:
        try:
            import tensorflow  # noqa: F401
            args.engine = "tensorflow"
        except ImportError:
            args.engine = "numpy"
    parts = args.only or ["timing", "search", "course"]
    data = load_signs()
    record: dict[str, Any] = {
        "date": _dt.datetime.now().isoformat(timespec="seconds"), "python": platform.python_version(),
        "numpy": np.__version__, "cpus": os.cpu_count(), "quick": args.quick, "data": data.source,
    }
    try:
        import tensorflow as tf
        record["tensorflow"] = tf.__version__
    except ImportError:
        record["tensorflow"] = None
    for name in parts:
        record[name] = {"timing": timing, "search": search, "course": course}[name](data, args)
        os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
        with open(args.json, "w") as f:
            json.dump(record, f, indent=1, default=float)
    _log(f"\nrecord written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
