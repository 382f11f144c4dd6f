"""Odoo domains compiled into Python predicates, evaluated as Odoo 17 evaluates them.

:func:`compile_domain` checks a domain once (operators, fields, arity) and
returns a closure ``row -> bool``; searching is then one pass over the rows.
The semantics follow Odoo's SQL translation:

- implicit ``&`` between top-level terms; ``!`` is pushed down to the leaves
  (``=`` becomes ``!=``, ``<`` becomes ``>=``, ``any`` becomes ``not any``),
  and what cannot be negated that way is negated as SQL would (NULL stays out);
- NULL (``None``) never compares; ``('f', '=', False)`` is ``IS NULL``,
  negative operators with a value (``!=``, ``not in``, ``not like``) also
  match NULL, ``in`` a list holding ``False`` also matches NULL;
- ``like``/``ilike`` wrap the value in ``%``; ``=like``/``=ilike`` use it as
  the pattern; ``%`` and ``_`` are wildcards in both;
- a dotted path ``a.b`` is ``(a, 'any', [(b, op, value)])``; a many2one or
  x2many compared with a string resolves it by name on the comodel first.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any, Protocol

from ._exceptions import Fault, value_error
from ._fields import RELATIONAL, X2MANY, Field, ModelSpec, Row, is_numeric

__all__ = [
    "OPERATORS",
    "DomainEnv",
    "Predicate",
    "and_domains",
    "compile_domain",
    "normalize_domain",
]

Predicate = Callable[[Row], bool]

OPERATORS = frozenset(
    {
        "=", "!=", "<=", "<", ">", ">=", "=?", "=like", "=ilike", "like", "not like",
        "ilike", "not ilike", "in", "not in", "child_of", "parent_of", "any", "not any",
    }
)  # fmt: skip
_NEGATION = {
    "<": ">=", ">": "<=", "<=": ">", ">=": "<", "=": "!=", "!=": "=",
    "in": "not in", "not in": "in", "like": "not like", "not like": "like",
    "ilike": "not ilike", "not ilike": "ilike", "any": "not any", "not any": "any",
}  # fmt: skip
_NEGATIVE = frozenset({"!=", "not like", "not ilike", "not in"})
_WILDCARD = frozenset({"like", "ilike", "not like", "not ilike"})
_LIKE = _WILDCARD | {"=like", "=ilike"}
_ARITY = {"!": 1, "&": 2, "|": 2}
TRUE_LEAF = (1, "=", 1)
FALSE_LEAF = (0, "=", 1)
_PG_TYPES = {"integer": "integer", "float": "double precision", "monetary": "numeric"}


def _true(row: Row) -> bool:
    return True


def _false(row: Row) -> bool:
    return False


class DomainEnv(Protocol):
    """What the compiler needs from the database."""

    def spec(self, model: str) -> ModelSpec: ...

    def rows(self, model: str) -> Mapping[int, Row]: ...

    def getter(self, model: str, fname: str) -> Callable[[Row], Any]:
        """Stored value of a field: scalar or id (``None`` for NULL), or the x2many's ids."""
        ...

    def children(self, model: str) -> Mapping[int, Sequence[int]]:
        """Parent id -> child ids along the model's parent field."""
        ...

    def search_set(self, model: str, domain: Any, active_test: bool) -> set[int]: ...


def normalize_domain(domain: Any) -> list[Any]:
    """Odoo's ``normalize_domain``: explicit prefix operators, leaves as tuples."""
    if not domain:
        return [TRUE_LEAF]
    if not isinstance(domain, (list, tuple)):
        raise value_error(f"Invalid domain {domain!r}")
    result: list[Any] = []
    expected = 1
    for token in domain:
        if expected == 0:
            result[0:0] = ["&"]
            expected = 1
        if isinstance(token, (list, tuple)):
            expected -= 1
            token = tuple(token)
        else:
            expected += _ARITY.get(token, 0) - 1 if isinstance(token, str) else -1
        result.append(token)
    if expected != 0:
        raise value_error(f"Domain {list(domain)!r} is syntactically not correct.")
    return result


