"""The fully connected network: a description plus one flat parameter buffer.

>>> net = Network([2, 10, 5, 1], hidden="relu", output="sigmoid", init="he", seed=3)
>>> net.params["W1"].shape, net.params["b1"].shape
((10, 2), (10,))
>>> net.theta.shape            # [W1|b1], [W2|b2], [W3|b3] back to back
(91,)
"""

from __future__ import annotations

import copy as _copy
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from .. import _checks as check
from ..errors import DescentlabError, ModelFileError
from ..io import modelfile, tensorfile
from . import labels
from .activations import ACTIVATIONS
from . import memory, modeldoc
from .initializers import INITIALIZER_NAMES, Initializer, get_initializer, resolve_rng
from .layout import Layout
from .outputs import OUTPUTS
from .preprocessing import Preprocessing, preprocessing_from
from .propagation import Kernel, Workspace, loss_and_backprop, scaled_masks, with_ones
from .regularization import check_masks, l2_gradient_factor, l2_penalty, scale_mask

DTYPES = {"float64": np.float64, "float32": np.float32}


def _shown(arr: np.ndarray) -> str:
    return f"an array of shape {arr.shape} ({arr.dtype})"


@dataclass(frozen=True)
class Cost:
    """A cost split into its data term (1/m) Σ L_i and its L2 term λ/(2m) Σ_l ||W_l||²."""

    data: float
    l2: float = 0.0

    @property
    def total(self) -> float:
        return self.data + self.l2

    def __float__(self) -> float:
        return float(self.total)


