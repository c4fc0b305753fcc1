"""The formula language of derived indicators: grammar, functions, lag, missing values, errors and safety.

Every expectation is plain Python arithmetic written in the test (``2 ** 3 ** 2``, ``math.log``), or a
deliberately naive evaluation of a randomly built expression with Python ints; none comes from the code under
test.
"""

from __future__ import annotations

import builtins
import json
import math
import pickle
import re
import subprocess
import sys
import warnings
from dataclasses import FrozenInstanceError
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trustindex import formula as F
from trustindex.formula import Formula, FormulaError, parse

# Any RuntimeWarning (division by zero, invalid value, overflow) fails the test.
pytestmark = pytest.mark.filterwarnings("error")

NAN = float("nan")


def value(text: str, **columns: list[float]) -> list[float]:
    """Evaluate ``text`` over ``columns`` (a single entity when none is given), as a list of floats."""
    arrays = {name: np.array(values, dtype=float) for name, values in columns.items()} or {"_": np.zeros(1)}
    return parse(text).evaluate(arrays).tolist()


def same(actual: list[float], expected: list[float]) -> bool:
    """Equal to 1e-12 (relative), with NaN exactly where expected is NaN."""
    assert len(actual) == len(expected), (actual, expected)
    for a, e in zip(actual, expected, strict=True):
        if math.isnan(e):
            if not math.isnan(a):
                return False
        elif math.isnan(a) or not math.isclose(a, e, rel_tol=1e-12, abs_tol=1e-12):
            return False
    return True


def error(text: str) -> FormulaError:
    with pytest.raises(FormulaError) as caught:
        parse(text)
    return caught.value


# --- grammar: precedence, associativity, numbers ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2+3*4", 2 + 3 * 4),
        ("2*3+4", 2 * 3 + 4),
        ("2^3^2", 2 ** (3**2)),  # right-associative: 512
        ("(2^3)^2", (2**3) ** 2),
        ("-2^2", -(2**2)),  # power binds tighter than unary minus: -4
        ("(-2)^2", (-2) ** 2),
        ("(1+2)*3", (1 + 2) * 3),
        ("8/4/2", (8 / 4) / 2),  # left-associative: 1
        ("2-3-4", (2 - 3) - 4),
        ("2^-1", 2**-1),
        ("-2^-2", -(2**-2)),
        ("2^-2^2", 2 ** -(2**2)),
        ("2^3*2", (2**3) * 2),
        ("2*3^2", 2 * (3**2)),
        ("10 - 2 * 3 ^ 2", 10 - 2 * 3**2),
        ("2 ^ 0.5", math.sqrt(2)),
        ("--3", 3),
        ("+3", 3),
        ("-+-3", 3),
        ("2*-3", -6),
        ("1 - -1", 2),
        ("-(1+2)", -3),
        ("2*(3+4)*5", 70),
        ("7 / 2", 3.5),
        ("12", 12),
        ("0.5", 0.5),
        (".5", 0.5),
        ("1.", 1.0),
        ("1e3", 1000),
        ("2.5E-1", 0.25),
        ("1e+2", 100),
        ("  1\t+\n2 \r\n", 3),
    ],
)
def test_precedence_associativity_and_numbers(text, expected):
    assert same(value(text), [expected])


def test_constant_formula_is_sized_like_the_columns():
    assert value("1 + 1", a=[5.0, 6.0, 7.0]) == [2.0, 2.0, 2.0]


def test_constant_formula_without_columns_cannot_be_sized():
    with pytest.raises(ValueError, match="cannot size"):
        parse("1 + 1").evaluate({})


def test_documented_examples():
    n_total = [50.0, 20.0, NAN, 30.0]
    pop_japanese = [9000.0, 0.0, 100.0, 2000.0]
    pop_foreign = [1000.0, 0.0, 5.0, NAN]
    expected = [1000 * 50 / (9000 + 1000), NAN, NAN, NAN]  # 20 / 0 is missing; NaN in any input is missing
    got = value(
        "1000 * n_total / (pop_japanese + pop_foreign)",
        n_total=n_total,
        pop_japanese=pop_japanese,
        pop_foreign=pop_foreign,
    )
    assert same(got, expected)

    columns = {
        "n_permanent_resident": [10.0, 1.0],
        "n_special_permanent_resident": [4.0, NAN],
        "n_long_term_resident": [6.0, 2.0],
        "n_total": [40.0, 10.0],
    }
    text = "100 * sum(n_permanent_resident, n_special_permanent_resident, n_long_term_resident) / n_total"
    got = value(text, **columns)
    assert same(got, [100 * (10 + 4 + 6) / 40, NAN])


