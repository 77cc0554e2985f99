"""The current edition of the course (2021 onwards): the notebooks graded by ``public_tests.py``.

Each module matches one notebook of the current edition (folders ``W1A1`` ... ``W3A1``):

==================================  =========================================================
module                              notebook (current edition)
==================================  =========================================================
``current.initialization``          ``W1A1/Initialization.ipynb`` (same as the older edition)
``current.regularization``          ``W1A2/Regularization.ipynb`` (same as the older edition)
``current.gradient_checking``       ``W1A3/Gradient_Checking.ipynb`` (``print_msg``)
``current.optimization``            ``W2A1/Optimization_methods.ipynb`` (Adam returns five values,
                                    ``update_lr``, ``schedule_lr_decay``, 5000 epochs)
``current.tensorflow_intro``        ``W3A1/Tensorflow_introduction.ipynb`` (TensorFlow 2)
==================================  =========================================================

Import a module explicitly, e.g. ``from descentlab.course.current import optimization``; nothing is
imported here.
"""