class Network:
    """A fully connected network with parameters in one contiguous buffer.

    Args:
        layer_dims: sizes ``[n_0, n_1, ..., n_L]``: inputs, hidden layers, outputs.
        hidden: activation of the hidden layers: one of relu, leaky_relu, tanh,
            sigmoid, or a list with one name per hidden layer.
        output: ``"sigmoid"`` (binary cross-entropy), ``"softmax"`` (categorical
            cross-entropy) or ``"linear"`` (half mean squared error).
        init: an initializer name (zeros, random, he, xavier/glorot,
            glorot_uniform, lecun) or an :class:`Initializer`.
        seed: an int (course-compatible ``RandomState`` draws), a NumPy
            ``Generator``/``RandomState``, or None for a fresh recorded seed.
        dtype: float64 (default) or float32.
        init_scale: multiplies the initializer's standard deviation (default 10
            for ``random``, 1 otherwise).

    Attributes:
        theta: all parameters, shape (P,). ``params["W1"]`` etc. are views of it.
        grad: the twin gradient buffer; ``grads["W1"]`` etc. are views of it.
    """

    def __init__(self, layer_dims: Sequence[int], hidden: str | Sequence[str] = "relu",
                 output: str = "sigmoid", init: str | Initializer = "he", seed: Any = None,
                 dtype: Any = np.float64, *, init_scale: float | None = None,
                 preprocessing: Preprocessing | None = None,
                 class_names: Sequence[str] | None = None) -> None:
        dims = check.layer_dims(layer_dims)
        n_hidden = len(dims) - 2
        names = [hidden] * n_hidden if isinstance(hidden, str) else list(hidden)
        if len(names) != n_hidden:
            raise check.fail("hidden", hidden, f"one activation name or a list of {n_hidden} names")
        self.hidden = tuple(check.choice("hidden", h, ACTIVATIONS) for h in names)
        self.output = check.choice("output", output, OUTPUTS)
        self.dtype = check.float_dtype("dtype", dtype)
        memory.require_network(dims, self.dtype)  # before a single parameter is allocated
        self.layout = Layout(dims)
        self._bind(np.zeros(self.layout.size, self.dtype), np.zeros(self.layout.size, self.dtype))
        self.preprocessing = preprocessing
        self.class_names = list(class_names) if class_names is not None else None
        self.info: dict[str, Any] = {}
        self.initialize(init, seed, init_scale=init_scale)

    # ----------------------------------------------------------------- description
    @property
    def layer_dims(self) -> tuple[int, ...]:
        return self.layout.layer_dims

    @property
    def n_params(self) -> int:
        return self.layout.size

    @property
    def activations(self) -> tuple:
        """The hidden layers' :class:`~.activations.Activation` objects, in layer order."""
        return tuple(ACTIVATIONS[h] for h in self.hidden)

    @property
    def head(self):
        """The output layer's :class:`~.outputs.Output`: its activation, loss from logits and targets."""
        return OUTPUTS[self.output]

    def config(self) -> dict[str, Any]:
        """The description that rebuilds this network (weights aside)."""
        return {
            "layer_dims": list(self.layer_dims), "hidden": list(self.hidden), "output": self.output,
            "dtype": self.dtype.name, "init": self.init.name, "init_scale": self.init.scale, "seed": self.seed,
        }

    def __repr__(self) -> str:
        hidden = self.hidden[0] if len(set(self.hidden)) == 1 else list(self.hidden)
        hidden_text = repr(hidden) if self.hidden else "()"
        return (f"Network({list(self.layer_dims)}, hidden={hidden_text}, output={self.output!r}, "
                f"init={self.init.describe()!r}, seed={self.seed}, dtype={self.dtype.name}) "
                f"with {self.n_params} parameters")

    def initialize(self, init: str | Initializer = "he", seed: Any = None, *, init_scale: float | None = None) -> "Network":
        """(Re)draw the weights in place, W1 first; set every bias to zero."""
        self.init = get_initializer(init, init_scale)
        rng, self.seed = resolve_rng(seed)
        for l in range(1, self.layout.n_layers + 1):
            W = self.params[f"W{l}"]
            W[...] = self.init.weights(W.shape, rng)
            self.params[f"b{l}"][...] = 0
        return self

    def _bind(self, theta: np.ndarray, grad: np.ndarray) -> None:
        """Make ``theta``/``grad`` the buffers and (re)build every view of them."""
        self.theta, self.grad = theta, grad
        self.params = self.layout.views(theta)
        self.grads = self.layout.views(grad)
        self.kernel = Kernel.build(self.layout, self.activations, theta, grad)

    def copy(self) -> "Network":
        """An independent network with the same description and parameters."""
        new = Network.__new__(Network)
        new.__dict__.update(self.__dict__)
        new._bind(self.theta.copy(), self.grad.copy())
        new.info = dict(self.info)
        return new

    def astype(self, dtype: Any) -> "Network":
        """A copy whose buffers have another dtype (float64 or float32)."""
        new = self.copy()
        new.dtype = check.float_dtype("dtype", dtype)
        new._bind(self.theta.astype(new.dtype), np.zeros(self.theta.shape, new.dtype))
        return new

    def __getstate__(self) -> dict[str, Any]:
        """Pickle (in memory only, e.g. for joblib) the buffers, not their views."""
        state = dict(self.__dict__)
        for key in ("params", "grads", "kernel"):
            state.pop(key, None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._bind(self.theta, self.grad)

    def __deepcopy__(self, memo: dict) -> "Network":
        new = self.copy()
        new.info = _copy.deepcopy(self.info, memo)
        return new

    # ------------------------------------------------------------------- inputs
    def prepare_inputs(self, X: Any, name: str = "X", *, bias_column: bool = False) -> np.ndarray:
        """Check raw inputs X (m, n_0), cast them to the network's dtype, apply the preprocessing.

        The result never aliases a caller's array that preprocessing changed; without
        preprocessing, an input already of the right dtype and layout is used as is.
        With ``bias_column=True`` the result is the view ``X1[:, :-1]`` of one
        (m, n_0 + 1) array whose last column is ones, the engine's input layout:
        a large data set is converted once, into its final place.
        """
        arr = check.features(name, X, self.layer_dims[0], dtype=False if bias_column else self.dtype)
        if bias_column:
            memory.require(arr.shape[0] * (arr.shape[1] + 1) * self.dtype.itemsize, name, _shown(arr),
                           f"inputs ({self.dtype.name}, with a column of ones)")
            X1 = np.empty((arr.shape[0], arr.shape[1] + 1), self.dtype)
            X1[:, :-1] = arr  # converted straight into place
            X1[:, -1] = 1
            arr = X1[:, :-1]
        elif self.preprocessing is not None and np.may_share_memory(arr, X):
            arr = arr.copy()
        if self.preprocessing is not None:
            self.preprocessing.apply_(arr)
        return arr if bias_column else np.ascontiguousarray(arr)

    def encode_targets(self, y: Any, n_examples: int | None = None, name: str = "y") -> np.ndarray:
        """Check targets and return them as a float matrix Y (m, n_L); text labels go through ``class_names``."""
        if self.class_names is not None and self.head.is_classifier and labels.is_text(y):
            y = labels.codes(y, self.class_names, name)
        Y = self.head.encode(y, self.layer_dims[-1], self.dtype, name)
        if n_examples is not None and len(Y) != n_examples:
            raise check.fail(name, f"{len(Y)} targets", f"{n_examples} targets, one per row of X")
        return Y

    def _masks(self, keep_prob: Any, rng: Any, masks: Any, ws: Workspace) -> list | None:
        probs = check.keep_probs(keep_prob, len(self.hidden))
        if masks is not None:
            return self._given_masks(masks, probs, ws)
        if all(p == 1.0 for p in probs):
            return None
        if rng is None:
            raise check.fail("rng", rng, "a numpy Generator or RandomState for the dropout masks when keep_prob < 1")
        return scaled_masks(rng, ws, probs)

    def _given_masks(self, masks: Any, probs: tuple[float, ...], ws: Workspace) -> list:
        keep = check_masks(masks, probs, self.layer_dims[1:-1], ws.act[0].shape[-1])
        return [None if k is None else np.ascontiguousarray(scale_mask(k.T, kp).astype(self.dtype))
                for k, kp in zip(keep, probs)]

    # ------------------------------------------------------------------ compute
    def _workspace(self, X1: np.ndarray, dropout: bool = False) -> Workspace:
        return self.kernel.workspace(X1, tuple([dropout] * len(self.hidden)))

    def forward(self, X: Any, *, keep_prob: Any = 1.0, rng: Any = None, masks: Any = None) -> np.ndarray:
        """Logits Z[L] of shape (m, n_L). Dropout applies only when keep_prob < 1 (training)."""
        X1 = with_ones(self.prepare_inputs(X))
        ws = self._workspace(X1, dropout=True)
        return self.kernel.forward(X1, ws, self._masks(keep_prob, rng, masks, ws)).T.copy()

    def predict_proba(self, X: Any) -> np.ndarray:
        """Output activations: P(y=1) of shape (m,) for one sigmoid unit, (m, C) for softmax."""
        a = self.head.activate(self.forward(X))
        return a[:, 0] if a.shape[1] == 1 else a

    def predict(self, X: Any) -> np.ndarray:
        """Class labels (m,) for sigmoid (threshold 0.5) and softmax (argmax); values for linear."""
        return self.head.predict(self.forward(X))

    def accuracy(self, X: Any, y: Any) -> float:
        """Fraction of examples whose predicted class equals the label."""
        if not self.head.is_classifier:
            raise check.fail("output", self.output, "a classifier output (sigmoid or softmax) for accuracy")
        Xp = check.features("X", X, self.layer_dims[0])
        Y = self.encode_targets(y, len(Xp))
        labels = Y.argmax(axis=1) if self.output == "softmax" else Y.astype(np.int64)
        pred = self.predict(Xp)
        return float(np.mean(pred.reshape(labels.shape) == labels))

    def l2_cost(self, l2: float, m: int) -> float:
        """λ/(2m) Σ_l ||W_l||², weights only (:func:`.regularization.l2_penalty`, in float64)."""
        if l2 == 0:
            return 0.0
        return float(l2_penalty(self.theta.astype(np.float64), self.layout.weight_mask(), l2, m))

    def cost(self, X: Any, y: Any, l2: float = 0.0) -> Cost:
        """J = (1/m) Σ_i L_i + λ/(2m) Σ_l ||W_l||², from the logits (always finite)."""
        l2 = check.real("l2", l2, low=0.0)
        X1 = with_ones(self.prepare_inputs(X))
        YT = np.ascontiguousarray(self.encode_targets(y, len(X1)).T)
        ws = self._workspace(X1)
        loss_sum = self.head.loss(self.kernel.forward(X1, ws), YT, None)
        return Cost(float(loss_sum) / len(X1), self.l2_cost(l2, len(X1)))

    def loss_and_grad(self, X: Any, y: Any, *, l2: float = 0.0, keep_prob: Any = 1.0, rng: Any = None,
                      masks: Any = None, n_total: int | None = None) -> Cost:
        """Cost on (X, y) and its gradient, written into ``net.grad`` (views ``net.grads``).

        With dropout (keep_prob < 1) masks are drawn from ``rng``, or taken from
        ``masks`` (one 0/1 array (m, n_l) per hidden layer), and the backward pass
        reuses them. ``n_total`` is the m in the L2 term (default: len(X)); a
        mini-batch step passes the training-set size so that every batch estimates
        the same objective.
        """
        l2 = check.real("l2", l2, low=0.0)
        X1 = with_ones(self.prepare_inputs(X))
        YT = np.ascontiguousarray(self.encode_targets(y, len(X1)).T)
        m = len(X1) if n_total is None else check.integer("n_total", n_total, low=1)
        ws = self._workspace(X1, dropout=True)
        loss_sum = loss_and_backprop(self.kernel, self.head, X1, YT, ws, self._masks(keep_prob, rng, masks, ws))
        if l2:
            self.grad += l2_gradient_factor(l2, m, self.layout.weight_mask(self.dtype)) * self.theta
        return Cost(float(loss_sum) / len(X1), self.l2_cost(l2, m))

    # ------------------------------------------------------------- conveniences
    def diagnose(self, X: Any, y: Any = None, **kwargs: Any):
        """Per-layer statistics, identical (symmetric) units and dead ReLUs; see :mod:`.diagnostics`."""
        from .diagnostics import diagnose
        return diagnose(self, X, y, **kwargs)

    def save(self, path: Any) -> None:
        """Write the model file (safetensors weights + JSON header), atomically; see :mod:`descentlab.io.modelfile`."""
        modelfile.save(self, path)

    @classmethod
    def from_document(cls, doc: dict[str, Any], arrays: dict[str, np.ndarray], where: str) -> "Network":
        """Rebuild a Network from a model header document and its tensors (model files and checkpoints).

        Every header field is checked against the tensors first (:func:`.modeldoc.describe`),
        so nothing is allocated for an architecture the file does not hold; every failure
        is a :class:`~descentlab.errors.ModelFileError`.
        """
        desc = modeldoc.describe(doc, arrays, where)
        try:
            prep = preprocessing_from(doc.get("preprocessing"), arrays)
            net = cls(desc["layer_dims"], hidden=desc["hidden"], output=desc["output"], init="zeros", seed=0,
                      dtype=desc["dtype"], preprocessing=prep, class_names=desc["class_names"])
        except (DescentlabError, ValueError, TypeError) as exc:
            raise ModelFileError(f"{where}: invalid network description: {exc}") from exc
        for name in net.layout.names():
            net.params[name][...] = arrays[name]
        if desc["init"] in INITIALIZER_NAMES:
            net.init = Initializer(desc["init"], 1.0 if desc["init_scale"] is None else desc["init_scale"])
        net.seed = desc["seed"]
        net.info = desc["info"]
        return net

    def predict_image(self, path: Any, top: int = 3):
        """Classify one image file with the preprocessing saved in this model; see :func:`descentlab.io.images.predict_image`."""
        from ..io.images import predict_image
        return predict_image(self, path, top=top)

    def summary(self, print_fn: Any = None) -> None:
        """Print a Keras-style table of the layers: shapes, parameters, activation, initializer; then totals.

        ``print_fn`` receives the text one line at a time (default :func:`print`), as Keras's
        ``model.summary(print_fn=...)``. Shapes are (m, n_l) for m examples.

        >>> Network([2, 5, 1], seed=3).summary()   # doctest: +NORMALIZE_WHITESPACE
        Network: 2 dense layers, float64, init he (seed 3)
        layer     weights  output shape  parameters  activation  init
        --------  -------  ------------  ----------  ----------  ----
        input              (m, 2)        0
        dense 1   W1, b1   (m, 5)        15          relu        he
        output 2  W2, b2   (m, 1)        6           sigmoid     he
        total: 21 parameters (168 bytes as float64); trainable: 21
        """
        print_fn = print if print_fn is None else print_fn
        for line in _summary_lines(self):
            print_fn(line)


def _summary_lines(net: Network) -> list[str]:
    """The lines of :meth:`Network.summary`."""
    dims, L = net.layer_dims, len(net.layer_dims) - 1
    rows = [["input", "", f"(m, {dims[0]})", "0", "", ""]]
    for l in range(1, L + 1):
        act = net.hidden[l - 1] if l < L else f"{net.output}"
        kind = "output" if l == L else "dense"
        rows.append([f"{kind} {l}", f"W{l}, b{l}", f"(m, {dims[l]})", f"{(dims[l - 1] + 1) * dims[l]:,}", act,
                     net.init.describe()])
    head = ["layer", "weights", "output shape", "parameters", "activation", "init"]
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(head)]
    fmt = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()  # noqa: E731
    seed = "" if net.seed is None else f" (seed {net.seed})"
    lines = [f"Network: {L} dense layer{'s' if L != 1 else ''}, {net.dtype.name}, init {net.init.describe()}{seed}", fmt(head),
             fmt(["-" * w for w in widths]), *(fmt(r) for r in rows),
             f"total: {net.n_params:,} parameters ({net.n_params * net.dtype.itemsize:,} bytes as {net.dtype.name}); "
             f"trainable: {net.n_params:,}"]
    if net.preprocessing is not None:
        prep = net.preprocessing.to_dict()
        lines.append("preprocessing: " + (f"scale x {prep['factor']:g}" if prep["kind"] == "scale" else
                                          f"standardize ({prep['n_features']} features)"))
    if net.class_names:
        shown = ", ".join(map(str, net.class_names[:20])) + (", ..." if len(net.class_names) > 20 else "")
        lines.append(f"classes: {shown}")
    return lines


def save(net: Network, path: Any) -> None:
    """Write ``net`` to a model file at ``path``, atomically (the same as ``net.save(path)``)."""
    if not isinstance(net, Network):
        raise check.fail_type("net", net, "a descentlab Network")
    net.save(path)


def load(path: Any, *, max_bytes: int = tensorfile.MAX_FILE_BYTES) -> Network:
    """Load a model file written by :func:`save` (or ``net.save``). Never executes code."""
    doc, arrays = modelfile.read(path, max_bytes=max_bytes)
    return Network.from_document(doc, arrays, str(path))
