"""The Gradient Checking assignment's fixture, built exactly as its testCases.py builds it.

Source (repo @ commit : path): amanchadha/coursera-deep-learning-specialization @ 4033975275d62473d8f7ed7bcf4640ae2e9949bc :
C2 - Improving Deep Neural Networks Hyperparameter tuning, Regularization and Optimization/Week 1/Gradient Checking/testCases.py
(identical in the current edition: shivamaggarwal513/coursera-deep-learning-specialization @
3b8731ebb2fabcbb3a80991c339ec2aef1d9ec8c : c2-improving-deep-neural-networks/week-1/a3-gradient-checking/test_cases.py).
"""

from __future__ import annotations

import numpy as np


def gradient_check_n_test_case():
    np.random.seed(1)
    x = np.random.randn(4, 3)
    y = np.array([1, 1, 0])  # 1-D: it broadcasts against A3 (1, 3)
    W1 = np.random.randn(5, 4)
    b1 = np.random.randn(5, 1)
    W2 = np.random.randn(3, 5)
    b2 = np.random.randn(3, 1)
    W3 = np.random.randn(1, 3)
    b3 = np.random.randn(1, 1)
    parameters = {"W1": W1, "b1": b1, "W2": W2, "b2": b2, "W3": W3, "b3": b3}
    return x, y, parameters
