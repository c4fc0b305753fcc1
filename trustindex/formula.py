"""A small, safe expression language for derived indicators.

A dataset may declare an indicator as a formula over its published columns::

    1000 * n_total / (pop_japanese + pop_foreign)
    100 * (n_total - lag(n_total)) / lag(n_total)
    100 * sum(n_permanent_resident, n_special_permanent_resident, n_long_term_resident) / n_total

The text is read by a hand-written tokenizer and recursive-descent parser; nothing here hands user text to
Python's interpreter, so a formula can only do arithmetic on columns.

Grammar (lowest precedence first)::

    expr   := term (('+' | '-') term)*
    term   := unary (('*' | '/') unary)*
    unary  := ('-' | '+') unary | power
    power  := atom ('^' unary)?              right-associative: 2^3^2 = 2^9; -2^2 = -(2^2)
    atom   := NUMBER | NAME | FUNCTION '(' expr (',' expr)* ')' | '(' expr ')'

Numbers are decimal (``12``, ``0.5``, ``.5``, ``1e3``); names are ASCII ``[A-Za-z_][A-Za-z0-9_]*``. The function
names are reserved: ``lag(x)`` (the column ``x`` in the previous year; its argument must be a column name),
``sum(a, ...)`` (one or more arguments), ``min(a, b, ...)`` and ``max(a, b, ...)`` (two or more: they compare
their arguments entity by entity, they are not the minimum or maximum over entities), ``log(x)`` (natural),
``sqrt(x)`` and ``abs(x)``.

Evaluation is vectorised over entities. Missing values (NaN) propagate through every operation and function,
including ``x ^ 0`` and ``min``/``max``. Every result is a finite number or NaN: division by zero, the log of a
non-positive number, the square root of a negative one, ``0 ^ -1``, a negative base with a fractional exponent
and overflow all give NaN, without a numpy warning.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import reduce
from typing import NamedTuple

import numpy as np

from .errors import did_you_mean

__all__ = ["Formula", "FormulaError", "Problem", "parse"]

MAX_NESTING = 50
"""Deepest nesting of parentheses, calls and signs the parser accepts (keeps it far from Python's recursion limit)."""
MAX_DEPTH = 200
"""Deepest expression tree accepted (a chain ``a + b + c + ...`` is one level per operator)."""

# name: (fewest arguments, most arguments or None for no limit)
_ARITY: dict[str, tuple[int, int | None]] = {
    "abs": (1, 1),
    "lag": (1, 1),
    "log": (1, 1),
    "max": (2, None),
    "min": (2, None),
    "sqrt": (1, 1),
    "sum": (1, None),
}
_FUNCTION_HINTS = {
    "ln": "did you mean 'log'? log is the natural logarithm",
    "pow": "write powers with '^', e.g. x ^ 2",
    "mean": "write the mean of columns as sum(a, b) / 2",
    "avg": "write the mean of columns as sum(a, b) / 2",
    "average": "write the mean of columns as sum(a, b) / 2",
}
_ARITY_HINTS = {
    "max": "max compares its arguments entity by entity; it is not the maximum over entities",
    "min": "min compares its arguments entity by entity; it is not the minimum over entities",
    "lag": "lag(x) is the column x in the previous year",
}
_CHARACTER_HINTS = {
    "'": "formulas have no strings; refer to columns by their bare names",
    '"': "formulas have no strings; refer to columns by their bare names",
    "%": "write a percentage as 100 * a / b",
    "=": "a formula is an expression, without '=' or comparisons",
    "<": "a formula is an expression, without comparisons",
    ">": "a formula is an expression, without comparisons",
}


class FormulaError(Exception):
    """A formula that cannot be parsed or evaluated.

    ``offset`` is the 0-based character offset of the problem in the formula text, ``hint`` an optional
    suggestion. ``str(error)`` is the message followed by the hint in parentheses.
    """

    def __init__(self, message: str, offset: int, hint: str | None = None) -> None:
        super().__init__(message, offset, hint)  # all three in args, so the error pickles
        self.message = message
        self.offset = offset
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


# --- the expression tree -------------------------------------------------------------------------------------------
# ``offset`` is where the node's token starts: the number, the column name (inside lag(...) too), the operator
# or sign, the function name.


@dataclass(frozen=True, slots=True)
class _Number:
    value: float
    offset: int


@dataclass(frozen=True, slots=True)
class _Column:
    name: str
    offset: int


@dataclass(frozen=True, slots=True)
class _Lag:
    name: str
    offset: int


@dataclass(frozen=True, slots=True)
class _Negate:
    operand: _Node
    offset: int


@dataclass(frozen=True, slots=True)
class _Binary:
    op: str
    left: _Node
    right: _Node
    offset: int


@dataclass(frozen=True, slots=True)
class _Call:
    function: str
    args: tuple[_Node, ...]
    offset: int


_Node = _Number | _Column | _Lag | _Negate | _Binary | _Call


def _children(node: _Node) -> tuple[_Node, ...]:
    if isinstance(node, _Binary):
        return (node.left, node.right)
    if isinstance(node, _Negate):
        return (node.operand,)
    if isinstance(node, _Call):
        return node.args
    return ()


def _walk(root: _Node) -> Iterator[tuple[_Node, int]]:
    """Every node with its depth (root = 1), without recursion."""
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        yield node, depth
        stack.extend((child, depth + 1) for child in reversed(_children(node)))


# --- tokenizer -----------------------------------------------------------------------------------------------------


class _Token(NamedTuple):
    kind: str  # "num", "badnum", "name", "end", "error", or the character itself: + - * / ^ ( ) ,
    text: str
    offset: int


_DIGITS = r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)"
_TOKEN = re.compile(
    rf"""
    (?P<space>[ \t\r\n]+)
    | (?P<badnum>{_DIGITS}[eE](?![+-]?[0-9])[+-]?)
    | (?P<num>{_DIGITS}(?:[eE][+-]?[0-9]+)?)
    | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<punct>[-+*/^(),])
    """,
    re.VERBOSE,
)