# --- functions ---------------------------------------------------------------------------------------------------


X = [4.0, 0.25, 1.0, 9.0]
Y = [-1.0, 3.0, 0.0, 9.0]
Z = [2.0, -5.0, 0.5, 1.0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sum(x)", X),
        ("sum(x, y)", [a + b for a, b in zip(X, Y, strict=True)]),
        ("sum(x, y, z, 1)", [a + b + c + 1 for a, b, c in zip(X, Y, Z, strict=True)]),
        ("min(x, y)", [min(a, b) for a, b in zip(X, Y, strict=True)]),
        ("min(x, y, z)", [min(a, b, c) for a, b, c in zip(X, Y, Z, strict=True)]),
        ("max(x, y)", [max(a, b) for a, b in zip(X, Y, strict=True)]),
        ("max(x, y, z, 2)", [max(a, b, c, 2) for a, b, c in zip(X, Y, Z, strict=True)]),
        ("log(x)", [math.log(a) for a in X]),
        ("sqrt(x)", [math.sqrt(a) for a in X]),
        ("abs(y)", [abs(b) for b in Y]),
        ("abs(z)", [abs(c) for c in Z]),
        ("max(0, min(y, 2))", [max(0, min(b, 2)) for b in Y]),
        ("log(sqrt(x)) * 2", [math.log(math.sqrt(a)) * 2 for a in X]),
        ("sqrt(abs(z)) + sum(x ^ 2, -y)", [math.sqrt(abs(c)) + (a**2 + -b) for a, b, c in zip(X, Y, Z, strict=True)]),
        ("log(1e3)", [math.log(1000)] * 4),
    ],
)
def test_functions(text, expected):
    assert same(value(text, x=X, y=Y, z=Z), expected)


# --- missing values and non-finite results -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["x", "x + 1", "1 - x", "x * 0", "0 / x", "x / 0", "x ^ 0", "1 ^ x", "0 ^ x", "-x", "+x", "sum(1, x, 2)",
     "min(x, 1)", "max(1, x)", "min(x, x)", "max(-1e300, x)", "log(x)", "sqrt(x)", "abs(x)", "x - x", "lag(x)"],
)  # fmt: skip
def test_missing_propagates(text):
    x = np.array([4.0, NAN])
    got = parse(text).evaluate({"x": x}, {"x": x})
    assert math.isnan(got[1])
    assert not math.isnan(got[0]) or text == "x / 0"


@pytest.mark.parametrize(
    ("text", "x", "expected"),
    [
        ("1 / x", [0.0, -0.0, 2.0], [NAN, NAN, 0.5]),  # never ±inf
        ("x / x", [0.0, 3.0, 0.0], [NAN, 1.0, NAN]),
        ("x / (x - x)", [1.0, 0.0, 5.0], [NAN, NAN, NAN]),
        ("log(x)", [0.0, -1.0, math.e], [NAN, NAN, 1.0]),
        ("sqrt(x)", [-1.0, 0.0, 4.0], [NAN, 0.0, 2.0]),
        ("x ^ -1", [0.0, 2.0, -4.0], [NAN, 0.5, -0.25]),
        ("x ^ 0.5", [-8.0, 9.0, 0.0], [NAN, 3.0, 0.0]),
        ("10 ^ x", [400.0, 2.0, -400.0], [NAN, 100.0, 0.0]),  # overflow is missing; underflow is zero
        ("x * 1e308 * 10", [1.0, -1.0, 0.0], [NAN, NAN, 0.0]),
        ("1 / (1 / x)", [0.0, 4.0, 1e-320], [NAN, 4.0, NAN]),  # 1 / 1e-320 overflows
    ],
)
def test_non_finite_results_are_missing_without_a_warning(text, x, expected):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = parse(text).evaluate({"x": np.array(x)})
    assert not np.isinf(got).any()
    assert same(got.tolist(), expected)


# --- lag -----------------------------------------------------------------------------------------------------------


GROWTH = "100 * (n_total - lag(n_total)) / lag(n_total)"


