import jax
import numpy as np
from hypothesis import given

from approxtheory.strategies import softmax_gap_inputs
from mypaper.claims import gap_jax


@given(softmax_gap_inputs(max_tokens=6))
def test_the_gap_lies_between_0_and_log_n_over_beta(x):
    with jax.enable_x64(True):
        g = float(gap_jax(np.array(x.z), x.beta))
    assert -1e-12 <= g * x.beta <= np.log(len(x.z)) * (1 + 1e-9)


def test_the_two_token_case_is_certified(approxtheory_claims):
    approxtheory_claims.assert_verdict("MYP.lem.gap.statement.two_tokens", "certified")


def test_the_quarter_constant_is_refuted(approxtheory_claims):
    verdict = approxtheory_claims.assert_verdict("MYP.lem.gap.statement.quarter_constant", "refuted")
    assert len(verdict.witness.inputs["z"]) >= 2
