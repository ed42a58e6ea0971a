"""Translate a SymPy expression into a function of Arb balls, one sound rule per node type.

A node whose operation leaves its domain (log of a ball reaching 0, division by a ball
containing 0, a real power of a ball reaching below 0, ...) raises :class:`Undefined`, so no
wrong finite ball can ever come out: :func:`run` turns it into a NaN ball.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import lru_cache

import flint
import sympy as sp
from flint import arb, fmpq

from approxtheory.core import ApproxTheoryError

Env = Mapping[str, arb]
BallFn = Callable[[Env], arb]


class Undefined(Exception):
    """An operation was applied outside its real domain somewhere on the ball."""


SUPPORTED = (
    "numbers (Integer, Rational, exact Float), E, pi, EulerGamma, +, *, powers, exp, log, sqrt, "
    "LambertW (principal branch), sin, cos, tan, tanh, sinh, cosh, atan, asinh, erf, Min, Max, Abs, re, im"
)

NONSMOOTH = (sp.Abs, sp.Min, sp.Max, sp.sign, sp.Heaviside, sp.Piecewise, sp.floor, sp.ceiling, sp.re, sp.im)


def run(fn: BallFn, env: Env) -> arb:
    """Evaluate a compiled function on balls; an out-of-domain operation gives a NaN ball, never a finite one."""
    try:
        return fn(env)
    except Undefined:
        return arb.nan()


def finite(x: arb) -> arb:
    """Pass ``x`` through if it is a finite ball, else raise :class:`Undefined`."""
    if not x.is_finite():
        raise Undefined
    return x


def nonnegative(x: arb) -> arb:
    """Clip a ball known to enclose only nonnegative values so that its lower end is exactly 0 or more."""
    return x if x.lower() >= 0 else x.nonnegative_part()


def min_ball(a: arb, b: arb) -> arb:
    """min(a, b): one ball itself when it is certainly the smaller (keeps exact ends), else Arb's min."""
    if a.upper() <= b.lower():
        return a
    if b.upper() <= a.lower():
        return b
    return a.min(b)


def max_ball(a: arb, b: arb) -> arb:
    """max(a, b): one ball itself when it is certainly the larger (keeps exact ends), else Arb's max."""
    if a.lower() >= b.upper():
        return a
    if b.lower() >= a.upper():
        return b
    return a.max(b)


def _const(make: Callable[[], arb]) -> BallFn:
    """A constant ball, rebuilt once per working precision."""
    cache: dict[int, arb] = {}

    def fn(env: Env) -> arb:
        p = flint.ctx.prec
        v = cache.get(p)
        if v is None:
            v = cache[p] = make()
        return v

    return fn


def _point_pow(p: arb, n: int) -> arb:
    """p**n for a (near-)point ball p and an integer n >= 1, by repeated squaring."""
    result, square = arb(1), p
    while n:
        if n & 1:
            result = result * square
        n >>= 1
        if n:
            square = square * square
    return result


def int_pow(x: arb, n: int) -> arb:
    """x**n for an integer n >= 0, from the ball's ends so that even powers stay nonnegative and tight."""
    if n == 0:
        return arb(1)
    if n == 1:
        return x
    if x.is_exact():
        return _point_pow(x, n)
    lo, hi = x.lower(), x.upper()
    a, b = _point_pow(lo, n), _point_pow(hi, n)
    if n % 2 == 1:
        return a.union(b)
    if lo >= 0 or hi <= 0:
        return nonnegative(a.union(b))
    return nonnegative(arb(0).union(a).union(b))


def _rational_pow(x: arb, p: int, q: int) -> arb:
    """x**(p/q) with q > 1: the real principal power, defined for x > 0, and for x >= 0 when p > 0."""
    if x.lower() > 0:
        if p == 1 and q == 2:
            return finite(x.sqrt())
        return finite(x ** arb(fmpq(p, q)))
    if p > 0 and x.lower() >= 0:
        if p == 1 and q == 2:
            return finite(nonnegative(x.sqrt()))
        up = x.upper()
        top = arb(0) if up.is_zero() else up ** arb(fmpq(p, q))
        return finite(nonnegative(arb(0).union(top)))
    raise Undefined


def _real_pow(base: arb, expo: arb) -> arb:
    """base**expo for a non-rational exponent, defined here only for base > 0."""
    if base.lower() > 0:
        return finite((expo * base.log()).exp())
    raise Undefined


def _unary(method: str, checked: bool) -> Callable[[arb], arb]:
    if checked:
        return lambda v: finite(getattr(v, method)())
    return lambda v: getattr(v, method)()


_FUNCS: dict[type, Callable[[arb], arb]] = {
    sp.exp: _unary("exp", True),
    sp.log: _unary("log", True),
    sp.sin: _unary("sin", False),
    sp.cos: _unary("cos", False),
    sp.tan: _unary("tan", True),
    sp.tanh: _unary("tanh", False),
    sp.sinh: _unary("sinh", True),
    sp.cosh: _unary("cosh", True),
    sp.atan: _unary("atan", False),
    sp.asinh: _unary("asinh", False),
    sp.erf: _unary("erf", False),
    sp.Abs: lambda v: nonnegative(abs(v)),
    sp.re: lambda v: v,  # every ball here encloses real values only (complex cases raise Undefined)
    sp.im: lambda v: arb(0),  # ... so the argument, once evaluated, has imaginary part 0
}


