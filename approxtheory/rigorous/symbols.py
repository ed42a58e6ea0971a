"""Reading expressions (safe string parsing, the Float policy) and matching their symbols to box entries by name.

String policy: a string is parsed by walking Python's AST, never by ``eval``. Numbers are exact
(``0.1`` is 1/10), ``^`` is a power, calls may name only the functions in :data:`FUNCTIONS`, and every
other name is a plain symbol -- ``E``, ``pi``, ``I``, ``S``, ``N``, ``Q`` included (pass a SymPy
expression to use a constant). Box values may also name the constants in :data:`CONSTANTS`.

Float policy: every SymPy ``Float`` in an expression is replaced, before any SymPy arithmetic, by the
exact binary rational it holds (``Float(0.1)`` is 3602879701896397/36028797018963968, not 1/10). This
is the value the Arb compiler always used, so every entry point now sees one and the same number.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from typing import Any

import sympy as sp

from approxtheory.core import ApproxTheoryError

FUNCTIONS: dict[str, Any] = {
    "exp": sp.exp, "log": sp.log, "sqrt": sp.sqrt, "sin": sp.sin, "cos": sp.cos, "tan": sp.tan,
    "tanh": sp.tanh, "sinh": sp.sinh, "cosh": sp.cosh, "atan": sp.atan, "asinh": sp.asinh, "erf": sp.erf,
    "Abs": sp.Abs, "abs": sp.Abs, "Min": sp.Min, "Max": sp.Max, "LambertW": sp.LambertW, "Rational": sp.Rational,
}
CONSTANTS: dict[str, sp.Expr] = {"pi": sp.pi, "E": sp.E, "EulerGamma": sp.EulerGamma}
MAX_STRING = 10_000  # longer strings are refused (the AST walk is recursive)
MAX_EXPONENT = 10_000  # a larger rational exponent is refused: exact powers at points would not finish

_BINARY = {ast.Add: sp.Add, ast.Sub: lambda a, b: a - b, ast.Mult: sp.Mul, ast.Div: lambda a, b: a / b,
           ast.Pow: sp.Pow}


def parse_string(text: str, constants: Mapping[str, sp.Expr] | None = None) -> sp.Expr:
    """``text`` as a SymPy expression without evaluating code; names are plain symbols unless in ``constants``."""
    if len(text) > MAX_STRING:
        raise ApproxTheoryError(f"the expression string is longer than {MAX_STRING} characters")
    try:
        source = text.strip().replace("^", "**")  # ^ is a power (as in SymPy's parser), with the power's precedence
        return _build(ast.parse(source, mode="eval").body, source, constants or {})
    except (SyntaxError, RecursionError, ValueError, TypeError, ZeroDivisionError) as err:
        raise ApproxTheoryError(f"cannot parse the expression {text!r}: {err}") from None


def _build(node: ast.AST, text: str, constants: Mapping[str, sp.Expr]) -> sp.Expr:
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        literal = (ast.get_source_segment(text, node) or repr(node.value)).replace("_", "").lower()
        if "e" in literal and abs(int(literal.split("e")[1])) > MAX_EXPONENT:
            raise ValueError(f"the decimal exponent of {literal} is above {MAX_EXPONENT}")
        return sp.Rational(literal)  # "0.1" -> 1/10, "2e-5" -> 1/50000: the decimal as written
    if isinstance(node, ast.Name):
        return constants.get(node.id, sp.Symbol(node.id))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        inner = _build(node.operand, text, constants)
        return -inner if isinstance(node.op, ast.USub) else inner
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, right = _build(node.left, text, constants), _build(node.right, text, constants)
        if isinstance(node.op, ast.Pow):
            _check_exponent(right)
        return _BINARY[type(node.op)](left, right)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in FUNCTIONS and not node.keywords:
        return FUNCTIONS[node.func.id](*(_build(a, text, constants) for a in node.args))
    what = ast.get_source_segment(text, node) or type(node).__name__
    raise ValueError(f"{what!r} is not allowed (numbers, names, + - * / ** ^ and calls of {', '.join(FUNCTIONS)})")


def _check_exponent(e: sp.Expr) -> None:
    if e.is_Rational and max(abs(int(e.p)), int(e.q)) > MAX_EXPONENT:
        raise ValueError(f"the exponent {e} has a numerator or denominator above {MAX_EXPONENT}")


def exact_floats(expr: sp.Basic) -> sp.Basic:
    """``expr`` with every Float replaced by the exact binary rational it holds (the one Float policy)."""
    floats = expr.atoms(sp.Float)
    if not floats:
        return expr
    return expr.xreplace({f: sp.Rational(f) for f in floats})


def as_expr(value: Any) -> sp.Expr:
    """``value`` as a SymPy expression: strings parsed safely (see the module docstring), Floats made exact rationals."""
    if isinstance(value, sp.Basic):
        expr = value
    elif isinstance(value, str):
        expr = parse_string(value)
    elif isinstance(value, bool) or isinstance(value, float):
        raise ApproxTheoryError(
            f"{value!r} is not an exact expression", "pass a SymPy expression or an exact rational string"
        )
    elif isinstance(value, int):
        expr = sp.Integer(value)
    else:
        try:
            expr = sp.sympify(value, strict=True)
        except sp.SympifyError:
            raise ApproxTheoryError(f"{value!r} is not a SymPy expression") from None
    if not isinstance(expr, sp.Expr):
        raise ApproxTheoryError(f"{expr} is not an expression (a relation or a set was given)")
    if expr.has(sp.oo, -sp.oo, sp.zoo, sp.nan):
        raise ApproxTheoryError(f"{expr} contains an infinite or undefined value")
    for p in expr.atoms(sp.Pow):
        try:
            _check_exponent(p.exp)
        except ValueError as err:
            raise ApproxTheoryError(f"{expr}: {err}", "exact powers that large cannot be evaluated at points") from None
    for s in expr.free_symbols:
        if not isinstance(s, sp.Symbol) or isinstance(s, sp.Wild):
            raise ApproxTheoryError(f"{expr} has the free {type(s).__name__} {s}; only plain symbols can range over a box")
    return exact_floats(expr)


def symbols_by_name(*exprs: sp.Expr) -> dict[str, sp.Symbol]:
    """The free symbols of ``exprs`` keyed by name; two distinct symbols sharing a name are an error."""
    seen: dict[str, sp.Symbol] = {}
    for expr in exprs:
        for s in expr.free_symbols:
            name = str(s)
            if name in seen and seen[name] != s:
                raise ApproxTheoryError(
                    f"two different symbols are both named {name!r} (different assumptions?)",
                    "build the expression from one Symbol per name",
                )
            seen[name] = s
    return seen


def match_keys(keys: Iterable[Any], symbols: Mapping[str, sp.Symbol], what: str = "the box") -> list[str]:
    """The names of ``keys`` (names or Symbols), which must be exactly the free symbols: none missing, none extra."""
    names: list[str] = []
    for k in keys:
        name = k if isinstance(k, str) else str(k)
        if not isinstance(k, (str, sp.Symbol)):
            raise ApproxTheoryError(f"{what} key {k!r} is neither a name nor a SymPy Symbol")
        if name in names:
            raise ApproxTheoryError(f"{what} names the variable {name} twice")
        if name not in symbols:
            raise ApproxTheoryError(
                f"{what} gives {name}, which is no free symbol of the expression (free: {', '.join(sorted(symbols)) or 'none'})",
                "remove the entry or fix its name",
            )
        if isinstance(k, sp.Symbol) and k != symbols[name]:
            raise ApproxTheoryError(
                f"{what} key {name} ({k.assumptions0}) is another symbol than the expression's {name} "
                f"({symbols[name].assumptions0})",
                "key the box by name or by the expression's own Symbol",
            )
        names.append(name)
    missing = sorted(set(symbols) - set(names))
    if missing:
        raise ApproxTheoryError(f"{what} gives no interval for {', '.join(missing)}", "give every free symbol an interval")
    return names