def _tokenize(text: str) -> list[_Token]:
    """The tokens of ``text``, ending with "end", or with an "error" token at the first character that is not
    part of the language (the parser raises when it reaches it, so errors are reported left to right)."""
    tokens = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            tokens.append(_Token("error", text[pos], pos))
            return tokens
        kind = match.lastgroup
        if kind == "badnum":
            tokens.append(_Token("badnum", match.group(), pos))
            return tokens
        if kind == "punct":
            tokens.append(_Token(match.group(), match.group(), pos))
        elif kind != "space":
            tokens.append(_Token(kind, match.group(), pos))
        pos = match.end()
    tokens.append(_Token("end", "", len(text)))
    return tokens


def _describe(token: _Token) -> str:
    return "the end of the formula" if token.kind == "end" else repr(token.text)


# --- parser --------------------------------------------------------------------------------------------------------


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokenize(text)
        self.index = 0
        self.nesting = 0
        self.end = 0
        self.spans: dict[tuple[str, int], tuple[int, int]] = {}
        """(node kind, offset) -> (start, end) of the text of every operation and call, for messages."""

    def mark(self, node: _Node, start: int) -> _Node:
        self.spans[type(node).__name__, node.offset] = (start, self.end)
        return node

    def start(self, node: _Node) -> int:
        return self.spans.get((type(node).__name__, node.offset), (node.offset, 0))[0]

    def peek(self) -> _Token:
        token = self.tokens[self.index]
        if token.kind == "error":
            char = token.text
            shown = repr(char) if char.isprintable() else f"U+{ord(char):04X}"
            hint = _CHARACTER_HINTS.get(char)
            if char.isalpha() or char.isdigit():  # not ASCII, or the tokenizer would have read it
                hint = "column names are ASCII letters, digits and '_'"
            raise FormulaError(f"unexpected character {shown}", token.offset, hint)
        if token.kind == "badnum":
            raise FormulaError(
                f"malformed number {token.text!r}", token.offset, "an exponent needs digits, e.g. 1e3 or 2.5e-1"
            )
        return token

    def advance(self) -> _Token:
        token = self.peek()
        self.index += 1
        self.end = token.offset + len(token.text)
        return token

    @contextmanager
    def nested(self, token: _Token) -> Iterator[None]:
        self.nesting += 1
        if self.nesting > MAX_NESTING:
            raise FormulaError(
                f"formula is nested too deeply (more than {MAX_NESTING} levels)",
                token.offset,
                "split it into several derived indicators",
            )
        yield
        self.nesting -= 1

    # errors

    def after_operand(self, token: _Token) -> FormulaError:
        """The error for ``token`` where an operator, ')' , ',' or the end was expected."""
        if token.kind == ")":
            return FormulaError("unbalanced parenthesis: ')' has no matching '('", token.offset)
        if token.kind == ",":
            return FormulaError("unexpected ','", token.offset, "',' separates the arguments of a function call")
        return FormulaError(
            f"missing operator before {_describe(token)}", token.offset, "write multiplication with '*', e.g. 2 * x"
        )

    def missing_operand(self, token: _Token) -> FormulaError:
        """The error for ``token`` where a number, a name, a call or '(' was expected."""
        previous = self.tokens[self.index - 1] if self.index else None
        hint = None
        if previous is not None and previous.kind == "*" and token.kind == "*":
            hint = "write powers with '^', e.g. x ^ 2"
        if previous is None:
            message = f"missing operand before {_describe(token)}"
        elif token.kind == "end":
            message = f"missing operand after {_describe(previous)}"
        else:
            message = f"missing operand between {_describe(previous)} and {_describe(token)}"
        return FormulaError(message, token.offset, hint)

    # grammar

    def formula(self) -> _Node:
        if self.peek().kind == "end":
            raise FormulaError("empty formula", 0)
        node = self.expr()
        token = self.peek()
        if token.kind != "end":
            raise self.after_operand(token)
        return node

    def expr(self) -> _Node:
        node = self.term()
        while self.peek().kind in ("+", "-"):
            op = self.advance()
            start = self.start(node)
            node = self.mark(_Binary(op.kind, node, self.term(), op.offset), start)
        return node

    def term(self) -> _Node:
        node = self.unary()
        while self.peek().kind in ("*", "/"):
            op = self.advance()
            start = self.start(node)
            node = self.mark(_Binary(op.kind, node, self.unary(), op.offset), start)
        return node

    def unary(self) -> _Node:
        token = self.peek()
        if token.kind not in ("+", "-"):
            return self.power()
        self.advance()
        with self.nested(token):
            operand = self.unary()
        return operand if token.kind == "+" else self.mark(_Negate(operand, token.offset), token.offset)

    def power(self) -> _Node:
        base = self.atom()
        if self.peek().kind != "^":
            return base
        op = self.advance()
        with self.nested(op):
            exponent = self.unary()
        return self.mark(_Binary("^", base, exponent, op.offset), self.start(base))

    def atom(self) -> _Node:
        token = self.peek()
        if token.kind == "num":
            self.advance()
            value = float(token.text)
            if not np.isfinite(value):
                raise FormulaError(f"number {token.text!r} is too large", token.offset)
            return self.mark(_Number(value, token.offset), token.offset)
        if token.kind == "name":
            self.advance()
            if self.peek().kind == "(":
                return self.mark(self.call(token), token.offset)
            if token.text in _ARITY:
                raise FormulaError(
                    f"{token.text!r} is a function and needs arguments", token.offset, f"write {token.text}(...)"
                )
            return self.mark(_Column(token.text, token.offset), token.offset)
        if token.kind == "(":
            self.advance()
            with self.nested(token):
                node = self.expr()
            self.close(token)
            return self.mark(node, token.offset)
        raise self.missing_operand(token)

    def close(self, opening: _Token) -> None:
        token = self.peek()
        if token.kind == ")":
            self.advance()
            return
        if token.kind == "end":
            raise FormulaError("unbalanced parenthesis: '(' is never closed", opening.offset, "add the missing ')'")
        raise self.after_operand(token)

    def call(self, name: _Token) -> _Node:
        function = name.text
        if function not in _ARITY:
            hint = _FUNCTION_HINTS.get(function.lower()) or did_you_mean(function.lower(), _ARITY)
            raise FormulaError(f"unknown function {function!r}", name.offset, hint)
        opening = self.advance()
        args: list[_Node] = []
        starts: list[int] = []
        with self.nested(opening):
            if self.peek().kind != ")":
                while True:
                    starts.append(self.peek().offset)
                    args.append(self.expr())
                    if self.peek().kind != ",":
                        break
                    self.advance()
        self.close(opening)

        fewest, most = _ARITY[function]
        if len(args) < fewest or (most is not None and len(args) > most):
            if most == fewest:
                wanted = f"exactly {fewest} argument{'s' if fewest != 1 else ''}"
            else:
                wanted = f"at least {fewest} argument{'s' if fewest != 1 else ''}"
            offset = starts[most] if most is not None and len(args) > most else name.offset
            raise FormulaError(f"{function}() takes {wanted} ({len(args)} given)", offset, _ARITY_HINTS.get(function))
        if function == "lag":
            (arg,) = args
            if not isinstance(arg, _Column):
                raise FormulaError(
                    "lag() takes a column name, not an expression",
                    starts[0],
                    "lag(x) is the column x in the previous year; write e.g. lag(a) + lag(b), not lag(a + b)",
                )
            return _Lag(arg.name, arg.offset)
        return _Call(function, tuple(args), name.offset)


