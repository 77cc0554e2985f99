"""``fit``: train a network, from Python, the CLI or scikit-learn.

The run reads top to bottom: settle the settings (a :class:`FitConfig`), prepare
the data once (:mod:`.prepare`), build the engine's runner, then for each epoch
draw the order, train, evaluate, record, call back, checkpoint. Everything random
comes from ``seed`` (see :mod:`.prepare`).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from typing import Any, Sequence

from .. import _checks as check
from ..core.network import Network
from ..core.propagation import with_ones
from ..engines.base import EpochAccum
from . import checkpoint as ckpt
from . import threads
from .callbacks import Callback, EarlyStopping
from .config import DEFAULTS, FitConfig, given_settings
from .history import History
from .prepare import PreparedData, streams, summary
from .progress import EpochProgress as _Progress
from .stepper import Stepper
from .stepper import settle_config as _settle_config


class _Interrupts:
    """Defer Ctrl-C to the end of the current step, so no step is ever half done."""

    def __init__(self) -> None:
        self.flag = False
        self._old = None

    def __call__(self) -> bool:
        return self.flag

    def _handler(self, signum, frame):
        if self.flag:  # a second Ctrl-C: the user really wants out
            raise KeyboardInterrupt
        self.flag = True

    def __enter__(self) -> "_Interrupts":
        if threading.current_thread() is threading.main_thread():
            self._old = signal.signal(signal.SIGINT, self._handler)
        return self

    def __exit__(self, *exc) -> None:
        if self._old is not None:
            signal.signal(signal.SIGINT, self._old)


class _Run(Stepper):
    """One training run: a :class:`~.stepper.Stepper` (settings, data, streams, runner, history) with
    callbacks, checkpoints and Ctrl-C."""

    def __init__(self, net: Network, cfg: FitConfig, data: PreparedData, rngs: tuple, callbacks: list,
                 eval_every: int) -> None:
        self._start(net, cfg, data, rngs, eval_every)
        self.callbacks = callbacks
        self.stop_training = False
        self._fingerprint: str | None = None

    # ------------------------------------------------------------ checkpoints
    def fingerprint(self) -> str:
        if self._fingerprint is None:
            self._fingerprint = ckpt.fingerprint(with_ones(self.data.X), self.data.Y)
        return self._fingerprint

    def save_checkpoint(self, path: Any, epoch: int, shuffle_state: Any, accum: Any) -> None:
        arrays = {f"optimizer.{k}": v for k, v in self.runner.optimizer_arrays().items()}
        cb_states = {}
        for i, cb in enumerate(self.callbacks):
            if hasattr(cb, "get_state"):
                meta, extra = cb.get_state()
                cb_states[str(i)] = meta
                arrays.update({f"callback{i}.{k}": v for k, v in extra.items()})
        self.runner.sync_to_net()
        state = {
            "fit": self.cfg.to_dict(), "epoch": epoch, "accum": None if accum is None else accum.to_dict(),
            "shuffle_state": shuffle_state, "dropout_state": self.dropout_rng.bit_generator.state,
            "optimizer": self.runner.optimizer_meta(), "history": self.history.to_dict(),
            "callbacks": cb_states, "data": self.fingerprint(), "skipped": [list(s) for s in self.runner.skipped],
        }
        ckpt.save(path, net=self.net, state=state, arrays=arrays)

    def restore(self, path: Any) -> None:
        """Continue from a checkpoint of this very run (same network, settings and data)."""
        doc, arrays = ckpt.load(path)
        ckpt.check_matches(doc, arrays, self.net, self.cfg, self.fingerprint(), self.runner.bounds, path)
        self.net.theta[...] = arrays["theta"]
        self.runner.sync_from_net()
        self.runner.load_optimizer({k[len("optimizer."):]: v for k, v in arrays.items() if k.startswith("optimizer.")},
                                   doc["optimizer"])
        self.shuffler.set_state(doc.get("shuffle_state"))
        self.dropout_rng.bit_generator.state = doc["dropout_state"]
        self.history = History.from_dict(doc["history"])
        self.history.interrupted = False
        self.history.config = self.cfg.to_dict()
        for i, cb in enumerate(self.callbacks):
            if hasattr(cb, "set_state") and str(i) in doc.get("callbacks", {}):
                prefix = f"callback{i}."
                cb.set_state(doc["callbacks"][str(i)], {k[len(prefix):]: v for k, v in arrays.items() if k.startswith(prefix)})
        self.runner.skipped = [tuple(s) for s in doc.get("skipped", [])]
        self.epoch = int(doc["epoch"])
        self.accum = EpochAccum(**doc["accum"]) if doc.get("accum") else None

    # ----------------------------------------------------------------- epochs
    def train(self, progress: _Progress, print_every: int | None, checkpoint: Any, checkpoint_every: int | None) -> History:
        for cb in self.callbacks:
            cb.on_train_begin(self)
        with _Interrupts() as interrupted:
            for epoch in range(self.epoch, self.cfg.epochs):
                if not self.epoch_step(epoch, interrupted, checkpoint):
                    break
                self.after_epoch(epoch, progress, print_every, checkpoint, checkpoint_every)
                if interrupted():
                    self._interrupt(checkpoint, epoch + 1, self.shuffler.get_state(), None)
                    break
                if self.stop_training:
                    break
        for cb in self.callbacks:
            cb.on_train_end(self)
        self.runner.sync_from_net()
        return self.history

    def epoch_step(self, epoch: int, interrupted: _Interrupts, checkpoint: Any) -> bool:
        """Train one epoch and record it; False when it ended early (divergence, Ctrl-C)."""
        shuffle_state = self.shuffler.get_state() if checkpoint is not None else None  # to redo this epoch
        if self.advance(interrupted) is not None:
            return False
        if self.accum is not None:  # Ctrl-C inside the epoch
            self._interrupt(checkpoint, epoch, shuffle_state, self.accum)
            return False
        return True

    def after_epoch(self, epoch: int, progress: _Progress, print_every: int | None, checkpoint: Any,
                    checkpoint_every: int | None) -> None:
        """Callbacks, progress, the course-style cost line and the periodic checkpoint."""
        logs = self.history.last()
        for cb in self.callbacks:
            cb.on_epoch_end(epoch, logs, self)
        progress.update(logs)
        if print_every and (epoch % print_every == 0 or epoch + 1 == self.cfg.epochs):
            print(f"Cost after epoch {epoch}: {logs['cost']:f}")
        if checkpoint is not None and checkpoint_every and ((epoch + 1) % checkpoint_every == 0 or epoch + 1 == self.cfg.epochs):
            self.save_checkpoint(checkpoint, epoch + 1, self.shuffler.get_state(), None)

    def _interrupt(self, checkpoint: Any, epoch: int, shuffle_state: Any, acc: Any) -> None:
        self.history.interrupted = True
        self.history.stop_reason = "interrupted (Ctrl-C)"
        where = f"epoch {epoch}" + (f", step {acc.step}" if acc is not None else "")
        if checkpoint is not None:
            self.save_checkpoint(checkpoint, epoch, shuffle_state, acc)
            print(f"descentlab: interrupted at {where}; checkpoint written to {checkpoint}; "
                  f"continue with fit(..., resume={str(checkpoint)!r})", file=sys.stderr)
        else:
            print(f"descentlab: interrupted at {where}; training stopped (pass checkpoint=PATH to be able to resume)",
                  file=sys.stderr)

    def before_raise(self) -> None:
        for cb in self.callbacks:
            cb.on_train_end(self)


def fit(net: Network, X: Any, y: Any, *, config: FitConfig | None = None,
        optimizer: Any = DEFAULTS["optimizer"], lr: float | None = DEFAULTS["lr"],
        epochs: int = DEFAULTS["epochs"], batch_size: int | None = DEFAULTS["batch_size"],
        l2: float = DEFAULTS["l2"], keep_prob: Any = DEFAULTS["keep_prob"], schedule: Any = DEFAULTS["schedule"],
        validation_data: Any = None, validation_split: float = 0.0, seed: int | None = DEFAULTS["seed"],
        shuffle: Any = DEFAULTS["shuffle"], callbacks: Sequence[Callback] = (), early_stopping: Any = None,
        verbose: int = 1, print_every: int | None = None, eval_every: int = 1,
        on_nonfinite: str = DEFAULTS["on_nonfinite"], max_skips: int = DEFAULTS["max_skips"],
        checkpoint: Any = None, checkpoint_every: int | None = None, resume: Any = None,
        engine: str = DEFAULTS["engine"], blas_threads: int | None = 1) -> History:
    """Train ``net`` in place on (X, y) and return its :class:`History`.

    Args:
        X, y: inputs (m, n_0) and targets (see :class:`~descentlab.Network`).
        config: a :class:`~descentlab.training.config.FitConfig` holding the run's settings
            (optimizer ... engine below); those settings given as keywords as well override it.
        optimizer: an :class:`Optimizer` or a name (gd, momentum, rmsprop, adam, adamw) with ``lr``.
        epochs: passes over the data. batch_size: examples per step; None is full batch
            (batch GD), 1 stochastic GD; larger than m means one batch of all m examples
            per epoch (shuffled, so the sum's order changes with the shuffle stream).
        l2: λ; the objective adds λ/(2m) Σ_l ||W_l||² with m the training-set size, so
            every mini-batch gradient adds (λ/m) W.
        keep_prob: inverted dropout on the hidden layers (a number or one per hidden layer).
        schedule: learning-rate schedule (None, a name, a dict or a Schedule).
        validation_data / validation_split: data to compute ``val_cost``/``val_accuracy`` on.
        seed: the run's seed (shuffle, dropout, split streams); None draws one and records it.
        shuffle: "random", "course" (the course's reseeded order) or "none".
        early_stopping: patience (int) or an :class:`EarlyStopping`; restores the best weights.
        verbose: 0 silent; 1 progress on stderr: a bar in a terminal or Jupyter (a widget with
            ipywidgets, text without), lines every few seconds elsewhere (see :mod:`.progress`).
        print_every: print the cost every N epochs, as the course does.
        on_nonfinite: "raise" (NonFiniteError), "stop" (end quietly) or "skip" (at most
            ``max_skips`` steps) when a step's cost or gradient is NaN or infinite.
        checkpoint, checkpoint_every: write a checkpoint every N epochs (and on Ctrl-C).
        resume: a checkpoint path to continue from; the result is bit-identical to an
            uninterrupted run with the same settings.
        engine: "numpy" or "tensorflow" (:data:`descentlab.engines.ENGINES`).
        blas_threads: BLAS threads while the NumPy engine trains (default 1, the fastest for
            the small products of a training step; None leaves BLAS alone). See
            :mod:`descentlab.training.threads`.
    """
    if not isinstance(net, Network):
        raise check.fail_type("net", net, "a descentlab Network")
    given = given_settings(locals())
    cfg = _settle_config(net, config, given)
    options = _RunOptions.check(validation_split, eval_every, verbose, print_every, checkpoint, checkpoint_every,
                                cfg.epochs, blas_threads)
    stoppers = _callbacks(callbacks, early_stopping, validation_data, options.validation_split)
    rngs = streams(cfg.seed)
    data = PreparedData.prepare(net, X, y, validation_data, options.validation_split, rngs[2])
    run = _Run(net, cfg, data, rngs, stoppers, options.eval_every)
    if resume is not None and not _first_run_of(resume, checkpoint):
        run.restore(resume)
    history = _train(run, cfg, options, checkpoint)
    net.info["training"] = summary(history, cfg)
    return history


class _RunOptions:
    """How ``fit`` runs and reports (not the training settings, which are the FitConfig)."""

    def __init__(self, **values: Any) -> None:
        self.__dict__.update(values)

    @classmethod
    def check(cls, validation_split: Any, eval_every: Any, verbose: Any, print_every: Any, checkpoint: Any,
              checkpoint_every: Any, epochs: int, blas_threads: Any) -> "_RunOptions":
        if checkpoint_every is not None:
            checkpoint_every = check.integer("checkpoint_every", checkpoint_every, low=1)
        elif checkpoint is not None:
            checkpoint_every = max(1, epochs // 10)
        return cls(
            validation_split=check.real("validation_split", validation_split, low=0.0, high=1.0, high_open=True),
            eval_every=check.integer("eval_every", eval_every, low=1),
            verbose=check.integer("verbose", verbose, low=0),
            print_every=None if print_every is None else check.integer("print_every", print_every, low=1),
            checkpoint_every=checkpoint_every,
            blas_threads=None if blas_threads is None else check.integer("blas_threads", blas_threads, low=1))


def _callbacks(callbacks: Sequence[Callback], early_stopping: Any, validation_data: Any,
               validation_split: float) -> list:
    """The user's callbacks, plus the early stopping asked for (which needs a validation set to watch)."""
    out = list(callbacks)
    if early_stopping is not None and early_stopping is not False:
        stopper = early_stopping if isinstance(early_stopping, EarlyStopping) else EarlyStopping(patience=early_stopping)
        if stopper.monitor == "val_cost" and validation_data is None and not validation_split:
            raise check.fail("early_stopping", early_stopping, "validation_data or validation_split to monitor val_cost")
        out.append(stopper)
    return out


def _first_run_of(resume: Any, checkpoint: Any) -> bool:
    """resume=checkpoint on a first run: there is nothing to resume yet."""
    return not os.path.exists(resume) and checkpoint is not None and os.fspath(resume) == os.fspath(checkpoint)


def _train(run: _Run, cfg: FitConfig, options: _RunOptions, checkpoint: Any) -> History:
    progress = _Progress(options.verbose, cfg.epochs, run.epoch)
    try:
        with threads.blas_threads(options.blas_threads if cfg.engine != "tensorflow" else None):
            return run.train(progress, options.print_every, checkpoint, options.checkpoint_every)
    finally:
        progress.close()
