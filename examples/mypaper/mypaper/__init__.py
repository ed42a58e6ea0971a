"""Example package: the softmax-vs-hardmax gap, encoded with approxtheory.author (see claims.py)."""
