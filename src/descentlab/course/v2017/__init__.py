"""The course's first release (2017): the two notebooks whose printed output differs from the 2019-2020
revisions that :mod:`descentlab.course` reproduces.

==================================  =========================================================
module                              notebook (2017)
==================================  =========================================================
``v2017.optimization``              ``Optimization methods.ipynb`` with ``opt_utils.py``
                                    (prints the last mini-batch's mean cost)
``v2017.tensorflow_intro``          ``Tensorflow Tutorial.ipynb`` (the epoch cost divided by the
                                    number of complete mini-batches; unnamed placeholders)
==================================  =========================================================

The 2017 Initialization, Regularization and Gradient Checking notebooks have the same functions and
numbers as their 2019-2020 revisions: use :mod:`descentlab.course.initialization` and its siblings.
Import a module explicitly; nothing is imported here.
"""
