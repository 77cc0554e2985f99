"""The course's own code: "Improving Deep Neural Networks" (deeplearning.ai, Course 2), every edition.

Each module reproduces one notebook and its helper files (``init_utils.py``, ``reg_utils.py``,
``gc_utils.py``, ``opt_utils*.py``, ``tf_utils.py``): the course's names, signatures, layout (``X`` of
shape (n_x, m), one example per column; ``Y`` (1, m); parameters ``{"W1": (n_1, n_0), "b1": (n_1, 1),
...}``), return values, printed lines and numbers. A learner can call them exactly as the notebook and
its tests do and get the notebook's output.

=======================================  ==========================================================
module                                   notebook
=======================================  ==========================================================
``course.initialization``                ``Initialization.ipynb`` (2017-2020)
``course.regularization``                ``Regularization.ipynb`` / ``Regularization_v2a.ipynb``
``course.gradient_checking``             ``Gradient Checking.ipynb`` / ``Gradient Checking v1.ipynb``
``course.optimization``                  ``Optimization_methods_v1a/v1b.ipynb`` (2019-2020)
``course.tensorflow_intro``              ``TensorFlow_Tutorial_v3b.ipynb`` (TensorFlow 1, 2019-2020)
``course.v2017.optimization``            ``Optimization methods.ipynb`` (2017)
``course.v2017.tensorflow_intro``        ``Tensorflow Tutorial.ipynb`` (TensorFlow 1, 2017)
``course.current.initialization``        ``W1A1/Initialization.ipynb`` (2021+)
``course.current.regularization``        ``W1A2/Regularization.ipynb`` (2021+)
``course.current.gradient_checking``     ``W1A3/Gradient_Checking.ipynb`` (2021+)
``course.current.optimization``          ``W2A1/Optimization_methods.ipynb`` (2021+)
``course.current.tensorflow_intro``      ``W3A1/Tensorflow_introduction.ipynb`` (TensorFlow 2, 2021+)
=======================================  ==========================================================

The modules directly under ``descentlab.course`` are the older edition, the one descentlab is built
from (TensorFlow 1, run on TensorFlow 2 through ``tf.compat.v1`` in graphs of their own, so both
TensorFlow editions work in one process); ``current`` holds the current edition and ``v2017`` the two
notebooks of the first release whose printed output differs.

This is the course's code, reproduced as is, including its numerical weaknesses, because its
purpose is to show what the course printed: costs are computed from probabilities
``1 / (1 + np.exp(-z))`` (so the random x10 initialization prints ``Cost after iteration 0: inf``),
the dropout forward pass calls ``np.random.seed(1)`` on entry (so its model trains with one fixed
mask: train 0.9289 / test 0.95), and ``gradient_check_n`` perturbs one coordinate at a time with
costs from probabilities (1.19e-7 on a correct backward pass). The corrected behaviour lives in
descentlab's core (costs from logits, fresh dropout masks, :func:`~descentlab.check_gradients`), and
the ``initialization``, ``regularization`` and ``gradient-checking`` experiments show both side by side.

Randomness: every ``np.random.seed(s)`` of the course is a private ``np.random.RandomState(s)`` with
the same draws; NumPy's global random state is never read or changed. The course's functions check
what their own arithmetic needs (keys and shapes that must match, X with one example per column) and
say in one line which argument is wrong; the update functions accept any dicts of matching keys and
shapes, as the course's per-key updates do.

Import a module explicitly, e.g. ``from descentlab.course import optimization``; nothing is
imported here, so ``import descentlab.course`` stays light (the TensorFlow modules import TensorFlow).
"""
