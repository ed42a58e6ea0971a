#!/bin/sh
# CI for mypaper: install approxtheory and this package, regress this package's claims against its
# own baseline (seconds: no built-in claim runs), then run its tests under the `ci` Hypothesis profile.
# APPROXTHEORY is where approxtheory comes from (a checkout path or a pip requirement).
set -eu
cd "$(dirname "$0")"
APPROXTHEORY="${APPROXTHEORY:-../..}"
python3 -m venv .venv
.venv/bin/pip install -q -e "$APPROXTHEORY" -e . pytest
.venv/bin/approxtheory regress --package mypaper --baseline baseline.json
.venv/bin/python -m pytest -q tests --hypothesis-profile=ci
