"""Engines run one network description: NumPy (the core, always there) and TensorFlow (optional).

An engine's runner trains one epoch at a time on prepared arrays and keeps the
network's NumPy buffer current, so everything after training (predict, save,
plots) is the same whichever engine trained the model.
"""
