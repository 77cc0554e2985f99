"""Tests of descentlab.sklearn: DescentClassifier / DescentRegressor as scikit-learn estimators."""

from __future__ import annotations

import copy
import pickle
import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip("sklearn")

from sklearn.base import clone
from sklearn.datasets import load_iris, make_classification, make_moons
from sklearn.model_selection import GridSearchCV, KFold, StratifiedKFold, cross_val_score, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

import descentlab
from descentlab.errors import InputError, InputTypeError
from descentlab.sklearn import DescentClassifier, DescentRegressor, HyperparameterError

FAST = dict(hidden_layer_sizes=(8,), max_iter=100, learning_rate_init=0.01, random_state=0)


# --------------------------------------------------------------- check_estimator
@parametrize_with_checks([DescentClassifier(**FAST), DescentRegressor(**FAST)])
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


# ------------------------------------------------------------------- helpers
@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)


@pytest.fixture(scope="module")
def moons():
    X, y = make_moons(n_samples=300, noise=0.2, random_state=3)
    return train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)


@pytest.fixture(scope="module")
def wave():
    rng = np.random.default_rng(0)
    X = rng.uniform(-3, 3, size=(400, 1))
    y = np.sin(X[:, 0]) + 0.05 * rng.standard_normal(400)
    return X, y


def classifier(**kw):
    return DescentClassifier(**{"hidden_layer_sizes": (16,), "max_iter": 100, "learning_rate_init": 0.01, "batch_size": 64,
                                "random_state": 0, **kw})


# --------------------------------------------------------------- accuracy sanity
def test_iris_test_accuracy(iris):
    X_train, X_test, y_train, y_test = iris
    model = make_pipeline(StandardScaler(), classifier(max_iter=100)).fit(X_train, y_train)
    est = model[-1]
    assert est.network_.output == "softmax" and est.network_.layer_dims == (4, 16, 3)
    assert model.score(X_test, y_test) >= 0.9


def test_moons_test_accuracy(moons):
    X_train, X_test, y_train, y_test = moons
    est = DescentClassifier((32, 16), max_iter=150, learning_rate_init=0.01, random_state=1).fit(X_train, y_train)
    assert est.network_.output == "sigmoid" and est.network_.layer_dims == (2, 32, 16, 1)
    assert est.score(X_test, y_test) >= 0.9
    assert est.loss_curve_[-1] < 0.5 * est.loss_curve_[0]


def test_regressor_r2_on_a_sine(wave):
    X, y = wave
    est = DescentRegressor((32, 32), activation="tanh", max_iter=150, learning_rate_init=0.01, random_state=0).fit(X, y)
    assert est.network_.output == "linear" and est.n_outputs_ == 1
    pred = est.predict(X)
    assert pred.shape == (len(X),)
    assert est.score(X, y) >= 0.95


def test_regressor_several_targets(wave):
    X, y = wave
    Y = np.column_stack([y, 2 * X[:, 0]])
    est = DescentRegressor((16,), max_iter=80, learning_rate_init=0.01, random_state=0).fit(X, Y)
    assert est.n_outputs_ == 2 and est.network_.layer_dims == (1, 16, 2)
    assert est.predict(X).shape == (len(X), 2)
    assert est.score(X, Y) > 0.8
    one = DescentRegressor((4,), max_iter=3, random_state=0).fit(X, y.reshape(-1, 1))
    assert one.n_outputs_ == 1 and one.predict(X).shape == (len(X),)  # as MLPRegressor


def test_no_hidden_layer_is_logistic_regression(moons):
    X_train, X_test, y_train, y_test = moons
    est = classifier(hidden_layer_sizes=()).fit(X_train, y_train)
    assert est.network_.layer_dims == (2, 1)
    assert est.score(X_test, y_test) > 0.75  # linear boundary on moons: decent, not perfect