def parse(text: str) -> Formula:
    """Parse ``text`` into a :class:`Formula`.

    Raises :class:`FormulaError` with the offset of the first problem from the left: an unexpected character, an
    unbalanced parenthesis, a missing operand or operator, an unknown function (with a "did you mean" hint), a
    wrong number of arguments, ``lag`` of something that is not a column name, an empty formula, trailing input.
    """
    if not isinstance(text, str):
        raise TypeError(f"a formula is a str, not {type(text).__name__}")
    parser = _Parser(text)
    root = parser.formula()
    names: set[str] = set()
    lagged: set[str] = set()
    for node, depth in _walk(root):
        if depth > MAX_DEPTH:
            raise FormulaError(
                f"formula is nested too deeply (more than {MAX_DEPTH} levels)",
                node.offset,
                "split it into several derived indicators, or use sum(...) for long sums",
            )
        if isinstance(node, _Column):
            names.add(node.name)
        elif isinstance(node, _Lag):
            lagged.add(node.name)
    return Formula(text, frozenset(names), frozenset(lagged), root, parser.spans)


# --- formula and evaluation ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Formula:
    """A parsed formula. Build it with :func:`parse`; two formulas are equal when their texts are."""

    text: str
    names: frozenset[str]
    """Column names used directly."""
    lagged: frozenset[str]
    """Column names used inside ``lag(...)``."""
    _root: _Node = field(repr=False, compare=False)
    _spans: Mapping[tuple[str, int], tuple[int, int]] = field(default_factory=dict, repr=False, compare=False)

    def __str__(self) -> str:
        return self.text

    def position(self, name: str) -> int:
        """Offset of the first occurrence of column ``name`` in the text, used directly or inside ``lag(...)``.

        Raises ``KeyError`` when the formula does not use ``name``.
        """
        found = [offset for (used, _), offset in self._first_offsets().items() if used == name]
        if not found:
            raise KeyError(name)
        return min(found)

    def evaluate(
        self,
        columns: Mapping[str, np.ndarray],
        previous: Mapping[str, np.ndarray] | None = None,
        problems: list[Problem] | None = None,
    ) -> np.ndarray:
        """The formula's value for every entity, as a new 1-D float array.

        ``columns`` maps column names to 1-D arrays (NaN = missing), one value per entity. ``previous`` holds the
        previous year's columns in the same entity order, for ``lag(...)``; when it is None every ``lag(...)`` is
        missing (NaN). Missing values propagate, and every result is finite or NaN (see the module docstring).
        With ``problems``, every operation that turned present values into a missing one (a division by zero,
        an overflow, the log of a non-positive number, ...) is appended to it as a :class:`Problem`.

        Raises :class:`FormulaError` (at the column's offset, with a "did you mean" hint) when a column the
        formula uses is absent from ``columns``, or, for a lagged column, from a given ``previous``; ``ValueError``
        when a column is not one-dimensional, holds an infinite value, or the columns differ in length.
        """
        first = self._first_offsets()
        current = {}
        for name in sorted(self.names, key=lambda n: first[n, False]):
            if name not in columns:
                raise FormulaError(f"unknown column {name!r}", first[name, False], did_you_mean(name, columns))
            current[name] = _as_column(columns[name], name, "column")
        before = None
        if previous is not None:
            before = {}
            for name in sorted(self.lagged, key=lambda n: first[n, True]):
                if name not in previous:
                    raise FormulaError(
                        f"column {name!r} is missing from the previous year's columns",
                        first[name, True],
                        did_you_mean(name, previous),
                    )
                before[name] = _as_column(previous[name], name, "previous year's column")

        lengths = {len(a) for a in current.values()} | {len(a) for a in (before or {}).values()}
        if len(lengths) > 1:
            sizes = ", ".join(f"{name}: {len(a)}" for name, a in current.items())
            if before:
                sizes += "; previous year: " + ", ".join(f"{name}: {len(a)}" for name, a in before.items())
            raise ValueError(f"columns differ in length ({sizes})")
        if lengths:
            (n,) = lengths
        else:  # no column is read: size the result like the columns given
            given = [*columns.values(), *(previous or {}).values()]
            if not given:
                raise ValueError("cannot size the result: the formula reads no column and no column was given")
            n = len(np.asarray(given[0]))

        found: dict[tuple[str, str], Problem] = {}

        def report(node: _Node, what: str, operand: _Node, where: np.ndarray) -> None:
            if not where.any():
                return
            start, end = self._spans.get((type(node).__name__, node.offset), (node.offset, node.offset + 1))
            text = self.text[start:end]
            names = tuple(sorted({n.name for n, _ in _walk(operand) if isinstance(n, (_Column, _Lag))}))
            mask = np.broadcast_to(where, (n,))
            if (what, text) in found:
                mask = mask | found[what, text].entities
            found[what, text] = Problem(what, text, names, mask)

        with np.errstate(all="ignore"):
            result = _evaluate(self._root, current, before, n, report if problems is not None else None)
        if problems is not None:
            problems.extend(found.values())
        return np.array(np.broadcast_to(result, (n,)), dtype=float)  # always a fresh array

    def _first_offsets(self) -> dict[tuple[str, bool], int]:
        """``{(name, lagged): offset}`` of each column's first use, direct (False) and inside lag (True)."""
        first: dict[tuple[str, bool], int] = {}
        for node, _ in _walk(self._root):
            if isinstance(node, (_Column, _Lag)):
                key = (node.name, isinstance(node, _Lag))
                first[key] = min(first.get(key, node.offset), node.offset)
        return first


