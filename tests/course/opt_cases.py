"""The Optimization assignment's fixtures, built exactly as its testCases.py builds them (np.random.seed(1), then the
course's draws in the course's order, and the hard-coded zero dicts).

Revision A (the older edition's testCases.py, also used by the current edition's first public_tests.py):
  amanchadha/coursera-deep-learning-specialization @ 835e099dfeb8b63caeabe25311ae400b0590a4a1 :
  C2 - Improving Deep Neural Networks Hyperparameter tuning, Regularization and Optimization/Week 2/testCases.py
  (LuisAngelMendozaVelasco/Deep_Learning_Specialization @ e9dd44cd1b5b56a88cb2c67b4a5f37fb2a38a30a :
  Improving_Deep_Neural_Networks-Hyperparameter_Tuning_Regularization_and_Optimization/Week2/Labs/testCases.py is the same
  file): W2 is (3, 3), so the layers do not chain; the Adam case returns 4 values.
Revision B (the current edition's later testCases.py):
  shivamaggarwal513/coursera-deep-learning-specialization @ ded9d4c0a0f755e277c9c805374f8b339f6743dd :
  c2-improving-deep-neural-networks/week-2/a1-optimization-algorithms/test_cases.py
  W2 is (3, 2); the velocity case draws W1 (3, 2); the Adam case returns 9 values (its numbers set inside).
"""

from __future__ import annotations

import numpy as np

W2_SHAPE = {"A": (3, 3), "B": (3, 2)}


def update_parameters_with_gd_test_case(rev="A"):
    np.random.seed(1)
    learning_rate = 0.01
    W1 = np.random.randn(2, 3)
    b1 = np.random.randn(2, 1)
    W2 = np.random.randn(*W2_SHAPE[rev])
    b2 = np.random.randn(3, 1)
    dW1 = np.random.randn(2, 3)
    db1 = np.random.randn(2, 1)
    dW2 = np.random.randn(*W2_SHAPE[rev])
    db2 = np.random.randn(3, 1)
    parameters = {"W1": W1, "b1": b1, "W2": W2, "b2": b2}
    grads = {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}
    return parameters, grads, learning_rate


def random_mini_batches_test_case():
    np.random.seed(1)
    mini_batch_size = 64
    X = np.random.randn(12288, 148)
    Y = np.random.randn(1, 148) < 0.5
    return X, Y, mini_batch_size


def initialize_velocity_test_case(rev="A"):
    np.random.seed(1)
    if rev == "A":
        W1, b1, W2, b2 = np.random.randn(2, 3), np.random.randn(2, 1), np.random.randn(3, 3), np.random.randn(3, 1)
    else:
        W1, b1, W2, b2 = np.random.randn(3, 2), np.random.randn(3, 1), np.random.randn(3, 3), np.random.randn(3, 1)
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}


def update_parameters_with_momentum_test_case(rev="A"):
    parameters, grads, _ = update_parameters_with_gd_test_case(rev)  # the same seed and the same 8 draws
    v = {"dW1": np.array([[0., 0., 0.], [0., 0., 0.]]), "dW2": np.zeros(W2_SHAPE[rev]),
         "db1": np.array([[0.], [0.]]), "db2": np.array([[0.], [0.], [0.]])}
    return parameters, grads, v


def initialize_adam_test_case(rev="A"):
    np.random.seed(1)
    W1 = np.random.randn(2, 3)
    b1 = np.random.randn(2, 1)
    W2 = np.random.randn(*W2_SHAPE[rev])
    b2 = np.random.randn(3, 1)
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}


def update_parameters_with_adam_test_case(rev="A", nine_values=None):
    """Revision A: (parameters, grads, v, s); revisions A' (W2 (3, 3)) and B: (..., t, learning_rate, beta1, beta2, epsilon)."""
    np.random.seed(1)
    v, s = ({"dW1": np.zeros((2, 3)), "dW2": np.zeros(W2_SHAPE[rev]), "db1": np.zeros((2, 1)), "db2": np.zeros((3, 1))}
            for _ in range(2))
    W1 = np.random.randn(2, 3)
    b1 = np.random.randn(2, 1)
    W2 = np.random.randn(*W2_SHAPE[rev])
    b2 = np.random.randn(3, 1)
    dW1 = np.random.randn(2, 3)
    db1 = np.random.randn(2, 1)
    dW2 = np.random.randn(*W2_SHAPE[rev])
    db2 = np.random.randn(3, 1)
    parameters = {"W1": W1, "b1": b1, "W2": W2, "b2": b2}
    grads = {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}
    if not (nine_values if nine_values is not None else rev == "B"):
        return parameters, grads, v, s
    t, learning_rate, beta1, beta2, epsilon = 2, 0.02, 0.8, 0.888, 1e-2
    return parameters, grads, v, s, t, learning_rate, beta1, beta2, epsilon