# ------------------------------------------------------------------- labels
@pytest.mark.parametrize("labels", [np.array(["cat", "dog", "eel"]), np.array([-1, 5, 7]), np.array([0.0, 2.0, 4.0])],
                         ids=["str", "int", "float"])
def test_arbitrary_class_labels(iris, labels):
    X_train, X_test, y_train, y_test = iris
    scaler = StandardScaler().fit(X_train)
    est = classifier().fit(scaler.transform(X_train), labels[y_train])
    np.testing.assert_array_equal(est.classes_, labels)
    pred = est.predict(scaler.transform(X_test))
    assert pred.dtype == labels.dtype and set(pred) <= set(labels)
    assert np.mean(pred == labels[y_test]) >= 0.9
    assert est.network_.class_names == [str(c) for c in labels]


def test_string_labels_binary_and_unsorted(moons):
    X_train, X_test, y_train, y_test = moons
    names = np.array(["yes", "no"])  # code 0 is "yes": classes_ must be sorted anyway
    est = classifier().fit(X_train, list(names[y_train]))
    assert list(est.classes_) == ["no", "yes"]
    assert np.mean(est.predict(X_test) == names[y_test]) >= 0.85


def test_binary_predict_proba_and_decision_function(moons):
    X_train, X_test, y_train, _ = moons
    est = classifier().fit(X_train, y_train)
    proba = est.predict_proba(X_test)
    assert proba.shape == (len(X_test), 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    assert ((proba >= 0) & (proba <= 1)).all()
    pred = est.predict(X_test)
    np.testing.assert_array_equal(est.classes_[proba.argmax(axis=1)], pred)
    z = est.decision_function(X_test)
    assert z.shape == (len(X_test),)
    np.testing.assert_array_equal(est.classes_[(z > 0).astype(int)], pred)
    np.testing.assert_allclose(proba[:, 1], est.network_.predict_proba(X_test), rtol=1e-12)
    np.testing.assert_allclose(np.exp(est.predict_log_proba(X_test)), proba, rtol=1e-10)


def test_multiclass_predict_proba(iris):
    X_train, X_test, y_train, _ = iris
    est = classifier().fit(X_train, y_train)
    proba = est.predict_proba(X_test)
    assert proba.shape == (len(X_test), 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-12)
    np.testing.assert_array_equal(est.predict(X_test), est.classes_[proba.argmax(axis=1)])
    assert est.decision_function(X_test).shape == (len(X_test), 3)


def test_one_class_is_a_clear_error():
    X = np.arange(20.0).reshape(10, 2)
    with pytest.raises(InputError, match=r"y: .*at least 2 classes.*one class \('a'\)"):
        classifier().fit(X, ["a"] * 10)


def test_predict_checks_the_number_of_features(iris):
    X_train, X_test, y_train, _ = iris
    est = classifier(max_iter=2).fit(X_train, y_train)
    assert est.n_features_in_ == 4 and not hasattr(est, "feature_names_in_")
    with pytest.raises(ValueError, match="4 features"):
        est.predict(X_test[:, :3])


@pytest.mark.parametrize("library", ["pandas", "polars"])
def test_feature_names_from_a_data_frame(library):
    lib = pytest.importorskip(library)
    X, y = make_classification(n_samples=60, n_features=3, n_informative=2, n_redundant=0, random_state=0)
    df = lib.DataFrame({"alpha": X[:, 0], "beta": X[:, 1], "gamma": X[:, 2]})
    est = classifier(max_iter=5).fit(df, y)
    assert list(est.feature_names_in_) == ["alpha", "beta", "gamma"]
    assert est.n_features_in_ == 3 and est.predict(df).shape == (60,)
    with pytest.raises(ValueError, match="feature names"):
        est.predict(df[["gamma", "beta", "alpha"]])


# ------------------------------------------------------------------- sklearn tools
def test_pipeline_and_cross_val_score(iris):
    X_train, _, y_train, _ = iris
    model = make_pipeline(StandardScaler(), classifier(max_iter=60))
    scores = cross_val_score(model, X_train, y_train, cv=StratifiedKFold(3, shuffle=True, random_state=0))
    assert scores.shape == (3,)
    assert scores.mean() >= 0.85


def test_grid_search_in_parallel_matches_serial(moons):
    X_train, X_test, y_train, y_test = moons
    grid = {"learning_rate_init": [0.001, 0.03], "alpha": [0.0, 1.0]}
    base = classifier(max_iter=40)
    cv = KFold(3, shuffle=True, random_state=0)
    par = GridSearchCV(base, grid, cv=cv, n_jobs=2, error_score="raise").fit(X_train, y_train)
    ser = GridSearchCV(base, grid, cv=cv, n_jobs=1, error_score="raise").fit(X_train, y_train)
    np.testing.assert_array_equal(par.cv_results_["mean_test_score"], ser.cv_results_["mean_test_score"])
    assert par.best_params_ == ser.best_params_
    assert par.best_params_["learning_rate_init"] == 0.03  # 40 epochs at 0.001 are too few on moons
    assert par.best_estimator_.n_iter_ == 40
    assert par.score(X_test, y_test) >= 0.85


def test_clone_and_params_round_trip():
    est = DescentClassifier((32, 16), activation=["relu", "tanh"], optimizer="momentum", beta=0.8,
                            learning_rate={"name": "inverse_time", "rate": 0.1}, keep_prob=[0.9, 1.0],
                            random_state=5, dtype="float32")
    params = est.get_params()
    assert params["hidden_layer_sizes"] == (32, 16) and params["beta"] == 0.8 and params["dtype"] == "float32"
    twin = clone(est)
    assert twin is not est and twin.get_params() == params
    assert twin.learning_rate == est.learning_rate and twin.learning_rate is not est.learning_rate
    twin.set_params(learning_rate_init=0.5, hidden_layer_sizes=(4,))
    assert twin.get_params()["learning_rate_init"] == 0.5 and twin.hidden_layer_sizes == (4,)
    assert est.learning_rate_init == 0.001  # the original is untouched
    assert DescentClassifier(**twin.get_params()).get_params() == twin.get_params()
    with pytest.raises(ValueError, match="Invalid parameter"):
        est.set_params(lr=0.1)


def test_constructor_stores_arguments_unchanged():
    odd = {"hidden_layer_sizes": [5, 3], "activation": "bogus", "learning_rate_init": -1, "max_iter": "many"}
    est = DescentRegressor(**odd)  # no validation in __init__ ...
    for key, value in odd.items():
        assert getattr(est, key) is value
    with pytest.raises(InputError):  # ... only at fit time
        est.fit(np.zeros((4, 1)), np.zeros(4))


# ---------------------------------------------------------------- reproducibility
def test_same_random_state_same_model(moons):
    X_train, X_test, y_train, _ = moons
    a = classifier(keep_prob=0.8, max_iter=20).fit(X_train, y_train)
    b = classifier(keep_prob=0.8, max_iter=20).fit(X_train, y_train)
    np.testing.assert_array_equal(a.network_.theta, b.network_.theta)
    np.testing.assert_array_equal(a.predict_proba(X_test), b.predict_proba(X_test))
    assert a.loss_curve_ == b.loss_curve_
    c = classifier(keep_prob=0.8, max_iter=20, random_state=1).fit(X_train, y_train)
    assert not np.array_equal(a.network_.theta, c.network_.theta)
    # refitting the same estimator gives the same model again
    a.fit(X_train, y_train)
    np.testing.assert_array_equal(a.network_.theta, b.network_.theta)


def test_random_state_instances_and_none_leave_global_state_alone(moons):
    X_train, _, y_train, _ = moons
    before = np.random.get_state(legacy=False)
    a = classifier(max_iter=5, random_state=np.random.RandomState(3)).fit(X_train, y_train)
    b = classifier(max_iter=5, random_state=np.random.RandomState(3)).fit(X_train, y_train)
    np.testing.assert_array_equal(a.network_.theta, b.network_.theta)
    g = classifier(max_iter=5, random_state=np.random.default_rng(3)).fit(X_train, y_train)
    n1 = classifier(max_iter=5, random_state=None).fit(X_train, y_train)
    n2 = classifier(max_iter=5, random_state=None).fit(X_train, y_train)
    assert not np.array_equal(n1.network_.theta, n2.network_.theta)
    assert n1.network_.seed is not None and n1.history_.seed is not None  # recorded, so repeatable
    assert g.n_iter_ == 5
    after = np.random.get_state(legacy=False)
    assert after["state"]["pos"] == before["state"]["pos"]
    np.testing.assert_array_equal(after["state"]["key"], before["state"]["key"])
    # a shared RandomState is drawn from, so successive fits differ (scikit-learn's convention)
    shared = np.random.RandomState(3)
    c = classifier(max_iter=5, random_state=shared).fit(X_train, y_train)
    d = clone(c).set_params(random_state=shared).fit(X_train, y_train)
    np.testing.assert_array_equal(c.network_.theta, a.network_.theta)
    assert not np.array_equal(c.network_.theta, d.network_.theta)


# ---------------------------------------------------------------- fitted attributes
def test_loss_curve_and_history(iris):
    X_train, _, y_train, _ = iris
    est = classifier(max_iter=17, learning_rate={"name": "inverse_time", "rate": 0.5}).fit(X_train, y_train)
    assert est.n_iter_ == 17 == len(est.loss_curve_) == len(est.history_)
    assert est.loss_curve_ == est.history_["cost"]
    assert all(isinstance(c, float) for c in est.loss_curve_)
    assert est.validation_loss_curve_ is None and est.best_epoch_ is None
    lrs = est.history_["lr"]
    assert lrs[0] == pytest.approx(0.01) and lrs[2] == pytest.approx(0.01 / 2)
    assert isinstance(est.network_, descentlab.Network) and isinstance(est.history_, descentlab.History)
    assert est.network_.info["training"]["epochs"] == 17


def test_early_stopping_reduces_n_iter():
    X, y = make_classification(n_samples=200, n_features=20, n_informative=3, random_state=0)
    kw = dict(hidden_layer_sizes=(64,), max_iter=300, learning_rate_init=0.01, random_state=0)
    full = DescentClassifier(**kw, n_iter_no_change=300).fit(X, y)  # never more than 300 epochs without improving
    early = DescentClassifier(**kw, early_stopping=True, n_iter_no_change=5, validation_fraction=0.2).fit(X, y)
    assert full.n_iter_ == 300
    assert early.n_iter_ < 300
    assert len(early.loss_curve_) == early.n_iter_ == len(early.validation_loss_curve_)
    assert early.best_epoch_ == early.n_iter_ - 1 - 6  # n_iter_no_change 5: the 6th epoch without improvement stops
    assert early.validation_loss_curve_[early.best_epoch_] == min(early.validation_loss_curve_)
    assert "early stopping" in early.history_.stop_reason


def test_early_stopping_with_tiny_classes_falls_back_to_a_plain_split():
    X = np.arange(24.0).reshape(12, 2)
    y = np.array([0] * 10 + [1, 2])  # classes 1 and 2 cannot be stratified
    est = classifier(max_iter=3, early_stopping=True, validation_fraction=0.25).fit(X, y)
    assert est.n_iter_ <= 3 and list(est.classes_) == [0, 1, 2]


def test_float32_networks(iris):
    X_train, X_test, y_train, _ = iris
    est = classifier(dtype="float32", max_iter=10).fit(X_train, y_train)
    assert est.network_.dtype == np.float32
    assert est.predict_proba(X_test).shape == (len(X_test), 3)


def test_batch_size_larger_than_the_data_is_full_batch_without_warning(moons):
    X_train, _, y_train, _ = moons
    est = classifier(batch_size=10_000, max_iter=3).fit(X_train, y_train)  # warnings are errors in this suite
    assert est.history_.config["batch_size"] == len(X_train)
    full = classifier(batch_size=None, max_iter=3).fit(X_train, y_train)
    # the same full-batch steps; only the summation order of the examples may differ (last-bit differences)
    np.testing.assert_allclose(est.network_.theta, full.network_.theta, rtol=1e-12, atol=1e-14)


# ------------------------------------------------------------------- pickling
@pytest.mark.parametrize("make", [lambda: classifier(max_iter=10), lambda: DescentRegressor((8,), max_iter=10, random_state=0)],
                         ids=["classifier", "regressor"])
def test_pickle_round_trip(moons, make):
    X_train, X_test, y_train, _ = moons
    est = make().fit(X_train, y_train)
    back = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(back.predict(X_test), est.predict(X_test))
    np.testing.assert_array_equal(back.network_.theta, est.network_.theta)
    assert back.loss_curve_ == est.loss_curve_ and back.get_params() == est.get_params()
    assert back.network_.seed == est.network_.seed and back.network_.init == est.network_.init
    # the named views still share the one parameter buffer (plain pickling would copy them apart)
    net = back.network_
    assert np.shares_memory(net.params["W1"], net.theta)
    net.params["b1"][...] += 1.0
    assert not np.array_equal(back.network_.forward(X_test), est.network_.forward(X_test))
    deep = copy.deepcopy(est)
    assert np.shares_memory(deep.network_.params["W2"], deep.network_.theta)
    np.testing.assert_array_equal(deep.predict(X_test), est.predict(X_test))


def test_unpickled_network_trains_on(moons):
    X_train, _, y_train, _ = moons
    est = classifier(max_iter=2, learning_rate_init=0.001).fit(X_train, y_train)
    net = pickle.loads(pickle.dumps(est)).network_
    before = net.cost(X_train, y_train).total
    descentlab.fit(net, X_train, y_train, lr=0.01, epochs=30, seed=0, verbose=0)
    assert net.cost(X_train, y_train).total < 0.8 * before


# ------------------------------------------------------------------- errors
BAD = [
    ("learning_rate_init", -1.0, "learning_rate_init: expected a finite number in (0.0, inf]"),
    ("learning_rate_init", "fast", "learning_rate_init: expected a real number, received 'fast'"),
    ("learning_rate", 0.01, "learning_rate: expected a schedule name ('constant', 'invscaling', 'adaptive'"),
    ("max_iter", 0, "max_iter: expected an integer in [1, inf], received 0"),
    ("max_iter", 2.5, "max_iter: expected an integer"),
    ("batch_size", "big", "batch_size: expected an integer"),
    ("tol", -1, "tol: expected a finite number in [0.0, inf], received -1"),
    ("n_iter_no_change", 0, "n_iter_no_change: expected an integer in [1, inf], received 0"),
    ("shuffle", "yes", "shuffle: expected True or False, received 'yes'"),
    ("power_t", -0.5, "power_t: expected a finite number in [0.0, inf]"),
    ("batch_size", 0, "batch_size: expected an integer in [1, inf], received 0"),
    ("alpha", -0.1, "alpha: expected a finite number in [0.0, inf], received -0.1"),
    ("keep_prob", 0.0, "keep_prob: expected a finite number in (0.0, 1.0]"),
    ("keep_prob", [0.5, 0.5], "keep_prob: expected a number or a list of 1 numbers"),
    ("hidden_layer_sizes", (10, 0), "hidden_layer_sizes: expected a positive integer or a sequence"),
    ("hidden_layer_sizes", "10", "hidden_layer_sizes: expected a positive integer or a sequence"),
    ("activation", "relux", "activation: expected one of ['leaky_relu', 'relu', 'sigmoid', 'tanh'], received 'relux'"),
    ("activation", ["relu", "tanh"], "activation: expected one of"),
    ("init", "bogus", "init: expected one of"),
    ("optimizer", "sgdx", "optimizer: expected one of"),
    ("optimizer", None, "optimizer: expected an optimizer name"),
    ("beta_1", 1.5, "beta_1: expected a finite number in [0.0, 1.0), received 1.5"),
    ("beta", 0.9, "beta: expected no beta for adam"),
    ("epsilon", -1e-8, "epsilon: expected a finite number in [0.0, inf]"),
    ("learning_rate", "bogus", "learning_rate: expected one of"),
    ("learning_rate", {"name": "inverse_time", "rate": -1}, "learning_rate['rate']: expected a finite number in [0.0, inf], received -1"),
    ("learning_rate", {"name": "staircase", "speed": 2}, "learning_rate['speed']: expected one of the staircase parameters"),
    ("validation_fraction", 1.0, "validation_fraction: expected a finite number in (0.0, 1.0), received 1.0"),

    ("early_stopping", "yes", "early_stopping: expected True or False, received 'yes'"),
    ("random_state", -1, "random_state: expected None, an integer in [0, 2**32)"),
    ("random_state", "seed", "random_state: expected None, an integer"),
    ("verbose", -1, "verbose: expected an integer in [0, inf], received -1"),
    ("dtype", "float16", "dtype: expected 'float64' or 'float32', received 'float16'"),
]


@pytest.mark.parametrize("name, value, message", BAD, ids=[f"{n}={v!r}" for n, v, _ in BAD])
@pytest.mark.parametrize("cls", [DescentClassifier, DescentRegressor])
def test_bad_hyperparameters_are_clear_errors_at_fit(cls, name, value, message):
    est = cls(hidden_layer_sizes=(3,), max_iter=2).set_params(**{name: value})
    X, y = np.arange(12.0).reshape(6, 2), np.array([0, 1, 0, 1, 0, 1])
    with pytest.raises(InputError) as info:
        est.fit(X, y)
    text = str(info.value)
    assert text.startswith(message), text
    assert "\n" not in text
    assert isinstance(info.value, HyperparameterError)
    assert isinstance(info.value, ValueError) and isinstance(info.value, TypeError)
    assert isinstance(info.value, InputTypeError)
    assert not hasattr(est, "network_")


def test_optimizer_hyperparameters_reach_the_optimizer(moons):
    X_train, _, y_train, _ = moons
    est = classifier(optimizer="adam", beta_1=0.8, beta_2=0.99, epsilon=1e-6, max_iter=2).fit(X_train, y_train)
    opt = est.history_.config["optimizer"]
    assert opt == {"name": "adam", "lr": 0.01, "beta1": 0.8, "beta2": 0.99, "epsilon": 1e-6}
    est = classifier(optimizer="momentum", beta=0.5, max_iter=2).fit(X_train, y_train)
    assert est.history_.config["optimizer"]["beta"] == 0.5
    est = classifier(activation="logistic", max_iter=2).fit(X_train, y_train)  # scikit-learn's name for sigmoid
    assert est.network_.hidden == ("sigmoid",)


def test_unfitted_estimator_raises_not_fitted():
    from sklearn.exceptions import NotFittedError
    with pytest.raises(NotFittedError):
        DescentClassifier().predict(np.zeros((2, 2)))


def test_module_docstring_example():
    import doctest

    import descentlab.sklearn as module
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 5 and result.failed == 0


def test_import_descentlab_does_not_import_sklearn():
    code = "import sys, descentlab; assert 'sklearn' not in sys.modules; import descentlab.sklearn; assert 'sklearn' in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


# ------------------------------------------------------- MLPClassifier's dialect
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_mlp_classifier_and_descent_classifier_swap_in_one_grid(moons):
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import Pipeline
    X_train, X_test, y_train, y_test = moons
    pipe = Pipeline([("scale", StandardScaler()), ("clf", MLPClassifier())])
    grid = {"clf": [MLPClassifier(random_state=0), DescentClassifier(random_state=0)],
            "clf__hidden_layer_sizes": [(16,)], "clf__activation": ["relu", "tanh"], "clf__alpha": [1e-4, 1e-2],
            "clf__batch_size": ["auto", 32], "clf__learning_rate": ["constant"], "clf__learning_rate_init": [0.01],
            "clf__max_iter": [60], "clf__tol": [1e-4], "clf__n_iter_no_change": [10], "clf__early_stopping": [False],
            "clf__validation_fraction": [0.1], "clf__shuffle": [True]}
    search = GridSearchCV(pipe, grid, cv=3, error_score="raise").fit(X_train, y_train)
    kinds = {type(p["clf"]).__name__ for p in search.cv_results_["params"]}
    assert kinds == {"MLPClassifier", "DescentClassifier"} and len(search.cv_results_["params"]) == 16
    scores = dict(zip([(type(p["clf"]).__name__, p["clf__activation"], p["clf__alpha"], p["clf__batch_size"])
                       for p in search.cv_results_["params"]], search.cv_results_["mean_test_score"]))
    ours = [v for k, v in scores.items() if k[0] == "DescentClassifier"]
    theirs = [v for k, v in scores.items() if k[0] == "MLPClassifier"]
    assert min(ours) > 0.8 and min(theirs) > 0.8  # the same settings mean comparable models
    assert search.score(X_test, y_test) > 0.85


def test_alpha_has_mlp_classifier_meaning_one_sgd_epoch_step_for_step(moons):
    from sklearn.neural_network import MLPClassifier
    X, y = moons[0][:90], moons[2][:90]
    alpha, lr, B = 0.5, 0.1, 30
    est = DescentClassifier((4,), alpha=alpha, batch_size=B, optimizer="gd", learning_rate_init=lr, max_iter=1,
                            shuffle=False, random_state=0).fit(X, y)
    l2 = est.history_.config["l2"]
    assert l2 == pytest.approx(alpha * len(X) / B)
    mlp = MLPClassifier((4,), solver="sgd", momentum=0.0, alpha=alpha, batch_size=B, learning_rate_init=lr,
                        shuffle=False, random_state=0)
    mlp.partial_fit(X, y, classes=[0, 1])  # any starting point: copy it into a descentlab network
    net = descentlab.Network([2, 4, 1], seed=0)
    for l, (W, b) in enumerate(zip(mlp.coefs_, mlp.intercepts_), start=1):
        net.params[f"W{l}"][...] = W.T
        net.params[f"b{l}"][...] = b
    mlp.partial_fit(X, y)
    descentlab.fit(net, X, y, optimizer="gd", lr=lr, batch_size=B, l2=l2, shuffle="none", epochs=1, verbose=0)
    for l, (W, b) in enumerate(zip(mlp.coefs_, mlp.intercepts_), start=1):
        np.testing.assert_allclose(net.params[f"W{l}"], W.T, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(net.params[f"b{l}"], b, rtol=1e-10, atol=1e-12)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("early_stopping", [False, True])
def test_tol_and_n_iter_no_change_stop_where_mlp_classifier_stops(moons, early_stopping):
    from sklearn.neural_network import MLPClassifier
    X_train, _, y_train, _ = moons
    kw = dict(hidden_layer_sizes=(8,), tol=10.0, n_iter_no_change=3, max_iter=50, random_state=0,
              early_stopping=early_stopping)  # tol 10: no epoch counts as an improvement
    ours = DescentClassifier(**kw).fit(X_train, y_train)
    theirs = MLPClassifier(**kw).fit(X_train, y_train)
    assert ours.n_iter_ == theirs.n_iter_ == 5
    assert "did not improve by more than tol=10 for 3 consecutive epochs" in ours.history_.stop_reason


def test_learning_rate_schedules_of_mlp_classifier(moons):
    X_train, _, y_train, _ = moons
    m = len(X_train)
    inv = classifier(optimizer="gd", learning_rate="invscaling", power_t=0.5, learning_rate_init=0.5,
                     max_iter=4).fit(X_train, y_train)
    assert inv.history_["lr"] == pytest.approx([0.5 / (e * m + 1) ** 0.5 for e in range(4)])
    ada = classifier(optimizer="gd", learning_rate="adaptive", tol=10.0, n_iter_no_change=2, learning_rate_init=0.5,
                     max_iter=8).fit(X_train, y_train)
    assert ada.n_iter_ == 8 and ada.history_["lr"] == pytest.approx([0.5] * 4 + [0.1] * 3 + [0.02])
    adam = classifier(learning_rate="invscaling", max_iter=3).fit(X_train, y_train)  # ignored by adam, as in MLP
    assert set(adam.history_["lr"]) == {0.01}


def test_fitted_attributes_of_mlp_classifier(moons):
    X_train, X_test, y_train, _ = moons
    est = classifier(hidden_layer_sizes=(5, 3), max_iter=5).fit(X_train, y_train)
    assert [c.shape for c in est.coefs_] == [(2, 5), (5, 3), (3, 1)]
    assert [b.shape for b in est.intercepts_] == [(5,), (3,), (1,)]
    z = np.maximum(np.maximum(X_test @ est.coefs_[0] + est.intercepts_[0], 0) @ est.coefs_[1] + est.intercepts_[1], 0)
    np.testing.assert_allclose((z @ est.coefs_[2] + est.intercepts_[2])[:, 0], est.decision_function(X_test))
    assert est.n_layers_ == 4 and est.out_activation_ == "logistic" and est.t_ == 5 * len(X_train)
    assert est.loss_ == est.loss_curve_[-1] and est.best_loss_ == min(est.loss_curve_)


def test_import_without_scikit_learn_names_the_extra():
    code = ("import sys, importlib.abc\n"
            "class Block(importlib.abc.MetaPathFinder):\n"
            "    def find_spec(self, name, path, target=None):\n"
            "        if name == 'sklearn' or name.startswith('sklearn.'):\n"
            "            raise ModuleNotFoundError(\"No module named 'sklearn'\", name='sklearn')\n"
            "sys.meta_path.insert(0, Block())\n"
            "try:\n"
            "    import descentlab.sklearn\n"
            "except ImportError as exc:\n"
            "    print(type(exc).__name__, '|', exc)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.count("\n") == 1 and out.startswith("MissingExtraError |")
    assert "scikit-learn" in out and "pip install 'descentlab[sklearn]'" in out


def test_make_demo_installs_scikit_learn():
    """The README's scikit-learn example runs after `make demo`: the demo install brings the sklearn extra."""
    import re
    import tomllib
    from pathlib import Path
    root = Path(__file__).resolve().parents[1]
    makefile = (root / "Makefile").read_text()
    recipe = makefile.split("$(VENV)/.installed-demo:", 1)[1].split("\n\n", 1)[0]
    (extras,) = re.findall(r"pip install [^\n]*-e '\.\[([\w,-]+)\]'", recipe)
    table = tomllib.loads((root / "pyproject.toml").read_text())["project"]["optional-dependencies"]

    def requirements(names):
        out = []
        for name in names:
            for req in table[name]:
                inner = re.fullmatch(r"descentlab\[([\w,-]+)\]", req)
                out += requirements(inner.group(1).split(",")) if inner else [req]
        return out

    reqs = requirements(extras.split(","))
    assert any(r.startswith("scikit-learn") for r in reqs) and any(r.startswith("tensorflow") for r in reqs)


def test_the_readme_scikit_learn_example_runs(capsys):
    """The README's example uses MLPClassifier's names; run it as a user would copy it."""
    import re
    from pathlib import Path
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    (block,) = [b for b in re.findall(r"```python\n(.*?)```", readme, re.S) if "GridSearchCV(DescentClassifier" in b]
    exec(compile(block.replace("n_jobs=2", "n_jobs=1"), "README.md", "exec"), {})
    assert "'learning_rate_init'" in capsys.readouterr().out