def and_domains(*domains: Sequence[Any]) -> list[Any]:
    """Odoo's ``expression.AND``: skip empty domains, prefix ``&`` for the rest."""
    parts = [normalize_domain(d) for d in domains if d]
    result: list[Any] = ["&"] * (len(parts) - 1)
    for part in parts:
        result += part
    return result


def compile_domain(env: DomainEnv, model: str, domain: Any, *, active_test: bool) -> Predicate:
    """Check ``domain`` against ``model`` and return its predicate over rows."""
    tokens = normalize_domain(domain)
    node, end = _parse(tokens, 0)
    if end != len(tokens):  # pragma: no cover - normalize_domain guarantees this
        raise value_error(f"Domain {list(domain)!r} is syntactically not correct.")
    return _Compiler(env, active_test).node(model, node, negate=False)


def _parse(tokens: list[Any], i: int) -> tuple[Any, int]:
    token = tokens[i]
    if isinstance(token, str) and token in _ARITY:
        children = []
        i += 1
        for _ in range(_ARITY[token]):
            child, i = _parse(tokens, i)
            children.append(child)
        return (token, *children), i
    return ("leaf", _check_leaf(token)), i + 1


def _check_leaf(token: Any) -> tuple[Any, str, Any]:
    if not isinstance(token, tuple) or len(token) != 3:
        raise value_error(f"Invalid leaf {token!r}")
    left, operator, right = token
    if token in (TRUE_LEAF, FALSE_LEAF) and not isinstance(left, str):
        return token
    if not isinstance(operator, str):
        raise value_error(f"Invalid leaf {token!r}")
    operator = operator.lower()
    operator = {"<>": "!=", "==": "="}.get(operator, operator)
    if operator not in OPERATORS or not isinstance(left, str) or not left:
        raise value_error(f"Invalid leaf {token!r}")
    return (left, operator, right)


