"""The course's own functions: "Improving Deep Neural Networks" (deeplearning.ai, Course 2).

Each module holds one assignment's functions with the course's names,
signatures and return values, in the course's layout: ``X`` of shape
(n_x, m), one example per *column*; labels ``Y`` of shape (1, m); parameters
a dict ``{"W1", "b1", ..., "WL", "bL"}`` with ``W[l]`` (n_l, n_{l-1}) and
``b[l]`` (n_l, 1); gradients ``{"dW1", "db1", ...}``. A learner can check a
notebook against them. They are thin layers over descentlab's core: the
layouts are converted and :class:`~descentlab.Network`, its backprop,
:func:`~descentlab.check_gradients`, the optimizers,
:func:`~descentlab.minibatches` and :func:`~descentlab.fit` do the work, so the
notebook is checked against the same code that trains descentlab's models.

=====================  ==========================================================
module                 the course's functions
=====================  ==========================================================
``initialization``     initialize_parameters_zeros / _random / _he, model,
                       forward_propagation, backward_propagation, compute_loss,
                       update_parameters, predict, predict_dec   (week 1)
``regularization``     compute_cost_with_regularization,
                       backward_propagation_with_regularization,
                       forward_propagation_with_dropout,
                       backward_propagation_with_dropout, model, and reg_utils'
                       initialize_parameters, forward/backward_propagation,
                       compute_cost, update_parameters, predict   (week 1)
``gradient_checking``  forward/backward_propagation (1-D), gradient_check,
                       forward_propagation_n, backward_propagation_n (and the
                       course's buggy version), dictionary_to_vector,
                       vector_to_dictionary, gradients_to_vector,
                       gradient_check_n   (week 1)
``optimization``       update_parameters_with_gd, random_mini_batches,
                       initialize_velocity, update_parameters_with_momentum,
                       initialize_adam, update_parameters_with_adam, update_lr,
                       schedule_lr_decay, model, and opt_utils' helpers   (week 2)
``tensorflow_intro``   the week-3 TensorFlow functions, in TensorFlow 2 (importing
                       it imports TensorFlow)
=====================  ==========================================================

Import a module explicitly, e.g. ``from descentlab.course import optimization``;
nothing is imported here, so ``import descentlab.course`` stays light.

Randomness reproduces the course's draws (``np.random.seed(s)`` followed by the
course's calls) from private ``np.random.RandomState(s)`` streams: NumPy's
global random state is never read or changed. Costs are computed from the
logits, so they are finite where the course prints ``inf``; the dropout
``model`` draws fresh masks at every iteration where the course, by reseeding
inside the forward pass, reuses one; a ``model`` whose training diverges raises
:class:`~descentlab.errors.NonFiniteError` (saying where and why) where the
course's loop would carry on with NaN. Each module's docstring details its
differences from the course. Bad arguments (X in the (m, n_x) layout, a
keep_prob outside (0, 1], a negative lambd, an unknown optimizer ...) raise
:class:`~descentlab.errors.InputError` naming the argument, the value and what
was expected.
"""
