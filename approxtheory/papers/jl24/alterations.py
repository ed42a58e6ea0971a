"""Sec. 6 of JL24: RNN complexity (App. D.1), the ordering and mixing alterations (Props 6.1-6.3),
and the permutation equivariance of the single layer (Lemma A.1).

Exact rational arithmetic decides the linear-map claims (a witness replays exactly); SymPy decides
the C_RNN fixture; the POD comparison and the equivariance check are numerical (supported at most).
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import sympy as sp

from ...author import Argued
from ...constructions.pod_attention import single_layer
from ...core import CheckContext, Outcome, Replay, Scope, Status, Witness, WitnessInputs
from ...numerics import x64
from ...pod import rnn
from ...pod.domain import Domain
from ...pod.spectrum import pod_spectrum
from ...rigorous.steps import Steps
from ...core.witness import read_integer, read_rational
from .common import argument, claim, replay_result

HORIZON = 10


# --- JL24.def.C_RNN / JL24.fix.rnn_exp ----------------------------------------------------------

def exp_kernel_complexity(c: sp.Expr, gamma: sp.Expr) -> tuple[sp.Expr, sp.Expr, sp.Expr]:
    """(C1, C2, C_RNN) of rho(t) = c e^(-t/gamma) by eqs. 73-75 (the set in (73) is beta > gamma)."""
    c1 = 1 + gamma
    c2 = abs(c)  # sup_t |c| e^(-t/(gamma (1 + gamma))) at t = 0
    return c1, c2, c1 * c2


def _argue_c_rnn(s: Steps, cells: int | None) -> Argued:
    t, b, g = sp.symbols("t beta gamma", positive=True)
    c = sp.Symbol("c", nonzero=True, real=True)
    rate = sp.simplify(t / b - t / g)  # e^(t/beta) |c| e^(-t/gamma) = |c| e^(t (1/beta - 1/gamma))
    d = sp.Symbol("d", positive=True)  # every beta > 0 is gamma + d, gamma, or gamma d/(gamma + d) < gamma
    s.symbolic("limit is 0 iff beta > gamma", "lim_t |c| e^(t (1/beta - 1/gamma)) is 0 for beta = gamma + d, |c| != 0 for "
               "beta = gamma and oo for beta = gamma d/(gamma + d) < gamma, for every gamma, d > 0",
               all(sp.limit(abs(c) * sp.exp(sp.factor(rate.subs(b, beta))), t, sp.oo) == want
                   for beta, want in ((g + d, 0), (g, abs(c)), (g * d / (g + d), sp.oo))))
    c1 = 1 + g
    envelope = abs(c) * sp.exp(t / c1 - t / g)
    s.symbolic("e^(t/C1)|rho(t)| is decreasing", "exponent t (1/(1+gamma) - 1/gamma) = -t/(gamma(1+gamma))",
               sp.simplify(1 / c1 - 1 / g + 1 / (g * (1 + g))) == 0 and bool((-1 / (g * (1 + g))).is_negative))
    s.zero("C2 = |c| at t = 0", envelope.subs(t, 0) - abs(c), "")
    evidence: dict[str, Any] = {}
    for cc, gg, expected in ((sp.Rational(-2, 3), sp.Rational(3, 2), (sp.Rational(5, 2), sp.Rational(2, 3), sp.Rational(5, 3))),
                             (sp.Integer(1), sp.Integer(1), (2, 1, 2))):
        got = exp_kernel_complexity(cc, gg)
        s.symbolic(f"card: c={cc}, gamma={gg}", f"(C1, C2, C_RNN) = {expected}", tuple(got) == tuple(expected))
        code = rnn.c_rnn(rnn.ExpKernel((float(cc),), (float(gg),)))
        evidence[f"code c={cc}, gamma={gg}"] = [code.c1, code.c2, code.c_rnn]
        s.cross_check("float", f"code agrees: c={cc}, gamma={gg}", "pod.rnn.c_rnn to 1e-12",
                      all(abs(a - float(e)) < 1e-12 for a, e in zip((code.c1, code.c2, code.c_rnn), expected)))
    return Argued("eqs. 73-75 applied to rho(t) = c e^(-t/gamma): C1 = 1 + gamma, C2 = |c|, C_RNN = (1 + gamma)|c| "
                  "(SymPy), the card's two examples; cross-check: the package's c_rnn agrees in float", evidence)


# --- JL24.prop6.3 -------------------------------------------------------------------------------

def _prop63_complexity(c: Fraction, gamma: Fraction) -> dict[str, Any]:
    c1, c2, c_rnn = exp_kernel_complexity(sp.Rational(c), sp.Rational(gamma))
    # theta = (1,) has ||theta||_1 = 1 and leaves H unchanged, so C_RNN(H~) = C_RNN(H).
    return {"rho": f"({c}) exp(-t/({gamma}))", "envelope_holds": abs(c) <= 1, "C1": str(c1), "C2": str(c2), "C_RNN": str(c_rnn),
            "gamma": str(gamma), "violates": bool(abs(c) <= 1 and c_rnn > sp.Rational(gamma))}


def _verify_prop63_complexity(ctx: CheckContext) -> Outcome:
    obs = _prop63_complexity(Fraction(1), Fraction(3, 2))
    checked = ("C_RNN (eqs. 73-75, as printed) of rho(t) = e^(-t/gamma), which meets |rho(s)| <= e^(-s/gamma), and of its "
               "mixing by theta = (1) (||theta||_1 = 1, H~ = H): C_RNN = 1 + gamma > gamma for every gamma > 0 (exact)")
    witness = Witness(claim_id=PROP63_C_ID, inputs={"c": "1", "gamma": "3/2"}, observed=obs,
                      note="holds for every gamma > 0: C1 = 1 + gamma alone exceeds gamma since C2 = 1")
    status = Status.REFUTED if obs["violates"] else Status.INCONCLUSIVE
    evidence = {"C_RNN": obs["C_RNN"], "gamma": obs["gamma"], "instance": obs}
    return Outcome(status, "exact", checked, {}, evidence, witness if obs["violates"] else None)


def _replay_prop63_complexity(w: Witness) -> Replay:
    # Hypotheses: rho(t) = c e^(-t/gamma) with gamma > 0 and c != 0 (card JL24.fix.rnn_exp), |rho(s)| <= e^(-s/gamma).
    inputs = WitnessInputs.of(w)
    c, gamma = inputs.rational("c"), inputs.rational("gamma")
    inputs.require(gamma > 0, f"gamma = {gamma}: the proposition is about gamma > 0")
    inputs.require(c != 0 and abs(c) <= 1, f"c = {c}: the envelope |rho(s)| <= e^(-s/gamma) needs 0 < |c| <= 1")
    obs = _prop63_complexity(c, gamma)
    return replay_result(obs["violates"], obs, "C_RNN exceeds gamma", "C_RNN <= gamma here")


def _identity_check(kernel: list[Fraction], theta: list[Fraction], horizon: int) -> dict[str, Any]:
    true = rnn.mixing_altered_matrix(kernel, theta, horizon)
    printed = rnn.convolution_matrix(rnn.paper_mixed_kernel(kernel, theta, horizon), horizon)
    padded = np.full(true.shape, Fraction(0), dtype=object)
    padded[:, :horizon] = printed
    diff = [(t, j) for t in range(true.shape[0]) for j in range(true.shape[1]) if true[t, j] != padded[t, j]]
    t, j = diff[0] if diff else (None, None)
    return {"differs": bool(diff), "entries_differing": len(diff), "first": None if t is None else
            {"output_t": t, "input_j": j, "H~_coefficient": str(true[t, j]), "identity_coefficient": str(padded[t, j])},
            "reads_future_inputs": rnn.is_causal_convolution(true) is False}


def _verify_prop63_identity(ctx: CheckContext) -> Outcome:
    kernel = [Fraction(1, 2**s) for s in range(HORIZON + 4)]  # rho(s) = e^(-s / gamma), gamma = 1/ln 2
    theta = [Fraction(1, 2), Fraction(1, 2)]
    obs = _identity_check(kernel, theta, HORIZON)
    checked = (f"H~_t(x) = H_t(theta * x) against the printed identity H~_t(x) = sum_s rho~[s] x[t-s], rho~ = theta * rho, "
               f"as exact linear maps on {HORIZON} outputs: rho(s) = 2^-s, theta = (1/2, 1/2); (theta * x)[t] reads x(t+1), so "
               "H~ depends on future inputs, which no causal kernel rho~ reproduces")
    if not obs["differs"]:
        return Outcome(Status.INCONCLUSIVE, "exact", checked, {"horizon": HORIZON}, obs)
    witness = Witness(claim_id=PROP63_ID_ID, inputs={"kernel": "2^-s", "theta": ["1/2", "1/2"], "horizon": HORIZON},
                      observed=obs, note="e.g. x = impulse at time 1: H~_0(x) = 1/2, the identity gives 0")
    return Outcome(Status.REFUTED, "exact", checked, {"horizon": HORIZON}, obs, witness)


REPLAY_MAX_HORIZON = 64


def _replay_prop63_identity(w: Witness) -> Replay:
    # The claim's kernel is rho(s) = 2^-s; the witness names the filter theta (||theta||_1 <= 1) and the horizon.
    inputs = WitnessInputs.of(w)
    horizon = inputs.integer("horizon", limit=REPLAY_MAX_HORIZON)
    theta = inputs.items("theta", read_rational, limit=REPLAY_MAX_HORIZON)
    inputs.optional_equal("kernel", "2^-s", "kernel")
    inputs.require(horizon >= 1, f"horizon = {horizon}: at least one output")
    inputs.require(sum(abs(v) for v in theta) <= 1, f"||theta||_1 = {sum(abs(v) for v in theta)} > 1: outside the proposition")
    obs = _identity_check([Fraction(1, 2**s) for s in range(horizon + 4)], theta, horizon)
    return replay_result(obs["differs"], obs, "the printed kernel identity misses terms of H~", "the identity holds here")


def _verify_prop63_envelope(ctx: CheckContext) -> Outcome:
    trials = ctx.budget_or(2000)
    rng = np.random.default_rng(ctx.seed)
    worst = 0.0
    for _ in range(trials):
        gamma = float(np.exp(rng.uniform(np.log(0.1), np.log(20))))
        length = int(rng.integers(1, 8))
        s = np.arange(64 + length)
        rho = rng.uniform(-1, 1, s.size) * np.exp(-s / gamma)  # any kernel under the envelope
        theta = rng.uniform(-1, 1, length)
        theta /= max(1.0, np.abs(theta).sum()) / rng.uniform(0.2, 1)
        mixed = np.array([theta @ rho[k : k + length] for k in range(64)])
        bound = np.exp(-np.arange(64) / gamma) * np.abs(theta).sum()
        worst = max(worst, float(np.max(np.abs(mixed) / bound)))
    status = Status.SUPPORTED if worst <= 1 + 1e-12 else Status.INCONCLUSIVE
    return Outcome(status, "numerical", "|rho~(s)| <= e^(-s/gamma) ||theta||_1 for rho~ = theta * rho as printed (eq. 96), "
                   "on random kernels under the envelope and random filters (float64)", {"trials": trials, "seed": ctx.seed},
                   {"max_observed_over_bound": worst})


# --- JL24.prop6.1 -------------------------------------------------------------------------------

def _random_case(rng: np.random.Generator) -> tuple[list[Fraction], list[int]]:
    kernel = [Fraction(int(rng.integers(-9, 10)), int(rng.integers(1, 10))) for _ in range(HORIZON)]
    if all(k == 0 for k in kernel):
        kernel[0] = Fraction(1)
    perm = list(range(HORIZON))
    while perm == list(range(HORIZON)):
        perm = [int(v) for v in rng.permutation(HORIZON)]
    return kernel, perm


def _ordering_check(kernel: list[Fraction], perm: list[int]) -> dict[str, Any]:
    m = rnn.ordering_altered_matrix(kernel, perm, HORIZON)
    return {"kernel": [str(k) for k in kernel], "perm": perm, "altered_is_causal_convolution": rnn.is_causal_convolution(m)}


def _verify_prop61(ctx: CheckContext) -> Outcome:
    trials = ctx.budget_or(200)
    rng = np.random.default_rng(ctx.seed)
    nonzero_in = 0
    for _ in range(trials):
        kernel, perm = _random_case(rng)
        nonzero_in += _ordering_check(kernel, perm)["altered_is_causal_convolution"]
    geometric = _ordering_check([Fraction(1, 2**s) for s in range(HORIZON)], [1, 0] + list(range(2, HORIZON)))
    zero = _ordering_check([Fraction(0)] * HORIZON, [1, 0] + list(range(2, HORIZON)))
    evidence = {"zero_kernel_altered_in_C_RNN": zero["altered_is_causal_convolution"],
                "random_nonzero_altered_in_C_RNN": nonzero_in, "random_nonzero_kernels": trials,
                "geometric_kernel_2^-s_swap_0_1_in_C_RNN": geometric["altered_is_causal_convolution"], "zero_kernel": zero,
                "explanation": {"nonzero": "for rho != 0 and p != id the altered map is never a causal convolution (a fixed point of p forces "
                        "rho~ = rho, a moved point forces rho~ to be a shift of rho, so rho would be 0); only rho = 0 escapes"}}
    checked = (f"exact rational matrices on {HORIZON} steps: H~ with H~_t(x o p) = H_t(x) is a causal convolution (form 72) "
               f"or not, for {trials} random nonzero finitely supported kernels and random permutations p != id, the kernel "
               "2^-s, and the zero kernel (C_RNN = 0, in the class)")
    budget = {"trials": trials, "seed": ctx.seed, "horizon": HORIZON}
    if zero["altered_is_causal_convolution"]:
        witness = Witness(claim_id=PROP61_ID, inputs={"kernel": ["0"] * HORIZON, "perm": zero["perm"]}, observed=zero,
                          note="degenerate: H = 0 is in C_RNN and so is every permutation of it")
        return Outcome(Status.REFUTED, "exact", checked, budget, evidence, witness)
    return Outcome(Status.SUPPORTED, "exact", checked, budget, evidence)


def _replay_prop61(w: Witness) -> Replay:
    # H in C_RNN is a causal convolution with a kernel on HORIZON steps; p is a permutation with p(t') > t' somewhere.
    inputs = WitnessInputs.of(w)
    kernel = inputs.items("kernel", read_rational, limit=HORIZON)
    perm = inputs.items("perm", lambda v, where: read_integer(v, where, HORIZON), limit=HORIZON)
    inputs.require(len(kernel) == HORIZON, f"the kernel has {len(kernel)} entries; the claim's matrices have {HORIZON} steps")
    inputs.require(sorted(perm) == list(range(HORIZON)), f"perm {perm} is not a permutation of 0..{HORIZON - 1}")
    inputs.require(perm != list(range(HORIZON)), "perm is the identity: the proposition needs p(t') > t' for some t'")
    obs = _ordering_check(kernel, perm)
    return replay_result(obs["altered_is_causal_convolution"], obs, "the altered target is a causal convolution (in C_RNN)",
                         "the altered target is not a causal convolution")


def _verify_prop61_nonzero(ctx: CheckContext) -> Outcome:
    trials = ctx.budget_or(200)
    rng = np.random.default_rng(ctx.seed + 1)
    inside = [c for c in (_ordering_check(*_random_case(rng)) for _ in range(trials)) if c["altered_is_causal_convolution"]]
    status = Status.SUPPORTED if not inside else Status.INCONCLUSIVE
    return Outcome(status, "exact", f"{trials} random nonzero kernels with random permutations p != id: the altered target's "
                   f"exact matrix on {HORIZON} steps is never lower-triangular Toeplitz, so H~ is not of the form (72)",
                   {"trials": trials, "seed": ctx.seed + 1, "horizon": HORIZON}, {"altered_in_C_RNN": len(inside)})


# --- JL24.prop6.2: the POD spectrum under a permutation of the pieces ------------------------------

_PIECES = Domain.encoded(3)
_PERM = (2, 0, 1)


def _coupling(u: jax.Array, v: jax.Array) -> jax.Array:
    su, sv = jnp.floor(u / 2.0), jnp.floor(v / 2.0)
    ru, rv = u - 2.0 * su, v - 2.0 * sv
    return jnp.cos(jnp.pi * (su + 1.0) * ru * rv) + 0.3 * su * rv - 0.2 * sv + ru**2 * (sv + 1.0)


def _permuted(u: jax.Array, v: jax.Array) -> jax.Array:
    perm = jnp.asarray(_PERM, dtype=jnp.float64)

    def move(w: jax.Array) -> jax.Array:
        s = jnp.floor(w / 2.0)
        return w + 2.0 * (perm[s.astype(jnp.int32)] - s)

    return _coupling(move(u), move(v))


def _verify_prop62(ctx: CheckContext) -> Outcome:
    before = pod_spectrum(_coupling, _PIECES, lead=6, tol=1e-11, max_nodes=768)
    after = pod_spectrum(_permuted, _PIECES, lead=6, tol=1e-11, max_nodes=768)
    gap = float(np.max(np.abs(before.singular_values - after.singular_values)))
    allowed = before.tolerance_reached + after.tolerance_reached + 1e-12
    status = Status.SUPPORTED if gap <= allowed and before.converged and after.converged else Status.INCONCLUSIVE
    return Outcome(status, "quadrature", "the POD spectrum of a coupling on three disjoint pieces I_s = [2s, 2s+1] and of the "
                   "coupling with the pieces permuted (rho~(u, v) = rho(T u, T v), T moving piece s to piece p(s), the proof's "
                   "eqs. 83-87), by Gauss-Legendre weighted SVD", {"perm": list(_PERM), "max_nodes": 768},
                   {"max_difference": gap, "allowed": allowed, "before": before.to_dict(), "after": after.to_dict(),
                    "scope": {"note": "checks the step 'the rank of the POD is unaffected'; whether (F, f o T, rho o T) "
                                      "represents H~ with outputs kept in place is not checked here"}})


# --- JL24.lemA.1 --------------------------------------------------------------------------------

def _random_layer(params: dict[str, jax.Array], x: jax.Array) -> jax.Array:
    """eq. (5) with tanh feed-forward parts f^(u) = W2 tanh(w1 u + b1), F^(h) = v2 . tanh(V1 h)."""
    def f_hat(u: jax.Array) -> jax.Array:
        return params["w2"] @ jnp.tanh(params["w1"] * u + params["b1"])

    def F_hat(h: jax.Array) -> jax.Array:
        return params["v2"] @ jnp.tanh(params["v1"] @ h)

    return single_layer(F_hat, f_hat, params["w_q"], params["w_k"], params["w_v"], x)


_layer = jax.jit(jax.vmap(_random_layer, in_axes=(None, 0)))


@x64
def equivariance_gap(seed: int, tau: int = 7, m_h: int = 3, m_v: int = 4, width: int = 8, trials: int = 32) -> float:
    """max |H^(x o p) - H^(x) o p| of eq. (5) with random weights, over random sequences and permutations."""
    rng = np.random.default_rng(seed)
    n = 2 * m_h + m_v
    shapes = {"w1": ((width,), 1.0), "b1": ((width,), 1.0), "w2": ((n, width), width), "v1": ((width, m_v), m_v),
              "v2": ((width,), width), "w_q": ((m_h, n), 1.0), "w_k": ((m_h, n), 1.0), "w_v": ((m_v, n), 1.0)}
    params = {k: jnp.asarray(rng.standard_normal(shape) / math.sqrt(fan)) for k, (shape, fan) in shapes.items()}
    x = rng.uniform(size=(trials, tau))
    perms = np.stack([rng.permutation(tau) for _ in range(trials)])
    permuted = jnp.asarray(np.take_along_axis(x, perms, axis=1))
    perms_j = jnp.asarray(perms)
    return float(jnp.max(jnp.abs(_layer(params, permuted) - jnp.take_along_axis(_layer(params, jnp.asarray(x)), perms_j, axis=1))))


def _verify_lemA1(ctx: CheckContext) -> Outcome:
    gaps = [equivariance_gap(ctx.seed + i) for i in range(ctx.budget_or(4))]
    status = Status.SUPPORTED if max(gaps) <= 1e-12 else Status.INCONCLUSIVE
    return Outcome(status, "numerical", "H^(x o p) = H^(x) o p for eq. (5) without positional encoding: random weights, "
                   "random tanh feed-forward parts, 32 random (x, p) per weight draw, tau = 7 (float64)",
                   {"weight_draws": len(gaps), "seed": ctx.seed}, {"max_abs_gap": max(gaps), "tolerance": 1e-12})


PROP61_ID = "JL24.prop6.1.statement.permuted_not_in_C_RNN"
PROP63_C_ID = "JL24.prop6.3.statement.complexity_le_gamma"
PROP63_ID_ID = "JL24.prop6.3.statement.kernel_identity"


def claims() -> list:
    return [
        argument("JL24.def.C_RNN", "exp_kernel",
                 "eqs. 73-75 give C1 = 1 + gamma, C2 = |c|, C_RNN = (1 + gamma)|c| for rho(t) = c e^(-t/gamma)",
                 _argue_c_rnn, location="App. D.1 eqs. 73-75; card §7 JL24.fix.rnn_exp (derived)",
                 provenance="reconstructed"),
        claim("JL24.prop6.1", Scope.STATEMENT, "permuted_not_in_C_RNN",
              "for H in C_RNN and a permutation p with p(t') > t' for some t', the ordering-altered H~ is not in C_RNN",
              _verify_prop61, location="Sec. 6.1, Prop. 6.1; App. D.2", replay=_replay_prop61, default_budget=200),
        claim("JL24.prop6.1", Scope.STATEMENT, "nonzero_kernels",
              "Prop. 6.1 for nonzero kernels: the ordering-altered target is not a causal convolution",
              _verify_prop61_nonzero, location="Sec. 6.1, Prop. 6.1 (restricted to rho != 0)", provenance="reconstructed",
              default_budget=200),
        claim("JL24.prop6.2", Scope.STATEMENT, "pod_spectrum_invariant",
              "permuting the disjoint pieces leaves the POD spectrum (hence C1) and the bases' sup norms unchanged",
              _verify_prop62, location="Sec. 6.1, Prop. 6.2; App. D.2 eqs. 83-87"),
        claim("JL24.prop6.3", Scope.STATEMENT, "complexity_le_gamma",
              "if |rho(s)| <= e^(-s/gamma) and ||theta||_1 <= 1 then C_RNN(H) <= gamma and C_RNN(H~) <= gamma",
              _verify_prop63_complexity, location="Sec. 6.2, Prop. 6.3", replay=_replay_prop63_complexity),
        claim("JL24.prop6.3", Scope.STATEMENT, "kernel_identity",
              "H~_t(x) = H_t(theta * x) = sum_{s=0..t} rho~[s] x[t-s] with rho~[s] = sum_s' theta[s'] rho[s+s']",
              _verify_prop63_identity, location="App. D.2 eqs. 89-95", replay=_replay_prop63_identity),
        claim("JL24.prop6.3", Scope.STATEMENT, "envelope",
              "|rho~(s)| <= e^(-s/gamma) ||theta||_1 when |rho(s)| <= e^(-s/gamma)", _verify_prop63_envelope,
              location="App. D.2 eq. 96", default_budget=2000),
        claim("JL24.lemA.1", Scope.STATEMENT, "equivariance",
              "without positional encoding every H^ of eq. (5) is permutation-equivariant: H^(x o p) = H^(x) o p",
              _verify_lemA1, location="App. A.1, eqs. 15-17; card §7 JL24.fix.equivariance", default_budget=4,
              budget_unit="weight draws"),
    ]
