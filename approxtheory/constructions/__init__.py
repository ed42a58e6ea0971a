"""Explicit objects from the proofs, as runnable JAX code (GYZ26 §4, ...)."""
