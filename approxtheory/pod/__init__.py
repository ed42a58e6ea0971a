"""POD spectra, quadrature, complexity measures and targets in the representation form (8) of JL24.

- :mod:`.domain`: token domains (one shared piece or disjoint pieces I^(s), eq. 7) and Gauss-Legendre rules.
- :mod:`.targets`: :class:`Target` (F, f, rho as JAX callables), the card's fixtures, :meth:`Target.custom`.
- :mod:`.spectrum`: singular values of rho by weighted SVD, refined to a stated tolerance; numerical PODs.
- :mod:`.complexity`: C1^(alpha), fitted alpha, POD tails, C0, C2 with a feed-forward rate oracle.
- :mod:`.rnn`: C_RNN of App. D.1 and the ordering/mixing alterations of linear targets.
"""

from .complexity import barron_rate, c0_upper, c1_upper, c2_upper, fit_alpha, power_tail, tail_sum
from .domain import Domain, gauss_legendre
from .spectrum import Spectrum, pod_spectrum, quadrature_pod
from .targets import SeparablePOD, Target, mix, rank2, repr_weights, separable, sines

__all__ = [
    "Domain",
    "SeparablePOD",
    "Spectrum",
    "Target",
    "barron_rate",
    "c0_upper",
    "c1_upper",
    "c2_upper",
    "fit_alpha",
    "gauss_legendre",
    "mix",
    "pod_spectrum",
    "power_tail",
    "quadrature_pod",
    "rank2",
    "repr_weights",
    "separable",
    "sines",
    "tail_sum",
]