def test_lag_reads_the_previous_year():
    current = {"n_total": np.array([110.0, 90.0, 5.0, NAN, 7.0])}
    previous = {"n_total": np.array([100.0, 100.0, 0.0, 50.0, NAN])}
    got = parse(GROWTH).evaluate(current, previous)
    expected = [100 * (110 - 100) / 100, 100 * (90 - 100) / 100, NAN, NAN, NAN]
    assert same(got.tolist(), expected)


def test_lag_without_a_previous_year_is_missing():
    current = {"n_total": np.array([110.0, 90.0, 5.0])}
    got = parse(GROWTH).evaluate(current)
    assert got.shape == (3,)
    assert np.isnan(got).all()
    assert np.isnan(parse("lag(n_total)").evaluate(current)).all()


def test_lag_of_a_column_not_read_this_year():
    got = parse("lag(x) * 2").evaluate({"y": np.array([1.0, 2.0])}, {"x": np.array([3.0, NAN])})
    assert same(got.tolist(), [6.0, NAN])


def test_previous_needs_only_the_lagged_columns():
    got = parse("a - lag(b)").evaluate({"a": np.array([5.0])}, {"b": np.array([2.0])})
    assert got.tolist() == [3.0]


def test_lagged_column_absent_from_previous_year():
    with pytest.raises(FormulaError) as caught:
        parse("n - lag(n)").evaluate({"n": np.array([1.0])}, {"m": np.array([1.0])})
    assert caught.value.offset == 8
    assert "previous year" in caught.value.message


def test_previous_year_of_another_length():
    with pytest.raises(ValueError, match="differ in length"):
        parse(GROWTH).evaluate({"n_total": np.array([1.0, 2.0])}, {"n_total": np.array([1.0, 2.0, 3.0])})


# --- names, lagged, position ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "names", "lagged"),
    [
        ("1000 * n_total / (pop_japanese + pop_foreign)", {"n_total", "pop_japanese", "pop_foreign"}, set()),
        (GROWTH, {"n_total"}, {"n_total"}),
        ("lag(a) + lag(b) * 2", set(), {"a", "b"}),
        ("sum(a, b, c) / max(a, d)", {"a", "b", "c", "d"}, set()),
        ("2 ^ 10", set(), set()),
        ("_x1 + X_2", {"_x1", "X_2"}, set()),
    ],
)
def test_names_and_lagged(text, names, lagged):
    formula = parse(text)
    assert formula.names == frozenset(names)
    assert formula.lagged == frozenset(lagged)
    assert formula.text == text


@pytest.mark.parametrize(
    ("text", "name", "offset"),
    [
        ("a + b * a", "a", 0),
        ("a + b * a", "b", 4),
        ("lag(n) - n", "n", 4),
        ("2 * lag( n )", "n", 9),
        ("n_total2 + n_total", "n_total", 11),  # a name, not a substring
        ("sum(x,\n  yy)", "yy", 9),
    ],
)
def test_position(text, name, offset):
    assert parse(text).position(name) == offset


def test_position_of_an_unused_name():
    with pytest.raises(KeyError):
        parse("a + b").position("c")


# --- evaluation: inputs and outputs ---------------------------------------------------------------------------------


def test_unknown_column_at_its_offset_with_a_suggestion():
    with pytest.raises(FormulaError) as caught:
        parse("1000 * n_total / pop_japanes").evaluate({"n_total": np.ones(2), "pop_japanese": np.ones(2)})
    assert caught.value.offset == 17
    assert caught.value.message == "unknown column 'pop_japanes'"
    assert caught.value.hint == "did you mean 'pop_japanese'?"


def test_the_first_unknown_column_from_the_left_is_reported():
    with pytest.raises(FormulaError) as caught:
        parse("a + zz + b + yy").evaluate({"a": np.ones(1), "b": np.ones(1)})
    assert caught.value.offset == 4


@pytest.mark.parametrize(
    ("columns", "match"),
    [
        ({"a": np.ones((2, 2)), "b": np.ones(2)}, "one-dimensional"),
        ({"a": np.ones(2), "b": np.ones(3)}, "differ in length"),
        ({"a": np.array([1.0, np.inf]), "b": np.ones(2)}, "infinite"),
    ],
)
def test_invalid_columns(columns, match):
    with pytest.raises(ValueError, match=match):
        parse("a + b").evaluate(columns)


def test_integer_and_list_columns_are_read_as_floats():
    got = parse("a / b").evaluate({"a": [1, 2, 3], "b": np.array([2, 4, 0])})
    assert got.dtype == np.float64
    assert same(got.tolist(), [0.5, 0.5, NAN])


