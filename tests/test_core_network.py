"""Network.summary(): the Keras-style table of layers."""

from __future__ import annotations

from descentlab import Network, Standardize


def test_summary_lists_layers_shapes_parameters_activation_init_and_totals():
    import numpy as np
    net = Network([4, 5, 3, 2], hidden=["relu", "tanh"], output="softmax", init="xavier", seed=7, dtype="float32",
                  preprocessing=Standardize.fit(np.arange(8.0).reshape(2, 4)), class_names=["cat", "dog"])
    lines: list[str] = []
    assert net.summary(print_fn=lines.append) is None
    assert lines[0] == "Network: 3 dense layers, float32, init glorot_normal (seed 7)"
    assert lines[1].split() == ["layer", "weights", "output", "shape", "parameters", "activation", "init"]
    rows = [ln.split() for ln in lines[3:7]]
    assert rows[0] == ["input", "(m,", "4)", "0"]
    assert rows[1] == ["dense", "1", "W1,", "b1", "(m,", "5)", "25", "relu", "glorot_normal"]
    assert rows[2] == ["dense", "2", "W2,", "b2", "(m,", "3)", "18", "tanh", "glorot_normal"]
    assert rows[3] == ["output", "3", "W3,", "b3", "(m,", "2)", "8", "softmax", "glorot_normal"]
    assert lines[7] == "total: 51 parameters (204 bytes as float32); trainable: 51" and net.n_params == 51
    assert lines[8] == "preprocessing: standardize (4 features)" and lines[9] == "classes: cat, dog"


def test_summary_prints_by_default(capsys):
    Network([2, 1], seed=0).summary()
    out = capsys.readouterr().out
    assert out.startswith("Network: 1 dense layer,") and "total: 3 parameters" in out