def _as_column(value, name: str, what: str) -> np.ndarray:
    array = np.asarray(value, dtype=float)
    if array.ndim != 1:
        raise ValueError(f"{what} {name!r} must be one-dimensional (one value per entity), not of shape {array.shape}")
    if np.isinf(array).any():
        raise ValueError(f"{what} {name!r} holds an infinite value; use NaN for a missing value")
    return array


_BINARY = {"+": np.add, "-": np.subtract, "*": np.multiply, "/": np.divide, "^": np.power}
_UNARY = {"abs": np.abs, "log": np.log, "sqrt": np.sqrt}
_REDUCE = {"sum": np.add, "min": np.minimum, "max": np.maximum}


def _finite(values: np.ndarray) -> np.ndarray:
    """``values`` with every infinity replaced by NaN (a new array)."""
    return np.where(np.isfinite(values), values, np.nan)


@dataclass(frozen=True)
class Problem:
    """An operation that made a value missing for some entities: what went wrong, where, and on which columns."""

    what: str
    """division by zero, overflow, log of a non-positive number, ..."""
    text: str
    """The operation's text in the formula, e.g. ``n_dependent / n_total``."""
    columns: tuple[str, ...]
    """The columns of the operand at fault (the divisor, the log's argument; every column for an overflow)."""
    entities: np.ndarray
    """Where it happened (a boolean mask over the entities)."""