def test_result_is_a_new_array():
    x = np.array([1.0, 2.0])
    for text in ("x", "+x", "sum(x)", "lag(x)"):
        got = parse(text).evaluate({"x": x}, {"x": x})
        assert not np.shares_memory(got, x)
        got[:] = 99.0
    assert x.tolist() == [1.0, 2.0]


def test_read_only_inputs_are_accepted():
    x = np.array([1.0, 4.0])
    x.setflags(write=False)
    assert parse("sqrt(x) + lag(x)").evaluate({"x": x}, {"x": x}).tolist() == [2.0, 6.0]


# --- the Formula object and the error type --------------------------------------------------------------------------


def test_formula_is_frozen_hashable_and_equal_by_text():
    a, b = parse("a + b"), parse("a + b")
    assert a == b and hash(a) == hash(b)
    assert a != parse("a+b")
    assert str(a) == "a + b"
    assert "_root" not in repr(a)
    with pytest.raises(FrozenInstanceError):
        a.text = "c"  # type: ignore[misc]
    assert isinstance(a, Formula)


def test_formula_error_carries_message_offset_and_hint():
    err = FormulaError("unknown function 'summ'", 3, "did you mean 'sum'?")
    assert (err.message, err.offset, err.hint) == ("unknown function 'summ'", 3, "did you mean 'sum'?")
    assert str(err) == "unknown function 'summ' (did you mean 'sum'?)"
    assert str(FormulaError("empty formula", 0)) == "empty formula"
    copy = pickle.loads(pickle.dumps(err))
    assert (copy.message, copy.offset, copy.hint) == (err.message, err.offset, err.hint)


def test_parse_rejects_non_text():
    with pytest.raises(TypeError):
        parse(b"a + b")  # type: ignore[arg-type]


# --- errors, with the exact offset of the problem -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "offset", "message"),
    [
        # empty
        ("", 0, "empty formula"),
        ("  \n ", 0, "empty formula"),
        # unexpected character
        ("a $ b", 2, "unexpected character '$'"),
        ("a + é", 4, "unexpected character 'é'"),
        ("x = 1", 2, "unexpected character '='"),
        ("100 * a % b", 8, "unexpected character '%'"),
        # unbalanced parentheses
        ("(1 + 2", 0, "unbalanced parenthesis: '(' is never closed"),
        ("2 * (a + (b - c)", 4, "unbalanced parenthesis: '(' is never closed"),
        ("sum(a, b", 3, "unbalanced parenthesis: '(' is never closed"),
        ("1 + 2)", 5, "unbalanced parenthesis: ')' has no matching '('"),
        ("(a))", 3, "unbalanced parenthesis: ')' has no matching '('"),
        # missing operand
        ("1 +", 3, "missing operand after '+'"),
        ("a * (b -  ", 10, "missing operand after '-'"),
        ("1 + * 2", 4, "missing operand between '+' and '*'"),
        ("* 2", 0, "missing operand before '*'"),
        (")", 0, "missing operand before ')'"),
        ("()", 1, "missing operand between '(' and ')'"),
        ("sum(a,)", 6, "missing operand between ',' and ')'"),
        ("sum(,a)", 4, "missing operand between '(' and ','"),
        ("2 ^", 3, "missing operand after '^'"),
        ("-", 1, "missing operand after '-'"),
        # trailing input / missing operator
        ("a b", 2, "missing operator before 'b'"),
        ("2x", 1, "missing operator before 'x'"),
        ("2 (3)", 2, "missing operator before '('"),
        ("1.2.3", 3, "missing operator before '.3'"),
        ("sum(a b)", 6, "missing operator before 'b'"),
        ("(1 2)", 3, "missing operator before '2'"),
        ("1, 2", 1, "unexpected ','"),
        ("(1, 2)", 2, "unexpected ','"),
        # numbers
        ("1e", 0, "malformed number '1e'"),
        ("2.5e- * x", 0, "malformed number '2.5e-'"),
        ("a * 2.5e+ 3", 4, "malformed number '2.5e+'"),
        ("1e999", 0, "number '1e999' is too large"),
        # functions
        ("foo(x)", 0, "unknown function 'foo'"),
        ("n / summ(a, b)", 4, "unknown function 'summ'"),
        ("sum + 1", 0, "'sum' is a function and needs arguments"),
        ("a * lag", 4, "'lag' is a function and needs arguments"),
        # argument counts
        ("log()", 0, "log() takes exactly 1 argument (0 given)"),
        ("log(a, b)", 7, "log() takes exactly 1 argument (2 given)"),
        ("sqrt(a, b, c)", 8, "sqrt() takes exactly 1 argument (3 given)"),
        ("abs()", 0, "abs() takes exactly 1 argument (0 given)"),
        ("1 + lag(a, b)", 11, "lag() takes exactly 1 argument (2 given)"),
        ("lag()", 0, "lag() takes exactly 1 argument (0 given)"),
        ("sum()", 0, "sum() takes at least 1 argument (0 given)"),
        ("x / max(x)", 4, "max() takes at least 2 arguments (1 given)"),
        ("min(a)", 0, "min() takes at least 2 arguments (1 given)"),
        # lag of something that is not a column name
        ("lag(1)", 4, "lag() takes a column name, not an expression"),
        ("lag(a + 1)", 4, "lag() takes a column name, not an expression"),
        ("x - lag( lag(x))", 9, "lag() takes a column name, not an expression"),
        ("lag(-a)", 4, "lag() takes a column name, not an expression"),
        ("lag(sum(a, b))", 4, "lag() takes a column name, not an expression"),
    ],
)
def test_errors_at_their_offset(text, offset, message):
    err = error(text)
    assert (err.offset, err.message) == (offset, message)
    assert 0 <= err.offset <= len(text)


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("n / summ(a, b)", "did you mean 'sum'?"),
        ("SQRT(x)", "did you mean 'sqrt'?"),
        ("Max(a, b)", "did you mean 'max'?"),
        ("foo(x)", "expected one of: abs, lag, log, max, min, sqrt, sum"),
        ("ln(x)", "did you mean 'log'? log is the natural logarithm"),
        ("a ** 2", "write powers with '^', e.g. x ^ 2"),
        ("2x", "write multiplication with '*', e.g. 2 * x"),
        ("(1 + 2", "add the missing ')'"),
        ("'a' + 1", "formulas have no strings; refer to columns by their bare names"),
        ("人口 / 2", "column names are ASCII letters, digits and '_'"),
    ],
)
def test_error_hints(text, hint):
    assert error(text).hint == hint