class _Compiler:
    def __init__(self, env: DomainEnv, active_test: bool) -> None:
        self.env = env
        self.active_test = active_test

    # -- tree ---------------------------------------------------------------

    def node(self, model: str, node: Any, *, negate: bool) -> Predicate:
        kind = node[0]
        if kind == "!":
            return self.node(model, node[1], negate=not negate)
        if kind in ("&", "|"):
            left = self.node(model, node[1], negate=negate)
            right = self.node(model, node[2], negate=negate)
            if (kind == "&") != negate:
                return lambda row: left(row) and right(row)
            return lambda row: left(row) or right(row)
        return self.leaf(model, node[1], negate=negate)

    def leaf(self, model: str, leaf: tuple[Any, str, Any], *, negate: bool) -> Predicate:
        left, operator, right = leaf
        if not isinstance(left, str):  # TRUE_LEAF or FALSE_LEAF, as _check_leaf ensured
            return _true if (leaf == TRUE_LEAF) != negate else _false
        if negate and operator in _NEGATION:
            return self.leaf(model, (left, _NEGATION[operator], right), negate=False)
        spec = self.env.spec(model)
        fname, _, rest = left.partition(".")
        f = spec.fields.get(fname)
        if f is None:
            raise value_error(f"Invalid field {model}.{fname} in leaf {leaf!r}")
        if rest or f.related:
            if rest and f.type not in RELATIONAL:
                raise value_error(f"Invalid field {model}.{left} in leaf {leaf!r}")
            path = left if rest else f.related
            assert path is not None
            head, _, tail = path.partition(".")
            sub = self.leaf(model, (head, "any", [(tail, operator, right)]), negate=False)
            if not negate:
                return sub
            head_field = spec.fields.get(head)
            many2one = head_field is not None and head_field.type == "many2one"
            return _negated(sub, self.env.getter(model, head) if many2one else None)
        if fname == "display_name":
            pred = self.display_name(model, spec, operator, right)
            return _negated(pred, None) if negate else pred
        if not f.store:
            raise value_error(f"Non-stored field {model}.{fname} cannot be searched.")
        if operator == "=?":
            if right is False or right is None:
                return _false if negate else _true
            operator = "="
        if f.type == "many2one":
            pred = self.many2one(model, f, operator, right, leaf)
        elif f.type in X2MANY:
            pred = self.x2many(model, f, operator, right, leaf)
        else:
            pred = self.scalar(model, f, operator, right, leaf)
        if not negate:
            return pred
        # What Odoo leaves to SQL's NOT (=like, child_of, ...): a NULL column stays out.
        if f.type in X2MANY or fname == "id":
            return _negated(pred, None)
        return _negated(pred, self.env.getter(model, fname))

    def display_name(self, model: str, spec: ModelSpec, operator: str, right: Any) -> Predicate:
        if operator in ("any", "not any", "child_of", "parent_of"):
            raise value_error(f"Invalid leaf {('display_name', operator, right)!r}")
        leaves = [(name, operator, right) for name in spec.rec_names_search]
        joiner = "&" if operator in _NEGATIVE else "|"
        domain: list[Any] = [joiner] * (len(leaves) - 1) + leaves
        return self.node(model, _parse(normalize_domain(domain), 0)[0], negate=False)

    # -- hierarchy and names --------------------------------------------------

    def name_ids(self, model: str, operator: str, value: Any, *, active_test: bool) -> set[int]:
        if operator in ("<", ">", "<=", ">="):
            operator = "in"
        if isinstance(value, (list, tuple)):
            operator = {"=": "in", "!=": "not in"}.get(operator, operator)
        elif operator in ("in", "not in"):
            operator = {"in": "=", "not in": "!="}[operator]
        return self.env.search_set(model, [("display_name", operator, value)], active_test)

    def to_ids(self, model: str, value: Any, leaf: Any) -> tuple[set[int], bool]:
        """Ids named by a leaf's value (an id, ids, names), and whether False was among them."""
        if isinstance(value, str):
            return self.name_ids(model, "ilike", value, active_test=True), False
        if isinstance(value, (list, tuple)):
            ids: set[int] = set()
            with_false = False
            for item in value:
                if item is False or item is None:
                    with_false = True
                elif isinstance(item, str):
                    ids |= self.name_ids(model, "ilike", item, active_test=True)
                else:
                    ids.add(_as_id(item, leaf))
            return ids, with_false
        if value is False or value is None:
            return set(), True
        return {_as_id(value, leaf)}, False

    def hierarchy(self, model: str, ids: set[int], operator: str) -> set[int]:
        spec = self.env.spec(model)
        if not spec.parent_name:
            return set(ids)
        rows = self.env.rows(model)
        found = {i for i in ids if i in rows}
        if operator == "child_of":
            children = self.env.children(model)
            todo = list(found)
            while todo:
                for child in children.get(todo.pop(), ()):
                    if child not in found:
                        found.add(child)
                        todo.append(child)
            return found
        parent_of = self.env.getter(model, spec.parent_name)
        for start in list(found):
            row = rows.get(start)
            while row is not None:
                parent = parent_of(row)
                if parent is None or parent in found:
                    break
                found.add(parent)
                row = rows.get(parent)
        return found

    # -- leaves by field type -------------------------------------------------

    def many2one(self, model: str, f: Field, operator: str, right: Any, leaf: Any) -> Predicate:
        get = self.env.getter(model, f.name)
        comodel = f.relation
        assert comodel is not None
        if operator in ("any", "not any"):
            if not isinstance(right, (list, tuple)):
                raise value_error(f"Invalid leaf {leaf!r}")
            sub = self.env.search_set(comodel, right, False)
            if operator == "any":
                return lambda row: get(row) in sub
            return lambda row: (value := get(row)) is None or value not in sub
        if operator in ("child_of", "parent_of"):
            ids, _ = self.to_ids(comodel, right, leaf)
            closure = self.hierarchy(comodel, ids, operator)
            return lambda row: get(row) in closure
        is_names = isinstance(right, str) or (
            isinstance(right, (list, tuple)) and right and all(isinstance(v, str) for v in right)
        )
        if is_names:
            ids = self.name_ids(comodel, operator, right, active_test=False)
            if operator in _NEGATIVE:
                return lambda row: (value := get(row)) is None or value in ids
            return lambda row: get(row) in ids
        return self.scalar(model, f, operator, right, leaf)

    def x2many(self, model: str, f: Field, operator: str, right: Any, leaf: Any) -> Predicate:
        get = self.env.getter(model, f.name)
        comodel = f.relation
        assert comodel is not None
        co_spec = self.env.spec(comodel)
        live: set[int] | None = None
        if self.active_test and co_spec.has_active:
            live = self.env.search_set(comodel, [], True)
        if operator in ("any", "not any"):
            if not isinstance(right, (list, tuple)):
                raise value_error(f"Invalid leaf {leaf!r}")
            sub = self.env.search_set(comodel, right, self.active_test)
            hit = _overlaps(get, sub)
            return hit if operator == "any" else _negated(hit, None)
        if operator in ("child_of", "parent_of"):
            ids, _ = self.to_ids(comodel, right, leaf)
            return _overlaps(get, self.hierarchy(comodel, ids, operator))
        negative = operator in _NEGATIVE
        is_names = isinstance(right, str) or (
            isinstance(right, (list, tuple)) and right and all(isinstance(v, str) for v in right)
        )
        with_false = False
        if is_names:
            if isinstance(right, (list, tuple)):
                name_op = "in"
            else:
                name_op = "ilike" if negative else operator
            ids = self.name_ids(comodel, name_op, right, active_test=self.active_test)
        elif operator in ("<", ">", "<=", ">=") or operator in _LIKE:
            cmp = self.scalar(comodel, self.env.spec(comodel).fields["id"], operator, right, leaf)
            ids = {i for i, row in self.env.rows(comodel).items() if cmp(row)}
        else:
            if operator in ("in", "not in") and not isinstance(right, (list, tuple)):
                if not isinstance(right, bool):
                    raise value_error(f"Invalid domain term {leaf!r}")
                right = [right] if right else []
            ids, with_false = self.to_ids(comodel, right, leaf)
        if live is not None:
            ids &= live
        hit = _overlaps(get, ids)
        if with_false:
            empty = _negated(_overlaps(get, live), None) if live is not None else _empty(get)
            positive = hit
            hit = lambda row: positive(row) or empty(row)  # noqa: E731
        return _negated(hit, None) if negative else hit

    def scalar(self, model: str, f: Field, operator: str, right: Any, leaf: Any) -> Predicate:
        get = self.env.getter(model, f.name)
        ftype = f.type
        if operator in ("any", "not any", "child_of", "parent_of"):
            if f.name == "id" and operator in ("child_of", "parent_of"):
                ids, _ = self.to_ids(model, right, leaf)
                closure = self.hierarchy(model, ids, operator)
                return lambda row: get(row) in closure
            raise value_error(f"Invalid leaf {leaf!r}")
        if operator in _LIKE:
            return _like(get, ftype, operator, right)
        if operator in ("in", "not in"):
            return _in(get, f, operator, right, leaf)
        if ftype == "boolean":
            return _boolean(get, operator, right)
        if right is False or right is None:
            if operator == "=":
                return lambda row: get(row) is None
            if operator == "!=":
                return lambda row: get(row) is not None
            return _false
        value = _coerce(f, right, operator)
        if operator == "=":
            return lambda row: get(row) == value
        if operator == "!=":
            if right:
                return lambda row: get(row) != value
            return lambda row: (current := get(row)) is not None and current != value
        compare = _COMPARE[operator]
        return lambda row: (current := get(row)) is not None and compare(current, value)


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "<": lambda a, b: a < b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    ">=": lambda a, b: a >= b,
}


