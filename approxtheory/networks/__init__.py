"""Piecewise-linear networks as pytrees: maxout networks (GYZ26.def.maxout)."""

from .maxout import MaxoutLayer, MaxoutNetwork, load_network, relu_network

__all__ = ["MaxoutLayer", "MaxoutNetwork", "load_network", "relu_network"]
