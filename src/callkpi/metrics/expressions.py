"""A tiny, safe expression language for the KPI catalog (`where` filters, derived KPIs).

Expressions are parsed with Python's `ast` and only an allow-list of nodes is accepted: names,
literals, arithmetic, comparisons, and/or/not, `in` a list or a named set, `is None`, and a
fixed list of functions. Nothing is ever evaluated as Python and no SQL text is produced here:
an expression becomes an Ibis expression, so a manager can edit the YAML safely.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # Ibis is imported when an expression is compiled, not when it is parsed
    import ibis.expr.types as ir

#: name -> Ibis value; the resolver raises KeyError for an unknown name.
Resolver = Callable[[str], "ir.Value"]


class ExpressionError(ValueError):
    """An expression uses something outside the allowed grammar or an unknown name."""


_ALLOWED_FUNCTIONS = ("coalesce", "abs", "least", "greatest", "nullif")

_BINARY: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
}
_COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
}


@dataclass(frozen=True)
class Expression:
    """A parsed, allow-listed expression and the names it refers to."""

    text: str
    tree: ast.expr
    names: frozenset[str]

    def compile(self, resolve: Resolver, sets: Mapping[str, Sequence[str]]) -> ir.Value:
        """Turn the expression into an Ibis value, names looked up through `resolve`."""
        return _Compiler(resolve, sets).visit(self.tree)


def parse(text: str) -> Expression:
    """Parse and check an expression; raise ExpressionError naming the offending part."""
    try:
        tree = ast.parse(text.strip(), mode="eval").body
    except SyntaxError as exc:
        raise ExpressionError(f"syntax error in {text!r}: {exc.msg}") from None
    names: set[str] = set()
    _check(tree, names)
    return Expression(text, tree, frozenset(names))


def _check(node: ast.AST, names: set[str]) -> None:
    match node:
        case ast.Name(id=name):
            names.add(name)
        case ast.Constant(value=value):
            if not isinstance(value, str | int | float | bool | type(None)):
                raise ExpressionError(f"literal {value!r} is not allowed")
        case ast.BinOp(left=left, op=op, right=right):
            if type(op) not in _BINARY and not isinstance(op, ast.Div):
                raise ExpressionError(f"operator {type(op).__name__} is not allowed")
            _check(left, names)
            _check(right, names)
        case ast.UnaryOp(op=op, operand=operand):
            if not isinstance(op, ast.USub | ast.Not):
                raise ExpressionError(f"operator {type(op).__name__} is not allowed")
            _check(operand, names)
        case ast.BoolOp(values=values):
            for value in values:
                _check(value, names)
        case ast.Compare(left=left, ops=ops, comparators=comparators):
            if len(ops) != 1:
                raise ExpressionError("chained comparisons are not allowed; use 'and'")
            op, right = ops[0], comparators[0]
            _check(left, names)
            if isinstance(op, ast.In | ast.NotIn):
                if isinstance(right, ast.Name):
                    names.add(right.id)
                elif isinstance(right, ast.List | ast.Tuple):
                    for element in right.elts:
                        if not isinstance(element, ast.Constant):
                            raise ExpressionError("'in' lists may only hold literals")
                else:
                    raise ExpressionError("'in' needs a list of literals or a named set")
            elif isinstance(op, ast.Is | ast.IsNot):
                if not (isinstance(right, ast.Constant) and right.value is None):
                    raise ExpressionError("'is' may only compare with None")
            elif type(op) in _COMPARE:
                _check(right, names)
            else:
                raise ExpressionError(f"comparison {type(op).__name__} is not allowed")
        case ast.Call(func=ast.Name(id=function), args=args, keywords=[]):
            if function not in _ALLOWED_FUNCTIONS:
                allowed = ", ".join(_ALLOWED_FUNCTIONS)
                raise ExpressionError(f"function {function!r} is not allowed; allowed: {allowed}")
            for arg in args:
                _check(arg, names)
        case ast.Call():
            raise ExpressionError(
                f"only these functions may be called: {', '.join(_ALLOWED_FUNCTIONS)}"
            )
        case _:
            raise ExpressionError(f"{type(node).__name__} is not allowed in an expression")


class _Compiler:
    def __init__(self, resolve: Resolver, sets: Mapping[str, Sequence[str]]) -> None:
        self.resolve = resolve
        self.sets = sets

    def visit(self, node: ast.expr) -> Any:
        import ibis

        match node:
            case ast.Name(id=name):
                return self.resolve(name)
            case ast.Constant(value=value):
                return ibis.literal(value) if value is not None else ibis.null()
            case ast.BinOp(left=left, op=ast.Div(), right=right):
                # Every division is safe: x / 0 is null, never inf or an error.
                numerator = self.visit(left).cast("float64")
                return numerator / self.visit(right).cast("float64").nullif(0)
            case ast.BinOp(left=left, op=op, right=right):
                return _BINARY[type(op)](self.visit(left), self.visit(right))
            case ast.UnaryOp(op=ast.USub(), operand=operand):
                return -self.visit(operand)
            case ast.UnaryOp(op=ast.Not(), operand=operand):
                return ~self.visit(operand)
            case ast.BoolOp(op=ast.And(), values=values):
                return _fold(operator.and_, [self.visit(v) for v in values])
            case ast.BoolOp(op=ast.Or(), values=values):
                return _fold(operator.or_, [self.visit(v) for v in values])
            case ast.Compare(left=left, ops=[op], comparators=[right]):
                return self._compare(self.visit(left), op, right)
            case ast.Call(func=ast.Name(id=function), args=args):
                values = [self.visit(a) for a in args]
                if function == "coalesce":
                    return ibis.coalesce(*values)
                if function == "abs":
                    return values[0].abs()
                if function == "least":
                    return ibis.least(*values)
                if function == "greatest":
                    return ibis.greatest(*values)
                return values[0].nullif(values[1])
        raise ExpressionError(f"cannot compile {ast.dump(node)}")  # pragma: no cover

    def _compare(self, left: Any, op: ast.cmpop, right: ast.expr) -> Any:
        if isinstance(op, ast.In | ast.NotIn):
            if isinstance(right, ast.Name):
                if right.id not in self.sets:
                    raise ExpressionError(f"unknown set {right.id!r}")
                options = list(self.sets[right.id])
            else:
                assert isinstance(right, ast.List | ast.Tuple)
                options = [e.value for e in right.elts if isinstance(e, ast.Constant)]
            test = left.isin(options)
            return ~test if isinstance(op, ast.NotIn) else test
        if isinstance(op, ast.Is):
            return left.isnull()
        if isinstance(op, ast.IsNot):
            return left.notnull()
        return _COMPARE[type(op)](left, self.visit(right))


def _fold(function: Callable[[Any, Any], Any], values: list[Any]) -> Any:
    result = values[0]
    for value in values[1:]:
        result = function(result, value)
    return result