def _negated(pred: Predicate, null_of: Callable[[Row], Any] | None) -> Predicate:
    if null_of is None:
        return lambda row: not pred(row)
    return lambda row: not pred(row) and null_of(row) is not None


def _overlaps(get: Callable[[Row], Any], ids: Collection[int]) -> Predicate:
    return lambda row: any(i in ids for i in get(row))


def _empty(get: Callable[[Row], Any]) -> Predicate:
    return lambda row: not get(row)


def _as_id(value: Any, leaf: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    raise value_error(f"Invalid domain term {leaf!r}")


def _coerce(f: Field, value: Any, operator: str) -> Any:
    """The comparison operand for a column of this field's type, as PostgreSQL would cast it."""
    ftype = f.type
    if is_numeric(ftype) or ftype == "many2one" or f.name == "id":
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return value
        try:
            return float(value) if isinstance(value, str) else int(value)
        except (TypeError, ValueError):
            pgtype = _PG_TYPES.get(ftype, "integer")
            raise Fault(
                "psycopg2.errors.InvalidTextRepresentation",
                f'invalid input syntax for type {pgtype}: "{value}"\n',
            ) from None
    if isinstance(value, (list, tuple, dict)):
        raise value_error(f"Invalid domain term {(f.name, operator, value)!r}")
    text = value if isinstance(value, str) else str(value)
    if ftype == "date":
        return text[:10]
    if ftype == "datetime" and len(text) == 10:
        return text + (" 23:59:59" if operator in (">", "<=") else " 00:00:00")
    return text


def _boolean(get: Callable[[Row], Any], operator: str, right: Any) -> Predicate:
    if right is None:
        right = False
    if operator == "=":
        return (lambda row: get(row) is True) if right else (lambda row: not get(row))
    if operator == "!=":
        return (lambda row: get(row) is not True) if right else (lambda row: get(row) is True)
    value = bool(right)
    compare = _COMPARE[operator]
    return lambda row: (current := get(row)) is not None and compare(current, value)


def _in(get: Callable[[Row], Any], f: Field, operator: str, right: Any, leaf: Any) -> Predicate:
    if isinstance(right, bool):
        if (operator == "in") == right:
            return lambda row: get(row) is not None
        return lambda row: get(row) is None
    if not isinstance(right, (list, tuple)):
        raise value_error(f"Invalid domain term {leaf!r}")
    if f.type == "boolean":
        wanted = frozenset(bool(v) for v in right)
        if operator == "in":
            return lambda row: bool(get(row)) in wanted
        return lambda row: bool(get(row)) not in wanted
    params = frozenset(_coerce(f, v, operator) for v in right if v is not False and v is not None)
    check_null = any(v is False or v is None for v in right)
    if operator == "in":
        if check_null:
            return lambda row: (value := get(row)) is None or value in params
        return lambda row: get(row) in params
    if check_null:
        return lambda row: (value := get(row)) is not None and value not in params
    return lambda row: (value := get(row)) is None or value not in params


def _like(get: Callable[[Row], Any], ftype: str, operator: str, right: Any) -> Predicate:
    if isinstance(right, (list, tuple, dict)):
        raise value_error(f"Invalid domain term {('', operator, right)!r}")
    text = "" if right is False or right is None else str(right)
    wildcard = operator in _WILDCARD
    pattern = f"%{text}%" if wildcard else text
    match = _like_matcher(pattern, insensitive="ilike" in operator)
    as_text: Callable[[Any], str] = str
    if ftype == "boolean":
        as_text = lambda v: "true" if v else "false"  # noqa: E731
    if operator.startswith("not"):
        # NOT LIKE also matches NULL (Odoo adds "OR col IS NULL").
        return lambda row: (value := get(row)) is None or not match(as_text(value))
    if wildcard and not text:
        return _true
    return lambda row: (value := get(row)) is not None and match(as_text(value))


def _like_matcher(pattern: str, *, insensitive: bool) -> Callable[[str], bool]:
    """A test for SQL ``LIKE``/``ILIKE`` with this pattern (``%``, ``_``, ``\\`` escapes)."""
    parts: list[str] = []
    plain: list[str] = []
    literal = True
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            i += 1
            parts.append(re.escape(pattern[i]))
            plain.append(pattern[i])
        elif char == "%":
            parts.append(".*")
            plain.append("\0%")
            literal = False
        elif char == "_":
            parts.append(".")
            literal = False
            plain.append("\0_")
        else:
            parts.append(re.escape(char))
            plain.append(char)
        i += 1
    if literal:
        needle = "".join(plain)
        if insensitive:
            low = needle.lower()
            return lambda value: value.lower() == low
        return lambda value: value == needle
    inner = plain[1:-1]
    if (
        len(plain) >= 2
        and plain[0] == plain[-1] == "\0%"
        and not any(p.startswith("\0") for p in inner)
    ):
        needle = "".join(inner)
        if insensitive:
            low = needle.lower()
            return lambda value: low in value.lower()
        return lambda value: needle in value
    regex = re.compile("".join(parts), re.DOTALL | (re.IGNORECASE if insensitive else 0))
    return lambda value: regex.fullmatch(value) is not None
