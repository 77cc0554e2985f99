"""scikit-learn estimators: :class:`DescentClassifier` and :class:`DescentRegressor`.

They wrap a :class:`descentlab.Network` trained by :func:`descentlab.fit` and speak
:class:`~sklearn.neural_network.MLPClassifier`'s dialect: the same parameter names
with the same meanings, so one can replace the other in a ``Pipeline`` or a
``GridSearchCV`` grid. They drop into scikit-learn's tools: ``Pipeline``,
``cross_val_score``, ``GridSearchCV`` (also with ``n_jobs``), ``clone``, ``pickle``.

>>> from sklearn.datasets import load_iris
>>> from sklearn.pipeline import make_pipeline
>>> from sklearn.preprocessing import StandardScaler
>>> X, y = load_iris(return_X_y=True)
>>> model = make_pipeline(StandardScaler(), DescentClassifier((16,), learning_rate_init=0.01, random_state=0))
>>> model.fit(X, y).score(X, y) > 0.95
True
>>> model[-1].classes_, model[-1].network_.layer_dims
(array([0, 1, 2]), (4, 16, 3))

MLPClassifier's parameters, with its meanings: ``hidden_layer_sizes``, ``activation``
(``logistic`` is sigmoid, ``identity`` is not offered), ``alpha`` (L2), ``batch_size``
(``"auto"`` = min(200, m)), ``learning_rate`` (the schedule: ``"constant"``,
``"invscaling"``, ``"adaptive"``), ``learning_rate_init``, ``power_t``, ``max_iter``
(epochs), ``shuffle``, ``random_state``, ``tol``, ``n_iter_no_change``, ``verbose``,
``early_stopping``, ``validation_fraction``, ``beta_1``, ``beta_2``, ``epsilon``.
descentlab's own, in addition: ``optimizer`` (gd, momentum, rmsprop, adam, adamw: MLP's
``solver``), ``init``, ``keep_prob`` (dropout), ``beta`` (momentum/RMSProp),
``weight_decay`` (adamw), ``dtype``; ``learning_rate`` also takes a descentlab schedule
(``"inverse_time"``, ``{"name": "staircase", "rate": 1, "interval": 100}``, ...).

Conventions (scikit-learn's):

- hyperparameters are constructor arguments, stored unchanged; they are checked
  when ``fit`` runs. A bad one raises :class:`HyperparameterError`, which is a
  :class:`descentlab.errors.InputError` (a ``ValueError``) *and* an
  :class:`~descentlab.errors.InputTypeError` (a ``TypeError``, as for a value
  of the wrong type), with the message ``"<argument>: expected <what>, received <value>"``
  naming the argument as the estimator spells it (``learning_rate_init``, not the
  core's ``lr``);
- fitted attributes end with ``_``: MLPClassifier's ``loss_``, ``best_loss_``,
  ``loss_curve_``, ``n_iter_``, ``t_``, ``coefs_``, ``intercepts_``, ``n_layers_``,
  ``out_activation_``, ``classes_`` (classifier), ``n_outputs_``, ``n_features_in_``,
  ``feature_names_in_``; and ``network_`` (the trained Network), ``history_`` (its
  :class:`~descentlab.History`), ``validation_loss_curve_``, ``best_epoch_``;
- ``random_state`` (None, an int, a ``RandomState`` or a ``Generator``) gives the
  integer seeds of the weights, of the run (shuffling, dropout) and of the
  early-stopping split. NumPy's global random state is never read or changed:
  with ``None`` the seeds come from the operating system. The seeds used are
  recorded in ``network_.seed`` and ``history_.seed``.

How the meanings are kept: ``alpha`` adds alpha/B · W to the gradient of a step on a
batch of B examples, as MLPClassifier does (descentlab's ``l2`` = alpha · m / B, m the
training examples); ``tol``/``n_iter_no_change`` stop training when the training cost
has not improved by ``tol`` for more than ``n_iter_no_change`` epochs in a row,
MLPClassifier's rule, counted the same way; ``"invscaling"`` is lr / (t + 1)^power_t with t
the examples seen, updated after each epoch; ``"adaptive"`` divides the rate by 5
instead of stopping (until it is 1e-6 or less); as in MLPClassifier, ``learning_rate``
names other than descentlab schedules apply to the SGD family only (``gd``, ``momentum``)
and are ignored by Adam. Differences worth knowing: with ``early_stopping=True`` the
monitored number is the validation *cost* (MLPClassifier's is the validation score);
no ``ConvergenceWarning`` is issued when ``max_iter`` runs out; a ``batch_size``
larger than the training set means full batch, silently; the Adam step is PyTorch's
(ε after bias correction), see :class:`descentlab.Adam`; the default initialization is
He (``init="he"``), not Glorot uniform.

This module imports scikit-learn (``pip install 'descentlab[sklearn]'``); ``import
descentlab`` does not import it.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from contextlib import contextmanager
from typing import Any, Iterator

import numpy as np

from .errors import MissingExtraError

try:
    from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
    from sklearn.model_selection import train_test_split
    from sklearn.utils.multiclass import check_classification_targets
    from sklearn.utils.validation import check_is_fitted, validate_data
except ImportError as _exc:  # one line that says what to install, not a traceback from inside descentlab
    raise MissingExtraError("descentlab.sklearn", "scikit-learn", "sklearn", _exc) from None

from . import _checks as check
from .core.activations import ACTIVATIONS
from .core.initializers import get_initializer
from .core.network import Network
from .core.outputs import log_sigmoid, log_softmax, sigmoid, softmax
from .errors import InputError, InputTypeError
from .training.callbacks import Callback
from .training.fit import fit as _fit
from .training.optimizers import OPTIMIZERS, get_optimizer
from .training.schedules import SCHEDULES, get_schedule

__all__ = ["DescentClassifier", "DescentRegressor", "HyperparameterError"]


class HyperparameterError(InputError, InputTypeError):
    """A constructor argument of an estimator has a bad value or type.

    Both a ``ValueError`` (via :class:`~descentlab.errors.InputError`) and a
    ``TypeError`` (via :class:`~descentlab.errors.InputTypeError`), like
    scikit-learn's own ``InvalidParameterError``, so either ``except`` works.
    """


# The core's argument names, as the estimators spell them.
_OPTIMIZER_NAMES = {"lr": "learning_rate_init", "beta1": "beta_1", "beta2": "beta_2"}
_SCHEDULE_NAMES = {"schedule": "learning_rate", "rate": "learning_rate['rate']", "interval": "learning_rate['interval']",
                   "base": "learning_rate['base']", "delay": "learning_rate['delay']", "power": "learning_rate['power']"}
_ACTIVATION_ALIASES = {"logistic": "sigmoid"}  # scikit-learn's name for it
_SEED_HIGH = 2**32  # descentlab seeds are integers in [0, 2**32)


@contextmanager
def _named(names: dict[str, str] | None = None) -> Iterator[None]:
    """Re-raise the core's argument errors as HyperparameterError, under the estimator's argument names."""
    try:
        yield
    except (InputError, InputTypeError) as exc:
        text = str(exc)
        head, sep, rest = text.partition(": ")
        if sep and names:
            if head in names:
                head = names[head]
            elif head.startswith("schedule."):  # a key of a learning_rate dict
                head = f"learning_rate[{head[len('schedule.'):]!r}]"
        raise HyperparameterError(head + sep + rest if sep else text) from None


def _fail(name: str, value: Any, expected: str) -> HyperparameterError:
    return HyperparameterError(str(check.fail(name, value, expected)))


def _hidden_sizes(value: Any) -> tuple[int, ...]:
    expected = "a positive integer or a sequence of positive integers, e.g. (100,) or (64, 32); () for no hidden layer"
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        value = (value,)
    if isinstance(value, (str, bytes)) or not isinstance(value, (Sequence, np.ndarray)):
        raise _fail("hidden_layer_sizes", value, expected)
    sizes = list(value)
    if any(isinstance(n, bool) or not isinstance(n, numbers.Integral) or int(n) < 1 for n in sizes):
        raise _fail("hidden_layer_sizes", value, expected)
    return tuple(int(n) for n in sizes)


def _activations(value: Any, n_hidden: int) -> list[str]:
    expected = f"one of {sorted(ACTIVATIONS)}, or a list of {n_hidden} of them (one per hidden layer)"
    if isinstance(value, str):
        names = [value] * max(n_hidden, 1)
    elif isinstance(value, (Sequence, np.ndarray)) and len(value) == n_hidden:
        names = list(value)
    else:
        raise _fail("activation", value, expected)
    out = []
    for name in names:
        if not isinstance(name, str):
            raise _fail("activation", value, expected)
        name = _ACTIVATION_ALIASES.get(name.strip().lower(), name)
        with _named():
            out.append(check.choice("activation", name, ACTIVATIONS))
    return out[:n_hidden]


def _seeds(random_state: Any, n: int) -> list[int]:
    """``n`` integer seeds drawn from ``random_state``, as scikit-learn's conventions read it.

    An int or None stands for a fresh stream (None: seeded by the operating
    system, never NumPy's global state); a ``RandomState`` or ``Generator`` is
    drawn from (and so advanced), as scikit-learn estimators do.
    """
    if random_state is None:
        rng: Any = np.random.default_rng()
    elif isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        if not 0 <= int(random_state) < _SEED_HIGH:
            raise _fail("random_state", random_state, "None, an integer in [0, 2**32), a RandomState or a Generator")
        rng = np.random.RandomState(int(random_state))
    elif isinstance(random_state, (np.random.RandomState, np.random.Generator)):
        rng = random_state
    else:
        raise _fail("random_state", random_state, "None, an integer in [0, 2**32), a RandomState or a Generator")
    if isinstance(rng, np.random.Generator):
        return [int(s) for s in rng.integers(0, _SEED_HIGH, size=n, dtype=np.int64)]
    return [int(s) for s in rng.randint(0, _SEED_HIGH, size=n, dtype=np.int64)]


class _DescentEstimator(BaseEstimator):
    """What the classifier and the regressor share: hyperparameters and training."""

    def __init__(self, hidden_layer_sizes: Any = (100,), activation: Any = "relu", *, alpha: float = 0.0001,
                 batch_size: Any = "auto", learning_rate: Any = "constant", learning_rate_init: float = 0.001,
                 power_t: float = 0.5, max_iter: int = 200, shuffle: bool = True, random_state: Any = None,
                 tol: float = 1e-4, verbose: int = 0, early_stopping: bool = False,
                 validation_fraction: float = 0.1, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-8, n_iter_no_change: int = 10, optimizer: str = "adam", init: Any = "he",
                 keep_prob: Any = 1.0, beta: float | None = None, weight_decay: float | None = None,
                 dtype: Any = "float64") -> None:
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.optimizer = optimizer
        self.init = init
        self.keep_prob = keep_prob
        self.beta = beta
        self.weight_decay = weight_decay
        self.dtype = dtype

    # ----------------------------------------------------------- hyperparameters
    def _settings(self) -> dict[str, Any]:
        """Check every hyperparameter (errors name the estimator's argument) and resolve them."""
        hidden = _hidden_sizes(self.hidden_layer_sizes)
        out: dict[str, Any] = {"hidden_layer_sizes": hidden, "activation": _activations(self.activation, len(hidden)),
                               "optimizer": self._optimizer(), "learning_rate": _learning_rate(self.learning_rate)}
        with _named():
            out["init"] = get_initializer(self.init)
            out["batch_size"] = _batch_size(self.batch_size)
            out["max_iter"] = check.integer("max_iter", self.max_iter, low=1)
            out["alpha"] = check.real("alpha", self.alpha, low=0.0)
            out["power_t"] = check.real("power_t", self.power_t, low=0.0)
            out["tol"] = check.real("tol", self.tol, low=0.0)
            out["n_iter_no_change"] = check.integer("n_iter_no_change", self.n_iter_no_change, low=1)
            out["keep_prob"] = check.keep_probs(self.keep_prob, len(hidden))
            out["validation_fraction"] = check.real("validation_fraction", self.validation_fraction,
                                                    low=0.0, high=1.0, low_open=True, high_open=True)
            out["verbose"] = int(self.verbose) if isinstance(self.verbose, (bool, np.bool_)) \
                else check.integer("verbose", self.verbose, low=0)
            out["dtype"] = check.float_dtype("dtype", self.dtype)
        for name in ("early_stopping", "shuffle"):
            if not isinstance(getattr(self, name), (bool, np.bool_)):
                raise _fail(name, getattr(self, name), "True or False")
            out[name] = bool(getattr(self, name))
        # the weights, the run (shuffle, dropout) and the early-stopping split
        out["seeds"] = _seeds(self.random_state, 3)
        return out

    def _optimizer(self) -> Any:
        """The optimizer: ``optimizer`` at ``learning_rate_init``; beta_1, beta_2, epsilon for adam/adamw."""
        if not isinstance(self.optimizer, str):
            raise _fail("optimizer", self.optimizer, "an optimizer name: gd, momentum, rmsprop, adam or adamw")
        with _named(_OPTIMIZER_NAMES):
            name = OPTIMIZERS[check.choice("optimizer", self.optimizer, OPTIMIZERS)].name
            check.real("lr", self.learning_rate_init, low=0.0, low_open=True)
            hyper = {"beta": self.beta, "weight_decay": self.weight_decay}
            if name in ("adam", "adamw"):  # as MLPClassifier: beta_1, beta_2 and epsilon are Adam's
                hyper.update(beta1=self.beta_1, beta2=self.beta_2, epsilon=self.epsilon)
            return get_optimizer(name, self.learning_rate_init, **hyper)

    # ------------------------------------------------------------------ training
    def _train(self, s: dict[str, Any], X: np.ndarray, y: np.ndarray, output: str, n_out: int,
               stratify: np.ndarray | None = None, class_names: list[str] | None = None) -> None:
        init_seed, run_seed, split_seed = s["seeds"]
        net = Network([X.shape[1], *s["hidden_layer_sizes"], n_out], hidden=s["activation"], output=output,
                      init=s["init"], seed=init_seed, dtype=s["dtype"], class_names=class_names)
        X_train, y_train, validation_data = X, y, None
        if s["early_stopping"]:
            X_train, X_val, y_train, y_val = self._split(X, y, s["validation_fraction"], split_seed, stratify)
            validation_data = (X_val, y_val)
        m = len(X_train)
        batch = min(200, m) if s["batch_size"] == "auto" else (None if s["batch_size"] is None else min(s["batch_size"], m))
        callbacks, schedule = self._stopping(s, m)
        history = _fit(net, X_train, y_train, optimizer=s["optimizer"], epochs=s["max_iter"], batch_size=batch,
                       l2=s["alpha"] * m / (batch or m), keep_prob=s["keep_prob"], schedule=schedule,
                       seed=run_seed, shuffle="random" if s["shuffle"] else "none", validation_data=validation_data,
                       callbacks=callbacks, verbose=s["verbose"])
        self._record(net, history, validation_data is not None, m)

    def _stopping(self, s: dict[str, Any], m: int) -> tuple[list, Any]:
        """MLPClassifier's stopping and learning-rate rules (a callback), and the epoch schedule."""
        rule, sgd = s["learning_rate"], s["optimizer"].name in ("gd", "momentum")
        schedule = rule
        if isinstance(rule, str) and rule in _MLP_SCHEDULES:  # as MLPClassifier: for the SGD family only
            schedule = {"name": "power", "rate": float(m), "power": s["power_t"]} if (rule == "invscaling" and sgd) else None
        adaptive = rule == "adaptive" and sgd
        return [_NoImprovement(s["tol"], s["n_iter_no_change"], s["early_stopping"], adaptive)], schedule

    def _record(self, net: Network, history: Any, validated: bool, m: int) -> None:
        """The fitted attributes (scikit-learn's names where MLPClassifier has them)."""
        self.network_ = net
        self.history_ = history
        self.loss_curve_ = [float(c) for c in history["cost"]]
        self.loss_ = self.loss_curve_[-1] if self.loss_curve_ else None
        self.best_loss_ = None if validated else (min(self.loss_curve_) if self.loss_curve_ else None)
        self.validation_loss_curve_ = (None if not validated
                                       else [None if v is None else float(v) for v in history["val_cost"]])
        self.best_epoch_ = history.best_epoch
        self.n_iter_ = len(history)
        self.t_ = self.n_iter_ * m
        self.coefs_ = [net.params[f"W{l}"].T.copy() for l in range(1, len(net.layer_dims))]
        self.intercepts_ = [net.params[f"b{l}"].copy() for l in range(1, len(net.layer_dims))]
        self.n_layers_ = len(net.layer_dims)
        self.out_activation_ = {"sigmoid": "logistic", "softmax": "softmax", "linear": "identity"}[net.output]

    @staticmethod
    def _split(X: np.ndarray, y: np.ndarray, fraction: float, seed: int, stratify: np.ndarray | None):
        m = len(X)
        n_val = int(math.ceil(fraction * m))
        if not 0 < n_val < m:
            raise _fail("validation_fraction", fraction,
                        f"a fraction leaving examples on both sides of the early-stopping split of {m} examples")
        if stratify is not None:
            try:  # keep the class proportions, as MLPClassifier does, when every class has enough examples
                return train_test_split(X, y, test_size=n_val, random_state=seed, stratify=stratify)
            except ValueError:
                pass
        return train_test_split(X, y, test_size=n_val, random_state=seed)

    def _logits(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "network_")
        X = validate_data(self, X, reset=False, dtype=(np.float64, np.float32))
        return self.network_.forward(X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        tags.input_tags.sparse = False
        return tags


class _NoImprovement(Callback):
    """MLPClassifier's ``tol`` and ``n_iter_no_change``, rule for rule.

    After each epoch the monitored cost (the training cost, or the validation cost with
    early stopping) counts as no improvement when it is above the best so far minus
    ``tol``; after more than ``n_iter_no_change`` such epochs in a row, training stops,
    or with ``adaptive`` the learning rate is divided by 5 (training stops once it is
    1e-6 or less). With early stopping the best epoch's weights are restored.
    """

    def __init__(self, tol: float, n_iter_no_change: int, validation: bool, adaptive: bool) -> None:
        self.tol, self.limit, self.adaptive = tol, n_iter_no_change, adaptive
        self.monitor = "val_cost" if validation else "cost"
        self.restore = validation
        self.best, self.count, self.best_epoch, self.best_theta = math.inf, 0, None, None

    def on_epoch_end(self, epoch: int, logs: dict[str, Any], run: Any) -> None:
        value = logs.get(self.monitor)
        if value is None:
            return
        self.count = self.count + 1 if value > self.best - self.tol else 0
        if value < self.best:
            self.best, self.best_epoch = value, epoch
            if self.restore:
                self.best_theta = run.net.theta.copy()
        if self.count > self.limit:
            what = "early stopping: the validation cost" if self.restore else "converged: the training cost"
            lr = run.cfg.optimizer.lr
            if self.adaptive and lr > 1e-6:
                run.cfg, self.count = run.cfg.override(lr=lr / 5.0), 0
                return
            run.stop_training = True
            run.history.stop_reason = (f"{what} did not improve by more than tol={self.tol:g} for "
                                       f"{self.limit} consecutive epochs")

    def on_train_end(self, run: Any) -> None:
        if self.restore:
            run.history.best_epoch = self.best_epoch
            if self.best_theta is not None:
                run.net.theta[...] = self.best_theta


_MLP_SCHEDULES = ("constant", "invscaling", "adaptive")


def _learning_rate(value: Any) -> Any:
    """``learning_rate``: MLPClassifier's schedule names, or a descentlab schedule (name, dict)."""
    if isinstance(value, str) and value.strip().lower() in _MLP_SCHEDULES:
        return value.strip().lower()
    if isinstance(value, bool) or isinstance(value, numbers.Real):
        raise _fail("learning_rate", value, "a schedule name ('constant', 'invscaling', 'adaptive', or one of "
                    f"{sorted(s for s in SCHEDULES if s != 'constant')}), as MLPClassifier's; the initial rate is "
                    "learning_rate_init")
    with _named(_SCHEDULE_NAMES):
        get_schedule(value)
    return value


def _batch_size(value: Any) -> Any:
    """``batch_size``: "auto" (min(200, m), MLPClassifier's), a positive integer, or None (full batch)."""
    if isinstance(value, str) and value == "auto":
        return "auto"
    if value is None:
        return None
    return check.integer("batch_size", value, low=1)


_DOC_PARAMS = """
    Args (MLPClassifier's names and meanings):
        hidden_layer_sizes: units of each hidden layer, e.g. ``(100,)`` (the default) or
            ``(64, 32)``; an int for one layer; ``()`` for none.
        activation: hidden activation: relu (default), tanh, logistic (sigmoid), or
            descentlab's leaky_relu; or one name per hidden layer.
        alpha: L2 strength: the gradient of a step on B examples adds alpha/B · W (weights only).
        batch_size: examples per step: "auto" (min(200, m)), an integer (clipped to m),
            or None (full batch).
        learning_rate: "constant" (default), "invscaling" (lr / (t + 1)^power_t, t the
            examples seen) or "adaptive" (divide by 5 when training stalls), which apply
            to gd/momentum as MLPClassifier's apply to sgd; or a descentlab schedule
            (a name such as "inverse_time", or a dict such as ``{"name": "staircase",
            "rate": 1, "interval": 100}``), which applies to every optimizer.
        learning_rate_init: the initial step size α (the core's ``lr``).
        power_t: the exponent of "invscaling".
        max_iter: the most epochs (passes over the training data).
        shuffle: shuffle the examples every epoch.
        random_state: None, an int, a ``numpy.random.RandomState`` or ``Generator``.
        tol, n_iter_no_change: stop when the training cost (or, with early stopping, the
            validation cost) has not improved by ``tol`` for more than
            ``n_iter_no_change`` epochs in a row.
        verbose: 0 quiet; 1 progress on stderr (see :func:`descentlab.fit`).
        early_stopping: hold out ``validation_fraction`` of the data (stratified for
            classifiers when possible), watch its cost, keep the best epoch's weights.
        validation_fraction: the held-out fraction for early stopping.
        beta_1, beta_2, epsilon: Adam's (and AdamW's) hyperparameters.

    descentlab's own:
        optimizer: adam (default), gd (or sgd), momentum, rmsprop or adamw.
        init: weight initializer: he (default, suits relu), glorot/xavier,
            glorot_uniform, lecun, random, zeros, or a :class:`descentlab.Initializer`.
        keep_prob: inverted dropout keep probability, one number or one per hidden layer.
        beta: momentum's and RMSProp's β (None: the optimizer's default).
        weight_decay: AdamW's decoupled weight decay.
        dtype: 'float64' (default) or 'float32' for the network's parameters and compute.
"""


class DescentClassifier(ClassifierMixin, _DescentEstimator):
    __doc__ = """A fully connected network classifier: sigmoid output for two classes, softmax for more.

    Labels may be any sortable values (strings, integers, integral floats);
    ``classes_`` holds them sorted and ``predict`` returns them.
    """ + _DOC_PARAMS + """
    Attributes:
        classes_: the class labels. network_: the trained :class:`descentlab.Network`
            (``network_.class_names`` are the labels as strings, so ``network_.save``
            keeps them). history_: its :class:`descentlab.History`. loss_curve_: the
            training cost per epoch. validation_loss_curve_: the validation cost per
            epoch (None without early stopping). best_epoch_: the epoch whose weights
            were kept by early stopping (else None). n_iter_: epochs run.
            n_features_in_, feature_names_in_: as in scikit-learn.
    """

    def fit(self, X: Any, y: Any) -> "DescentClassifier":
        """Train on X (m, n_features) and class labels y (m,); returns self."""
        settings = self._settings()
        X, y = validate_data(self, X, y, dtype=(np.float64, np.float32))
        check_classification_targets(y)
        self.classes_, codes = np.unique(y, return_inverse=True)
        if len(self.classes_) < 2:
            raise InputError(f"y: expected labels of at least 2 classes, received one class "
                             f"({_plain(self.classes_[0])!r}); a classifier needs two or more")
        binary = len(self.classes_) == 2
        self._train(settings, X, codes.reshape(-1), "sigmoid" if binary else "softmax",
                    1 if binary else len(self.classes_), stratify=codes.reshape(-1),
                    class_names=[str(c) for c in self.classes_])
        return self

    def decision_function(self, X: Any) -> np.ndarray:
        """The output logits: (m,) for two classes (positive means ``classes_[1]``), else (m, n_classes)."""
        z = self._logits(X)
        return z[:, 0] if z.shape[1] == 1 else z

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities (m, n_classes), columns in the order of ``classes_``."""
        z = self._logits(X)
        if z.shape[1] == 1:
            return np.column_stack([sigmoid(-z[:, 0]), sigmoid(z[:, 0])])
        return softmax(z, axis=1)

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """Logarithms of :meth:`predict_proba`, computed from the logits (finite for any logit)."""
        z = self._logits(X)
        if z.shape[1] == 1:
            return np.column_stack([log_sigmoid(-z[:, 0]), log_sigmoid(z[:, 0])])
        return log_softmax(z, axis=1)

    def predict(self, X: Any) -> np.ndarray:
        """The most probable class label of each row of X."""
        z = self._logits(X)
        codes = (z[:, 0] > 0).astype(np.intp) if z.shape[1] == 1 else z.argmax(axis=1)
        return self.classes_[codes]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = True
        tags.classifier_tags.multi_label = False
        return tags


class DescentRegressor(RegressorMixin, _DescentEstimator):
    __doc__ = """A fully connected network regressor: linear output, half mean squared error.

    One target (y of shape (m,)) or several (y of shape (m, k)). As for any
    network, scale the inputs (a ``StandardScaler`` in a ``Pipeline``), and
    targets far from unit scale (``TransformedTargetRegressor``).
    """ + _DOC_PARAMS + """
    Attributes:
        n_outputs_: number of targets. network_, history_, loss_curve_,
        validation_loss_curve_, best_epoch_, n_iter_, n_features_in_,
        feature_names_in_: as for :class:`DescentClassifier`.
    """

    def fit(self, X: Any, y: Any) -> "DescentRegressor":
        """Train on X (m, n_features) and real targets y (m,) or (m, k); returns self."""
        settings = self._settings()
        X, y = validate_data(self, X, y, multi_output=True, y_numeric=True, dtype=(np.float64, np.float32))
        if y.ndim == 1:
            self.n_outputs_ = 1
        else:
            if y.shape[1] < 1:
                raise InputError(f"y: expected at least one target column, received an array of shape {y.shape}")
            self.n_outputs_ = y.shape[1]
        self._train(settings, X, np.asarray(y, dtype=np.float64), "linear", self.n_outputs_)
        return self

    def predict(self, X: Any) -> np.ndarray:
        """Predicted targets: (m,) for one target, (m, k) for k (as MLPRegressor, also after y of shape (m, 1))."""
        z = self._logits(X)
        return z[:, 0] if z.shape[1] == 1 else z

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = True
        return tags


def _plain(value: Any) -> Any:
    """A NumPy scalar as the Python value it holds (for readable messages)."""
    return value.item() if isinstance(value, np.generic) else value