def _float_ball(value: sp.Float) -> BallFn:
    """The exact binary value a SymPy Float holds, as a ball."""
    sign, man, exp, _bc = value._mpf_
    if man == 0 and exp != 0:  # mpmath encodes inf and nan with a zero mantissa
        raise ApproxTheoryError(f"cannot enclose the non-finite Float {value}")
    signed = -int(man) if sign else int(man)
    return _const(lambda: arb((signed, int(exp))) if signed else arb(0))


@lru_cache(maxsize=8192)
def compile_expr(expr: sp.Expr) -> BallFn:
    """A function from balls for the free symbols (by name) to a ball enclosing ``expr``; raises ApproxTheoryError if unsupported."""
    if not isinstance(expr, sp.Expr):
        raise ApproxTheoryError(f"cannot enclose {expr!r}: it is not a SymPy expression")
    if expr.is_Symbol:
        name = str(expr)
        return lambda env: env[name]
    if expr in (sp.oo, -sp.oo, sp.zoo) or expr is sp.nan:
        raise ApproxTheoryError(
            f"cannot enclose {expr}: the expression contains an infinite or undefined value",
            "replace oo by a declared finite bound, or take the limit symbolically first",
        )
    if expr.is_Integer:
        v = int(expr)
        return _const(lambda: arb(v))
    if expr.is_Rational:
        p, q = int(expr.p), int(expr.q)
        return _const(lambda: arb(fmpq(p, q)))
    if expr.is_Float:
        return _float_ball(expr)
    if expr is sp.E:
        return _const(arb.const_e)
    if expr is sp.pi:
        return _const(arb.pi)
    if expr is sp.EulerGamma:
        return _const(arb.const_euler)
    if expr is sp.I:
        raise ApproxTheoryError(f"cannot enclose {expr}: it contains the imaginary unit", "only real expressions are supported")
    if expr.is_Add:
        parts = [compile_expr(a) for a in expr.args]

        def add(env: Env) -> arb:
            total = parts[0](env)
            for g in parts[1:]:
                total = total + g(env)
            return total

        return add
    if expr.is_Mul:
        return _compile_mul(expr)
    if expr.is_Pow:
        return _compile_pow(expr.base, expr.exp)
    if isinstance(expr, sp.LambertW):
        if len(expr.args) > 1 and expr.args[1] != 0:
            raise ApproxTheoryError(f"cannot enclose {expr}: only the principal branch of LambertW is supported")
        inner = compile_expr(expr.args[0])
        return lambda env: finite(inner(env).lambertw())
    if isinstance(expr, (sp.Min, sp.Max)):
        parts = [compile_expr(a) for a in expr.args]
        pick = min_ball if isinstance(expr, sp.Min) else max_ball

        def fold(env: Env) -> arb:
            acc = parts[0](env)
            for g in parts[1:]:
                acc = pick(acc, g(env))
            return acc

        return fold
    func = _FUNCS.get(type(expr))
    if func is not None and len(expr.args) == 1:
        inner = compile_expr(expr.args[0])
        return lambda env: func(inner(env))
    raise ApproxTheoryError(
        f"cannot enclose {type(expr).__name__} (in {expr}): no rigorous rule for it",
        f"supported: {SUPPORTED}",
    )


def _compile_mul(expr: sp.Mul) -> BallFn:
    """A product, with factors of negative integer power collected into one division."""
    num: list[BallFn] = []
    den: list[BallFn] = []
    args = list(expr.args)
    if args[0] == -1 and len(args) > 1:  # negation is exact in Arb, multiplication by -1 rounds the radius up
        rest = compile_expr(sp.Mul(*args[1:], evaluate=False) if len(args) > 2 else args[1])
        return lambda env: -rest(env)
    for a in expr.args:
        if a.is_Pow and a.exp.is_Integer and a.exp < 0:
            den.append(_compile_pow(a.base, -a.exp))
        else:
            num.append(compile_expr(a))

    def mul(env: Env) -> arb:
        top = num[0](env) if num else arb(1)
        for g in num[1:]:
            top = top * g(env)
        if not den:
            return top
        bottom = den[0](env)
        for g in den[1:]:
            bottom = bottom * g(env)
        return finite(top / bottom)

    return mul


def _compile_pow(base: sp.Expr, expo: sp.Expr) -> BallFn:
    """Powers: integer exponents from the ends, rational exponents as real principal roots, others via exp(log)."""
    b = compile_expr(base)
    if expo.is_Integer:
        n = int(expo)
        if n >= 0:
            return lambda env: int_pow(b(env), n)
        return lambda env: finite(1 / int_pow(b(env), -n))
    if expo.is_Rational:
        p, q = int(expo.p), int(expo.q)
        return lambda env: _rational_pow(b(env), p, q)
    e = compile_expr(expo)
    return lambda env: _real_pow(b(env), e(env))