def _why(node: _Node, left: np.ndarray, right: np.ndarray | None) -> tuple[str, _Node] | None:
    """What turned present inputs into a missing result at ``node``, and the operand at fault."""
    if isinstance(node, _Binary):
        if node.op == "/":
            return ("division by zero", node.right) if np.any(right == 0) else ("overflow", node)
        if node.op == "^":
            if np.any((left == 0) & (right < 0)):
                return "zero to a negative power", node
            if np.any((left < 0) & (right != np.round(right))):
                return "a negative number to a fractional power", node
        return "overflow", node
    if node.function == "log":
        return ("log of zero or a negative number", node.args[0]) if np.any(left <= 0) else ("overflow", node)
    if node.function == "sqrt":
        return "square root of a negative number", node.args[0]
    return "overflow", node


def _evaluate(node: _Node, current, before, n: int, report=None):
    """The kernel: evaluate ``node`` over whole columns. Inputs are trusted (checked by ``Formula.evaluate``).

    ``report(node, what, operand, mask)``, when given, hears of every operation that made present values missing.
    """
    if isinstance(node, _Number):
        return np.full(n, node.value)
    if isinstance(node, _Column):
        return current[node.name]
    if isinstance(node, _Lag):
        return np.full(n, np.nan) if before is None else before[node.name]
    if isinstance(node, _Negate):
        return -_evaluate(node.operand, current, before, n, report)
    if isinstance(node, _Binary):
        left = _evaluate(node.left, current, before, n, report)
        right = _evaluate(node.right, current, before, n, report)
        result = _BINARY[node.op](left, right)
        if node.op == "^":  # numpy gives nan ^ 0 = 1 and 1 ^ nan = 1; missing must stay missing
            result = np.where(np.isnan(left) | np.isnan(right), np.nan, result)
        inputs = ~np.isnan(left) & ~np.isnan(right)
    else:
        args = [_evaluate(arg, current, before, n, report) for arg in node.args]
        if node.function in _UNARY:
            left, right = args[0], None
            result = _UNARY[node.function](args[0])
        else:
            left, right = args[0], None
            result = reduce(_REDUCE[node.function], args)  # np.minimum / np.maximum propagate NaN
        inputs = np.logical_and.reduce([~np.isnan(a) for a in args])
    bad = inputs & ~np.isfinite(result)
    if report is not None and np.any(bad):
        pick = np.broadcast_to(bad, np.broadcast(left, result).shape)
        lhs = np.broadcast_to(left, pick.shape)[pick]
        rhs = None if right is None else np.broadcast_to(right, pick.shape)[pick]
        what, operand = _why(node, lhs, rhs)
        report(node, what, operand, bad)
    return _finite(result)
