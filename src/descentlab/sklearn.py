"""scikit-learn estimators: :class:`DescentClassifier` and :class:`DescentRegressor`.

They wrap a :class:`descentlab.Network` trained by :func:`descentlab.fit`, so they
drop into scikit-learn's tools: ``Pipeline``, ``cross_val_score``,
``GridSearchCV`` (also with ``n_jobs``), ``clone``, ``pickle``.

>>> from sklearn.datasets import load_iris
>>> from sklearn.pipeline import make_pipeline
>>> from sklearn.preprocessing import StandardScaler
>>> X, y = load_iris(return_X_y=True)
>>> model = make_pipeline(StandardScaler(), DescentClassifier((16,), learning_rate=0.01, random_state=0))
>>> model.fit(X, y).score(X, y) > 0.95
True
>>> model[-1].classes_, model[-1].n_iter_, model[-1].network_.layer_dims
(array([0, 1, 2]), 200, (4, 16, 3))

Conventions (scikit-learn's):

- hyperparameters are constructor arguments, stored unchanged; they are checked
  when ``fit`` runs. A bad one raises :class:`HyperparameterError`, which is a
  :class:`descentlab.errors.InputError` (a ``ValueError``) *and* an
  :class:`~descentlab.errors.InputTypeError` (a ``TypeError``, as for a value
  of the wrong type), with the message ``"<argument>: expected <what>, received <value>"``
  naming the argument as the estimator spells it (``learning_rate``, not the
  core's ``lr``);
- fitted attributes end with ``_``: ``network_`` (the trained Network),
  ``history_`` (its :class:`~descentlab.History`), ``loss_curve_``, ``n_iter_``,
  ``classes_`` (classifier), ``n_outputs_`` (regressor), ``n_features_in_`` and,
  for data frames with string column names, ``feature_names_in_``;
- ``random_state`` (None, an int, a ``RandomState`` or a ``Generator``) gives the
  integer seeds of the weights, of the run (shuffling, dropout) and of the
  early-stopping split. NumPy's global random state is never read or changed:
  with ``None`` the seeds come from the operating system. The seeds used are
  recorded in ``network_.seed`` and ``history_.seed``.

Differences from :class:`sklearn.neural_network.MLPClassifier` worth knowing:
``epochs`` (not ``max_iter``) is the number of passes over the data and no
``ConvergenceWarning`` is issued when it runs out; training stops early only with
``early_stopping=True``, on the validation cost (the best weights are restored);
``l2`` is the course's λ, the cost adding λ/(2m) Σ||W||²; a ``batch_size``
larger than the training set means full batch, silently. The adam step is
PyTorch's (ε after bias correction), see :class:`descentlab.Adam`.

This module imports scikit-learn; ``import descentlab`` does not import it.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from contextlib import contextmanager
from typing import Any, Iterator

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.model_selection import train_test_split
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from . import _checks as check
from .core.activations import ACTIVATIONS
from .core.initializers import get_initializer
from .core.network import Network
from .core.outputs import log_sigmoid, log_softmax, sigmoid, softmax
from .errors import InputError, InputTypeError
from .training.callbacks import EarlyStopping
from .training.fit import fit as _fit
from .training.optimizers import get_optimizer
from .training.schedules import get_schedule

__all__ = ["DescentClassifier", "DescentRegressor", "HyperparameterError"]


class HyperparameterError(InputError, InputTypeError):
    """A constructor argument of an estimator has a bad value or type.

    Both a ``ValueError`` (via :class:`~descentlab.errors.InputError`) and a
    ``TypeError`` (via :class:`~descentlab.errors.InputTypeError`), like
    scikit-learn's own ``InvalidParameterError``, so either ``except`` works.
    """


# The core's argument names, as the estimators spell them.
_OPTIMIZER_NAMES = {"lr": "learning_rate"}
_SCHEDULE_NAMES = {"schedule": "lr_schedule", "rate": "lr_schedule['rate']", "interval": "lr_schedule['interval']",
                   "base": "lr_schedule['base']", "delay": "lr_schedule['delay']"}
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
            elif head.startswith("schedule."):  # a key of an lr_schedule dict
                head = f"lr_schedule[{head[len('schedule.'):]!r}]"
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

    def __init__(self, hidden_layer_sizes: Any = (100,), *, activation: Any = "relu", init: Any = "he",
                 optimizer: str = "adam", learning_rate: float = 0.001, beta: float | None = None,
                 beta1: float | None = None, beta2: float | None = None, epsilon: float | None = None,
                 weight_decay: float | None = None, batch_size: int | None = 64, epochs: int = 200,
                 l2: float = 0.0, keep_prob: Any = 1.0, lr_schedule: Any = None, early_stopping: bool = False,
                 validation_fraction: float = 0.1, patience: int = 10, random_state: Any = None,
                 verbose: int = 0, dtype: Any = "float64") -> None:
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.init = init
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.beta = beta
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weight_decay = weight_decay
        self.batch_size = batch_size
        self.epochs = epochs
        self.l2 = l2
        self.keep_prob = keep_prob
        self.lr_schedule = lr_schedule
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.random_state = random_state
        self.verbose = verbose
        self.dtype = dtype

    # ----------------------------------------------------------- hyperparameters
    def _settings(self) -> dict[str, Any]:
        """Check every hyperparameter (errors name the estimator's argument) and resolve them."""
        hidden = _hidden_sizes(self.hidden_layer_sizes)
        out: dict[str, Any] = {"hidden_layer_sizes": hidden, "activation": _activations(self.activation, len(hidden))}
        if not isinstance(self.optimizer, str):
            raise _fail("optimizer", self.optimizer, "an optimizer name: gd, momentum, rmsprop, adam or adamw")
        with _named(_OPTIMIZER_NAMES):
            check.real("lr", self.learning_rate, low=0.0, low_open=True)
            out["optimizer"] = get_optimizer(self.optimizer, self.learning_rate, beta=self.beta, beta1=self.beta1,
                                             beta2=self.beta2, epsilon=self.epsilon, weight_decay=self.weight_decay)
        with _named(_SCHEDULE_NAMES):
            out["schedule"] = get_schedule(self.lr_schedule)
        with _named():
            out["init"] = get_initializer(self.init)
            out["batch_size"] = None if self.batch_size is None else check.integer("batch_size", self.batch_size, low=1)
            out["epochs"] = check.integer("epochs", self.epochs, low=1)
            out["l2"] = check.real("l2", self.l2, low=0.0)
            out["keep_prob"] = check.keep_probs(self.keep_prob, len(hidden))
            out["validation_fraction"] = check.real("validation_fraction", self.validation_fraction,
                                                    low=0.0, high=1.0, low_open=True, high_open=True)
            out["patience"] = check.integer("patience", self.patience, low=0)
            out["verbose"] = int(self.verbose) if isinstance(self.verbose, (bool, np.bool_)) \
                else check.integer("verbose", self.verbose, low=0)
        if not isinstance(self.early_stopping, (bool, np.bool_)):
            raise _fail("early_stopping", self.early_stopping, "True or False")
        out["early_stopping"] = bool(self.early_stopping)
        with _named():
            out["dtype"] = check.float_dtype("dtype", self.dtype)
        # the weights, the run (shuffle, dropout) and the early-stopping split
        out["seeds"] = _seeds(self.random_state, 3)
        return out

    # ------------------------------------------------------------------ training
    def _train(self, s: dict[str, Any], X: np.ndarray, y: np.ndarray, output: str, n_out: int,
               stratify: np.ndarray | None = None, class_names: list[str] | None = None) -> None:
        init_seed, run_seed, split_seed = s["seeds"]
        net = Network([X.shape[1], *s["hidden_layer_sizes"], n_out], hidden=s["activation"], output=output,
                      init=s["init"], seed=init_seed, dtype=s["dtype"], class_names=class_names)
        validation_data, stopper = None, None
        X_train, y_train = X, y
        if s["early_stopping"]:
            X_train, X_val, y_train, y_val = self._split(X, y, s["validation_fraction"], split_seed, stratify)
            validation_data = (X_val, y_val)
            stopper = EarlyStopping(patience=s["patience"])
        batch_size = s["batch_size"]
        if batch_size is not None:
            batch_size = min(batch_size, len(X_train))  # larger than the data: full batch, without a warning
        history = _fit(net, X_train, y_train, optimizer=s["optimizer"], epochs=s["epochs"], batch_size=batch_size,
                       l2=s["l2"], keep_prob=s["keep_prob"], schedule=s["schedule"], seed=run_seed,
                       validation_data=validation_data, early_stopping=stopper, verbose=s["verbose"])
        self.network_ = net
        self.history_ = history
        self.loss_curve_ = [float(c) for c in history["cost"]]
        self.validation_loss_curve_ = (None if validation_data is None
                                       else [None if v is None else float(v) for v in history["val_cost"]])
        self.best_epoch_ = history.best_epoch
        self.n_iter_ = len(history)

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


_DOC_PARAMS = """
    Args:
        hidden_layer_sizes: units of each hidden layer, e.g. ``(100,)`` (the default, as
            scikit-learn's MLP) or ``(64, 32)``; an int for one layer; ``()`` for none.
        activation: hidden activation: relu, leaky_relu, tanh or sigmoid (``logistic``
            is accepted as scikit-learn's name for sigmoid), or one name per hidden layer.
        init: weight initializer: he (default, suits relu), glorot/xavier,
            glorot_uniform, lecun, random, zeros, or a :class:`descentlab.Initializer`.
        optimizer: gd (sgd), momentum, rmsprop, adam (default) or adamw.
        learning_rate: the initial step size α (the core's ``lr``).
        beta, beta1, beta2, epsilon, weight_decay: optimizer hyperparameters: ``beta``
            for momentum and rmsprop, ``beta1``/``beta2`` for adam and adamw, ``epsilon``
            for rmsprop, adam and adamw, ``weight_decay`` for adamw. None keeps the
            optimizer's default; a value for an optimizer that does not take it is an error.
        batch_size: examples per step; None is full batch. Larger than the training
            set also means full batch.
        epochs: passes over the training data.
        l2: L2 penalty λ; the cost adds λ/(2m) Σ_l ||W_l||² (weights only).
        keep_prob: inverted dropout keep probability, one number or one per hidden layer.
        lr_schedule: None (constant), a name (inverse_time, staircase, exponential) or a
            dict such as ``{"name": "inverse_time", "rate": 0.01}``; see
            :func:`descentlab.training.get_schedule`.
        early_stopping: hold out ``validation_fraction`` of the data (stratified for
            classifiers when possible) and stop once its cost has not improved for
            ``patience`` epochs; the best epoch's weights are kept.
        random_state: None, an int, a ``numpy.random.RandomState`` or ``Generator``.
        verbose: 0 quiet; 1 a progress bar (only in a terminal or Jupyter).
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
