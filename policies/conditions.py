"""A tiny condition language over plain facts, shared by questionnaires, obligations and gates.

A condition is a mapping; every entry must hold (AND). An entry is either

* ``fact: value``: the fact equals the value (if the fact is a list: the value is in it);
* ``fact: [v1, v2]``: the fact is one of the values (if the fact is a list: they intersect);
* ``fact: {nonempty: true|false}``: the fact is (not) empty or missing;
* ``fact: {other_than: [v…]}``: the fact (a list) holds a value outside the given ones;
* ``any: [cond, …]``, ``all: [cond, …]``, ``not: cond``.

A missing fact (``None``) matches nothing but ``null`` and ``{nonempty: false}``, so an unanswered
question never switches a rule on by accident. This is AMT's applicability rule ("a requirement
applies when every attribute it specifies matches") with three operators added.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import Any

_SEQUENCES = (list, tuple, set, frozenset)


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, _SEQUENCES):
        return [_plain(v) for v in value]
    return value


def _match_value(actual: Any, expected: Any) -> bool:
    actual = _plain(actual)
    if isinstance(expected, Mapping):
        for op, arg in expected.items():
            if op == "nonempty":
                ok = bool(actual) == bool(arg)
            elif op == "other_than":
                ok = bool(set(actual or []) - {_plain(a) for a in arg})
            else:
                raise ValueError(f"Opérateur de condition inconnu : {op}")
            if not ok:
                return False
        return True
    if isinstance(actual, list):
        wanted = expected if isinstance(expected, list) else [expected]
        return bool(set(actual) & {_plain(w) for w in wanted})
    if isinstance(expected, list):
        return actual in [_plain(e) for e in expected]
    return actual == _plain(expected)


def matches(condition: Mapping[str, Any] | None, facts: Mapping[str, Any]) -> bool:
    """True when ``condition`` holds over ``facts`` (an empty or missing condition always holds)."""
    if not condition:
        return True
    for key, expected in condition.items():
        if key == "all":
            ok = all(matches(c, facts) for c in expected)
        elif key == "any":
            ok = any(matches(c, facts) for c in expected)
        elif key == "not":
            ok = not matches(expected, facts)
        else:
            ok = _match_value(facts.get(key), expected)
        if not ok:
            return False
    return True