def test_errors_are_reported_from_the_left():
    # the unknown function comes before the bad character
    assert error("foo(x) + 'a'").offset == 0
    # the bad character comes before the unclosed parenthesis
    assert error("(a + b $").offset == 7


# --- safety: this is not Python ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "offset"),
    [
        ("__import__('os')", 0),  # unknown function, before the quote is even reached
        ("__import__('os').system('ls')", 0),
        ("eval('1')", 0),
        ("exec", 0),  # a column name, then nothing: parses, but see below
        ("a.b", 1),
        ("a[0]", 1),
        ("os.system('ls')", 2),
        ("(1).__class__", 3),
        ("a if b else c", 2),
        ("lambda: 1", 6),
        ("a; b", 1),
        ("a == b", 2),
        ('"a"', 0),
        ("[x for x in y]", 0),
        ("{}", 0),
        ("x @ y", 2),
        ("a ** 2", 3),
        ("a // 2", 3),
        ("not a", 4),
        ("a and b", 2),
        ("x\\\n+1", 1),
    ],
)
def test_python_is_not_accepted(text, offset):
    if text == "exec":  # a bare name is a column called 'exec'; it is data, never code
        formula = parse(text)
        assert formula.names == {"exec"}
        assert parse(text).evaluate({"exec": np.array([1.0])}).tolist() == [1.0]
        return
    assert error(text).offset == offset


