"""The NumPy engine core: network description, parameters, propagation, gradient checking."""
