"""experiments.space: the [space] table, its checks, grids and draws on each hyperparameter's own scale."""

from __future__ import annotations

import math

import numpy as np
import optuna
import pytest

from descentlab.errors import InputError
from descentlab.experiments.space import grid, grid_size, parse_dimension, parse_space, points_for, sample

optuna.logging.set_verbosity(optuna.logging.WARNING)


@pytest.mark.parametrize("key, spec, named, says", [
    ("lr", {"normal": [0, 1]}, "space.lr.normal", "a distribution"),
    ("lr", {"log_uniform": [0.1, 0.1]}, "space.lr.log_uniform", "non-empty range"),
    ("lr", {"uniform": [0.5, 0.1]}, "space.lr.uniform", "non-empty range"),
    ("lr", {"log_uniform": [0.0, 0.1]}, "space.lr.log_uniform", "cannot reach 0"),
    ("l2", {"log_uniform": [-1.0, 1.0]}, "space.l2.log_uniform", "cannot reach 0"),
    ("beta", {"one_minus_log_uniform": [0.9, 1.0]}, "space.beta.one_minus_log_uniform", "cannot reach 0"),
    ("width", {"int": [2, 10]}, "space.width", "a known hyperparameter"),
    ("seed", {"int": [0, 10]}, "space.seed", "not a hyperparameter"),
    ("lr", {"choice": [0.1, "fast"]}, "space.lr.choice[1]", "values of lr"),
    ("batch_size", {"choice": [32, [64]]}, "space.batch_size.choice[1]", "values of batch_size"),
    ("layers", {"choice": [[2, 10, 1], 5]}, "space.layers.choice[1]", "values of layers"),
    ("optimizer", {"choice": ["adam", "Adam"]}, "space.optimizer.choice[1]", "differ"),
    ("lr", {"choice": []}, "space.lr.choice", "non-empty list"),
    ("lr", {"log_uniform": [1e-3, 1e-1], "uniform": [0, 1]}, "space.lr", "exactly one distribution"),
    ("lr", {"log_uniform": [1e-3, 1e-1], "grid": 1}, "space.lr.grid", "an integer in [2"),
    ("lr", [1e-3, 1e-1], "space.lr", "a table with one distribution"),
    ("keep_prob", {"uniform": [0.5, 1.5]}, "space.keep_prob.uniform", "values of keep_prob"),
    ("epochs", {"int": [10.5, 20]}, "space.epochs.int", "integers"),
    ("epochs", {"int": [10, 100], "step": 7}, "space.epochs.step", "divides"),
    ("batch_size", {"uniform": [16, 64]}, "space.batch_size.uniform", "values of batch_size"),
])
def test_a_bad_dimension_names_its_key(key, spec, named, says):
    with pytest.raises(InputError) as err:
        parse_space({key: spec})
    message = str(err.value)
    assert message.startswith(named + ":"), message
    assert says in message and "\n" not in message


def test_the_issue_example_space_parses():
    space = parse_space({
        "lr": {"log_uniform": [1e-4, 1e-1]},
        "beta": {"one_minus_log_uniform": [0.9, 0.999]},
        "l2": {"log_uniform": [1e-3, 10.0]},
        "keep_prob": {"uniform": [0.5, 1.0]},
        "layers": {"choice": [[2, 10, 1], [2, 20, 3, 1], [2, 40, 20, 1]]},
        "batch_size": {"choice": [32, 64, 128, "full"]},
        "optimizer": {"choice": ["momentum", "adam"]},
    })
    assert [d.scale for d in space] == ["log", "one_minus_log", "log", "linear", "categorical", "categorical",
                                        "categorical"]
    assert space[1].param == "one_minus_beta" and space[1].param_range() == (0.001, 0.1)


def test_grids_are_even_on_each_scale():
    lr = parse_dimension("lr", {"log_uniform": [1e-4, 1e-1]}, "lr")
    assert lr.grid_values(4) == [1e-4, 1e-3, 1e-2, 1e-1]
    beta = parse_dimension("beta", {"one_minus_log_uniform": [0.9, 0.999], "grid": 3}, "beta")
    assert beta.grid_values() == [0.001, 0.01, 0.1]            # 1 - beta
    assert [beta.decode(v) for v in beta.grid_values()] == [0.999, 0.99, 0.9]
    kp = parse_dimension("keep_prob", {"uniform": [0.5, 1.0]}, "kp")
    assert kp.grid_values(3) == [0.5, 0.75, 1.0]
    width = parse_dimension("epochs", {"log_int": [10, 1000]}, "e")
    assert width.grid_values(3) == [10, 100, 1000]
    layers = parse_dimension("layers", {"choice": [[2, 4, 1], [2, 8, 1]]}, "l")
    assert layers.grid_values(9) == ["[2, 4, 1]", "[2, 8, 1]"]
    assert [layers.decode(v) for v in layers.grid_values()] == [[2, 4, 1], [2, 8, 1]]


def test_points_for_fits_the_grid_in_the_trials():
    space = parse_space({"lr": {"log_uniform": [1e-4, 1.0]}, "epsilon": {"log_uniform": [1e-10, 1e-6]},
                         "batch_size": {"choice": [32, 64]}})
    n = points_for(space, 50)
    assert n == 5 and grid_size(space, n) == 50
    assert points_for(space, 3) == 2  # at least 2 points a dimension
    fixed = parse_space({"lr": {"log_uniform": [1e-4, 1.0], "grid": 7}})
    assert grid_size(fixed, points_for(fixed, 3)) == 7
    assert set(grid(space, n)) == {"lr", "epsilon", "batch_size"}


def _draws(space_table, n=4000, seed=0):
    space = parse_space(space_table)
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=seed))
    return [sample(space, study.ask()) for _ in range(n)]


def test_log_uniform_gives_every_decade_the_same_share():
    lr = np.array([d["lr"] for d in _draws({"lr": {"log_uniform": [1e-4, 1.0]}})])
    share = np.histogram(np.log10(lr), bins=4, range=(-4, 0))[0] / len(lr)
    assert np.all(np.abs(share - 0.25) < 0.03), share   # uniform would put 90% in [0.1, 1]
    assert lr.min() >= 1e-4 and lr.max() <= 1.0


def test_one_minus_log_uniform_gives_every_decade_of_one_minus_beta_the_same_share():
    beta = np.array([d["beta"] for d in _draws({"beta": {"one_minus_log_uniform": [0.9, 0.999]}})])
    assert beta.min() >= 0.9 and beta.max() <= 0.999
    share = np.histogram(np.log10(1 - beta), bins=2, range=(-3, -1))[0] / len(beta)
    assert np.all(np.abs(share - 0.5) < 0.03), share     # as many in [0.99, 0.999] as in [0.9, 0.99]
    assert np.mean(beta > 0.99) == pytest.approx(0.5, abs=0.03)


def test_choices_come_back_as_the_values_written():
    draws = _draws({"layers": {"choice": [[2, 4, 1], [2, 8, 3, 1]]}, "batch_size": {"choice": [32, "full"]}}, n=200)
    assert {tuple(d["layers"]) for d in draws} == {(2, 4, 1), (2, 8, 3, 1)}
    assert {d["batch_size"] for d in draws} == {32, "full"}


def test_int_and_step():
    draws = _draws({"epochs": {"int": [100, 500], "step": 100}}, n=200)
    assert {d["epochs"] for d in draws} == {100, 200, 300, 400, 500}
    assert all(isinstance(d["epochs"], int) for d in draws)
    assert math.isclose(np.mean([d["epochs"] for d in draws]), 300, rel_tol=0.1)