def test_no_python_evaluation_is_used(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the formula language must not use Python's evaluator")

    for name in ("eval", "exec", "compile"):
        monkeypatch.setattr(builtins, name, refuse)
    got = parse("100 * (a - lag(a)) / lag(a) + sqrt(b) ^ 2").evaluate(
        {"a": np.array([2.0]), "b": np.array([9.0])}, {"a": np.array([1.0])}
    )
    assert same(got.tolist(), [100 * (2 - 1) / 1 + math.sqrt(9) ** 2])


def test_the_source_has_no_python_evaluator():
    source = Path(F.__file__).read_text(encoding="utf-8")
    assert not re.search(r"(?<![\w.])(eval|exec|compile)\s*\(", source)
    assert not re.search(r"^\s*(import ast|from ast import)", source, re.MULTILINE)


def test_importing_formula_loads_nothing_heavy():
    probe = "import trustindex.formula, json, sys; print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert not set(json.loads(done.stdout.strip().splitlines()[-1])) & {"scipy", "textual", "rich"}


# --- limits: errors, never a RecursionError -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "offset"),
    [
        ("(" * 1000 + "1" + ")" * 1000, F.MAX_NESTING),
        ("-" * 1000 + "1", F.MAX_NESTING),
        ("2" + "^2" * 1000, 2 * F.MAX_NESTING + 1),
        ("sum(" * 1000 + "1" + ")" * 1000, 4 * F.MAX_NESTING + 3),
    ],
)
def test_deep_nesting_is_an_error(text, offset):
    err = error(text)
    assert err.offset == offset
    assert "nested too deeply" in err.message


def test_long_chains_are_an_error_but_long_sums_are_not():
    assert "nested too deeply" in error(" + ".join(["a"] * 1000)).message
    names = [f"c{i}" for i in range(1000)]
    columns = {name: np.array([1.0]) for name in names}
    assert parse(f"sum({', '.join(names)})").evaluate(columns).tolist() == [1000.0]
    assert parse(" + ".join(names[:150])).evaluate(columns).tolist() == [150.0]
    assert parse("(" * 40 + "1" + ")" * 40).evaluate(columns).tolist() == [1.0]


# --- properties ------------------------------------------------------------------------------------------------


PRECEDENCE = {"+": 1, "-": 1, "*": 2}
COLUMNS = {"a": [3, -2, 0, 7], "b": [-5, 1, 9, 0]}

leaves = st.one_of(st.integers(0, 9), st.sampled_from(sorted(COLUMNS)))
trees = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.tuples(st.sampled_from(["+", "-", "*"]), inner, inner),
        st.tuples(st.just("neg"), inner),
    ),
    max_leaves=12,
)


def naive(tree, entity: int) -> int:
    """The value of ``tree`` for one entity, with Python ints."""
    if isinstance(tree, int):
        return tree
    if isinstance(tree, str):
        return COLUMNS[tree][entity]
    if tree[0] == "neg":
        return -naive(tree[1], entity)
    op, left, right = tree
    a, b = naive(left, entity), naive(right, entity)
    return a + b if op == "+" else a - b if op == "-" else a * b


def render(tree, draw) -> str:
    """Text for ``tree`` with the parentheses precedence needs, and sometimes redundant ones and spacing."""
    if isinstance(tree, (int, str)):
        text = str(tree)
    elif tree[0] == "neg":
        inner = render(tree[1], draw)
        text = f"-({inner})" if isinstance(tree[1], tuple) and tree[1][0] != "neg" else f"-{inner}"
    else:
        op, left, right = tree
        lt, rt = render(left, draw), render(right, draw)
        if isinstance(left, tuple) and left[0] in PRECEDENCE and PRECEDENCE[left[0]] < PRECEDENCE[op]:
            lt = f"({lt})"
        if isinstance(right, tuple) and right[0] in PRECEDENCE and PRECEDENCE[right[0]] <= PRECEDENCE[op]:
            rt = f"({rt})"
        space = draw(st.sampled_from(["", " "]))
        text = f"{lt}{space}{op}{space}{rt}"
    return f"({text})" if draw(st.integers(0, 5)) == 0 else text


@settings(max_examples=300, deadline=None)
@given(tree=trees, data=st.data())
def test_integer_arithmetic_matches_python(tree, data):
    text = render(tree, data.draw)
    columns = {name: np.array(values, dtype=float) for name, values in COLUMNS.items()}
    got = parse(text).evaluate(columns)
    expected = [naive(tree, entity) for entity in range(len(COLUMNS["a"]))]
    assert got.tolist() == [float(e) for e in expected], text


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="ab1.e+-*/^(), $lagsumx'", max_size=24))
def test_any_text_parses_or_raises_a_formula_error_inside_it(text):
    try:
        formula = parse(text)
    except FormulaError as err:
        assert 0 <= err.offset <= len(text)
        assert err.message
    else:
        identifiers = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text))
        assert formula.names | formula.lagged <= identifiers
        columns = {name: np.array([1.0, NAN, 0.0, -2.0]) for name in identifiers | {"_"}}
        got = formula.evaluate(columns, columns)
        assert got.shape == (4,)
        assert not np.isinf(got).any()
