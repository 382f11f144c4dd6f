"""Odoo domains on the client side: a small builder, and a validator for raw domains.

An Odoo domain is a list in prefix (Polish) notation: leaves ``[field, operator,
value]`` and the operators ``"&"`` (and), ``"|"`` (or) and ``"!"`` (not), which
come *before* their operands. Leaves written one after the other are and-ed::

    [["is_company", "=", True], "|", ["country_id.code", "=", "BE"], ["email", "ilike", "@be"]]

The builder writes the same thing with Python operators::

    (F.is_company == True) & ((F.country_id.code == "BE") | F.email.ilike("@be"))

``F.name`` and ``F("name")`` name a field; ``F.partner_id.country_id`` and
``F("partner_id.country_id")`` are the same dotted path. A comparison or a
method (``like ilike not_like not_ilike eq_like eq_ilike in_ not_in child_of
parent_of any not_any eq_or_ignore``) gives a :class:`Domain`; domains combine
with ``&``, ``|`` and ``~``, with each other and with raw lists.

Use ``&``, ``|``, ``~`` -- never ``and``, ``or``, ``not``, which Python applies to
truth values. A Domain (and a field reference) refuses to be used as a truth
value and raises :class:`TypeError`, so that ``(F.a == 1) and (F.b == 2)`` fails
loudly instead of silently meaning ``F.b == 2``. Mind the parentheses too:
``&`` binds tighter than ``==``.

:func:`normalize_domain` checks a domain before anything is sent (the arity of
``&``/``|``/``!``, the shape of every leaf, the operator, the value of ``in``
and ``any``) and returns exactly the JSON Odoo expects, values converted by
:func:`odoo_async._values.to_odoo`. A mistake raises
:class:`~odoo_async._errors.DomainError` naming its position::

    domain[2]: unknown operator 'bogus' in ('name', 'bogus', 'x')
    domain[0][2][1]: '|' needs 2 operands, got 1 (the domain ends too early)

The second position reads as Python indexing: item 0 of the domain, its value
(index 2, an ``any`` sub-domain), item 1 of that.
"""

from __future__ import annotations

import re
import reprlib
from collections.abc import Iterable, Iterator, Sequence
from collections.abc import Set as AbstractSet
from typing import Any, ClassVar, Final, NoReturn, Union

from odoo_async._errors import DomainError
from odoo_async._values import to_odoo

__all__ = ["OPERATORS", "Domain", "DomainLike", "F", "Field", "as_single_term", "normalize_domain"]

#: Leaf operators accepted by Odoo 17 (case-sensitive, as Odoo checks them).
#: ``"<>"`` is sent as its synonym ``"!="``.
OPERATORS: Final[frozenset[str]] = frozenset(
    {
        "=",
        "!=",
        "<>",
        "<",
        "<=",
        ">",
        ">=",
        "=?",
        "=like",
        "=ilike",
        "like",
        "not like",
        "ilike",
        "not ilike",
        "in",
        "not in",
        "child_of",
        "parent_of",
        "any",
        "not any",
    }
)
# The plain str for each operator (a str subclass or StrEnum member goes out as str).
_CANONICAL: Final[dict[str, str]] = {op: op for op in OPERATORS} | {"<>": "!="}
_LIST_OPERATORS: Final = frozenset({"in", "not in"})
_DOMAIN_OPERATORS: Final = frozenset({"any", "not any"})
_LOGIC: Final[dict[str, int]] = {"&": 2, "|": 2, "!": 1}

#: The leaves Odoo reads as "always true" and "always false".
TRUE_LEAF: Final = (1, "=", 1)
FALSE_LEAF: Final = (0, "=", 1)

#: What :func:`normalize_domain` and the repository methods accept as a domain.
DomainLike = Union["Domain", Sequence[Any], None]

_repr = reprlib.Repr()
_repr.maxstring = 60
_repr.maxother = 60
_repr.maxlist = _repr.maxtuple = _repr.maxset = _repr.maxfrozenset = 8
_repr.maxdict = 6
_short = _repr.repr


# --------------------------------------------------------------------------- validation


def normalize_domain(domain: DomainLike) -> list[Any]:
    """Validate ``domain`` and return it as the JSON Odoo expects.

    ``domain`` is a :class:`Domain`, ``None`` (no condition, ``[]``), or Odoo's
    raw form: a list or tuple of leaves (lists or tuples of three) and the
    strings ``"&"``, ``"|"``, ``"!"``; leaves written side by side are and-ed, as
    in Odoo. A :class:`Domain` may also appear as an item of a raw domain.

    The result is a new list: leaves as ``[field, operator, value]`` lists,
    values converted (dates to strings, sets and tuples to lists...), ``any``
    sub-domains normalized in turn. A raw domain keeps its shape (no ``"&"`` is
    added); a :class:`Domain` gives its explicit prefix form.

    Raises :class:`DomainError` naming the position of the first mistake.
    """
    if domain is None:
        return []
    if isinstance(domain, Domain):
        return domain.to_list()
    return _normalize(domain, "domain")


def _normalize(domain: object, where: str) -> list[Any]:
    if not isinstance(domain, (list, tuple)):
        raise DomainError(
            f"{where}: a domain is a list of leaves [field, operator, value] and "
            f"'&', '|', '!', got {type(domain).__name__} {_short(domain)}"
        )
    out: list[Any] = []
    # Operators still waiting for operands: [position, operator, operands missing].
    pending: list[list[Any]] = []
    for index, item in enumerate(domain):
        here = f"{where}[{index}]"
        if isinstance(item, str):
            arity = _LOGIC.get(item)
            if arity is None:
                hint = ""
                if index == 0 and len(domain) == 3 and _is_operator(domain[1]):
                    hint = f" (a single leaf goes inside a list: [{_short(tuple(domain))}])"
                raise DomainError(
                    f"{here}: expected a leaf [field, operator, value] or one of "
                    f"'&', '|', '!', got {_short(item)}{hint}"
                )
            out.append(str.__str__(item))
            pending.append([index, item, arity])
            continue
        if isinstance(item, Domain):
            out.extend(item.to_list() or [list(TRUE_LEAF)])
        else:
            out.append(_normalize_leaf(item, here))
        # A whole operand is complete: it may complete the operators waiting for it.
        while pending:
            pending[-1][2] -= 1
            if pending[-1][2]:
                break
            pending.pop()
    if pending:
        index, operator, missing = pending[-1]
        arity = _LOGIC[operator]
        raise DomainError(
            f"{where}[{index}]: {operator!r} needs {arity} operand{'s' if arity > 1 else ''}, "
            f"got {arity - missing} (the domain ends too early)"
        )
    return out


# An empty part ("a..b", ".a", "a.") or any whitespace makes a path invalid.
_BAD_PATH: Final = re.compile(r"(?:^|\.)(?:\.|$)|\s")


def _path_problem(path: str) -> str | None:
    """What is wrong with a field path, or None when nothing is."""
    if (
        path.replace(".", "_").isidentifier()  # the usual case, checked fast
        and path[0] != "."
        and path[-1] != "."
        and ".." not in path
    ) or _BAD_PATH.search(path) is None:
        return None
    if not path:
        return "the field name is empty"
    if any(c.isspace() for c in path):
        return f"whitespace in field path {path!r}"
    return f"empty part in field path {path!r}"


def _is_operator(value: object) -> bool:
    return isinstance(value, str) and value in OPERATORS


def _is_constant_leaf(path: object, operator: object, value: object) -> bool:
    """True for Odoo's TRUE_LEAF ``(1, "=", 1)`` and FALSE_LEAF ``(0, "=", 1)``."""
    return (
        type(path) is int
        and path in (0, 1)
        and operator == "="
        and type(value) is int
        and value == 1
    )


def _normalize_leaf(item: object, where: str) -> list[Any]:
    if not isinstance(item, (list, tuple)):
        raise DomainError(
            f"{where}: expected a leaf [field, operator, value] or one of '&', '|', '!', "
            f"got {type(item).__name__} {_short(item)}"
        )
    if len(item) != 3:
        raise DomainError(
            f"{where}: a leaf has 3 items (field, operator, value), "
            f"got {len(item)} in {_short(tuple(item))}"
        )
    path, operator, value = item
    if not isinstance(path, str):
        if _is_constant_leaf(path, operator, value):
            return [path, "=", 1]
        raise DomainError(
            f"{where}: the field of a leaf is a str, got {type(path).__name__} "
            f"in {_short(tuple(item))}"
        )
    problem = _path_problem(path)
    if problem is not None:
        raise DomainError(f"{where}: {problem} in {_short(tuple(item))}")
    canonical = _CANONICAL.get(operator) if isinstance(operator, str) else None
    if canonical is None:
        hint = ""
        if isinstance(operator, str) and operator.lower() in OPERATORS:
            hint = f" (operators are lower case: {operator.lower()!r})"
        elif isinstance(operator, str) and operator in _LOGIC:
            hint = f" ({operator!r} goes before its operands, not inside a leaf)"
        raise DomainError(f"{where}: unknown operator {operator!r} in {_short(tuple(item))}{hint}")
    if canonical in _DOMAIN_OPERATORS:
        if isinstance(value, Domain):
            return [str.__str__(path), canonical, value.to_list()]
        if not isinstance(value, (list, tuple)):
            raise DomainError(
                f"{where}: {canonical!r} takes a domain as its value, "
                f"got {type(value).__name__} in {_short(tuple(item))}"
            )
        return [str.__str__(path), canonical, _normalize(value, f"{where}[2]")]
    if isinstance(value, (Domain, Field)):
        raise DomainError(
            f"{where}: a leaf compares a field with a value; {type(value).__name__} "
            f"{value!r} is not a value (Odoo domains cannot compare two fields) "
            f"in ({path!r}, {canonical!r}, ...)"
        )
    if canonical in _LIST_OPERATORS and not isinstance(value, (list, tuple, set, frozenset)):
        raise DomainError(
            f"{where}: {canonical!r} takes a list of values, "
            f"got {type(value).__name__} in {_short(tuple(item))}"
        )
    return [str.__str__(path), canonical, to_odoo(value)]


# --------------------------------------------------------------------------- frozen form


class _FrozenDict(tuple):  # type: ignore[type-arg]
    """A dict inside a frozen domain: its items as a tuple of pairs.

    Equal to another _FrozenDict holding the same dict (in any key order), and
    never to a plain tuple, which stands for a list.
    """

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        if type(other) is not _FrozenDict:
            return False
        return dict(self) == dict(other)

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return hash((_FrozenDict, frozenset(self)))


def _freeze(value: Any) -> Any:
    """Lists become tuples, dicts _FrozenDicts: hashable, and safe from callers."""
    if isinstance(value, list):
        return tuple(_freeze(item) for item in value)
    if isinstance(value, dict):
        return _FrozenDict((key, _freeze(item)) for key, item in value.items())
    return value


def _thaw(value: Any) -> Any:
    """The inverse of :func:`_freeze`: fresh lists and dicts."""
    cls = type(value)
    if cls is tuple:
        return [_thaw(item) for item in value]
    if cls is _FrozenDict:
        return {key: _thaw(item) for key, item in value}
    return value


def _count_trees(items: Sequence[Any]) -> int:
    """How many and-ed top-level terms a valid domain (explicit items) holds."""
    trees = 0
    needed = 0
    for item in items:
        if needed == 0:
            trees += 1
            needed = 1
        needed += _LOGIC.get(item, 0) - 1 if isinstance(item, str) else -1
    return trees


def as_single_term(domain: Sequence[Any]) -> list[Any]:
    """A normalized domain written as one prefix term: ``["&", ...]`` made explicit.

    An empty domain becomes the TRUE leaf ``[1, "=", 1]``. Used to combine a
    domain with another condition, as in ``["&", leaf, *as_single_term(domain)]``.
    """
    if not domain:
        return [[1, "=", 1]]
    return ["&"] * (_count_trees(domain) - 1) + list(domain)


# --------------------------------------------------------------------------- Domain


class Domain:
    """An immutable, validated Odoo domain in explicit prefix form.

    Build one with the :data:`F` builder, or from a raw domain with
    ``Domain([...])``. ``&``, ``|`` and ``~`` combine domains (and raw lists) into
    new ones; ``list(domain)`` or ``domain.to_list()`` gives the raw Odoo list.
    ``Domain.TRUE`` (the empty domain, every record) and ``Domain.FALSE`` (no
    record) are the neutral elements. Domains compare equal when their prefix
    lists are equal, and hash accordingly.
    """

    __slots__ = ("_hash", "_items")

    TRUE: ClassVar[Domain]
    FALSE: ClassVar[Domain]

    _items: tuple[Any, ...]
    _hash: int | None

    def __init__(self, domain: DomainLike = None) -> None:
        if isinstance(domain, Domain):
            items = domain._items
        else:
            raw = normalize_domain(domain)
            trees = _count_trees(raw)
            items = _freeze(["&"] * (trees - 1) + raw) if trees > 1 else _freeze(raw)
        object.__setattr__(self, "_items", items)
        object.__setattr__(self, "_hash", None)

    @classmethod
    def _make(cls, items: tuple[Any, ...]) -> Domain:
        """A Domain from frozen, valid, explicit items (no checks)."""
        self = object.__new__(cls)
        object.__setattr__(self, "_items", items)
        object.__setattr__(self, "_hash", None)
        return self

    def to_list(self) -> list[Any]:
        """The raw Odoo domain: a new list of ``[field, operator, value]`` lists and operators."""
        return [_thaw(item) for item in self._items]

    def __iter__(self) -> Iterator[Any]:
        return iter(self.to_list())

    def __len__(self) -> int:
        return len(self._items)

    def __and__(self, other: DomainLike) -> Domain:
        right = _coerce(other)
        if right is None:
            return NotImplemented
        if not self._items:
            return right
        if not right._items:
            return self
        return Domain._make(("&", *self._items, *right._items))

    def __rand__(self, other: DomainLike) -> Domain:
        left = _coerce(other)
        if left is None:
            return NotImplemented
        return left & self

    def __or__(self, other: DomainLike) -> Domain:
        right = _coerce(other)
        if right is None:
            return NotImplemented
        if not self._items or not right._items:  # TRUE | x is TRUE
            return Domain.TRUE
        return Domain._make(("|", *self._items, *right._items))

    def __ror__(self, other: DomainLike) -> Domain:
        left = _coerce(other)
        if left is None:
            return NotImplemented
        return left | self

    def __invert__(self) -> Domain:
        if not self._items:
            return Domain.FALSE
        if self._items[0] == "!":  # a Domain is one term, so '!' covers all the rest
            return Domain._make(self._items[1:])
        return Domain._make(("!", *self._items))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Domain):
            return self._items == other._items
        return NotImplemented

    def __hash__(self) -> int:
        if self._hash is None:
            object.__setattr__(self, "_hash", hash((Domain, self._items)))
        assert self._hash is not None
        return self._hash

    def __bool__(self) -> NoReturn:
        raise TypeError(
            "a Domain has no truth value: combine conditions with &, |, ~ (not and, or, "
            "not), use F.x.in_([...]) for membership, and len(domain) to test for the "
            "empty domain"
        )

    def __setattr__(self, name: str, value: object) -> NoReturn:
        raise AttributeError(f"Domain is immutable; cannot set {name!r}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (Domain, (self.to_list(),))

    def __repr__(self) -> str:
        if not self._items:
            return "Domain.TRUE"
        return f"Domain({self.to_list()!r})"


Domain.TRUE = Domain._make(())
Domain.FALSE = Domain._make((FALSE_LEAF,))


def _coerce(other: object) -> Domain | None:
    if isinstance(other, Domain):
        return other
    if isinstance(other, (list, tuple)):
        return Domain(other)
    return None


# --------------------------------------------------------------------------- builder


class Field:
    """A field path in the domain builder; see :data:`F`.

    Comparing it (``==``, ``!=``, ``<``, ``<=``, ``>``, ``>=``) or calling one of
    its methods gives a one-leaf :class:`Domain`; an attribute extends the path
    (``F.partner_id.country_id`` is ``"partner_id.country_id"``). A field whose
    name is one of the methods below, or starts with ``_``, is reached with
    ``F("name")``. ``str(field)`` is the dotted path.

    Because ``==`` builds a condition, a Field is not hashable and has no truth
    value.
    """

    __slots__ = ("_path",)

    _path: str

    def __init__(self, path: str) -> None:
        if not isinstance(path, str):
            raise DomainError(f"F(): a field path is a str, got {type(path).__name__}")
        problem = _path_problem(path)
        if problem is not None:
            raise DomainError(f"F({path!r}): {problem}")
        object.__setattr__(self, "_path", str.__str__(path))

    def __getattr__(self, name: str) -> Field:
        if name.startswith("_"):
            raise AttributeError(name)
        return Field(f"{self._path}.{name}")

    def __setattr__(self, name: str, value: object) -> NoReturn:
        raise AttributeError(f"{self!r} is a field reference; it cannot be assigned to")

    def __repr__(self) -> str:
        return f"F({self._path!r})"

    def __str__(self) -> str:
        return self._path

    __hash__ = None  # type: ignore[assignment]

    def __bool__(self) -> NoReturn:
        raise TypeError(f"{self!r} has no truth value: write a condition such as {self!r} == True")

    def __reduce__(self) -> tuple[Any, ...]:
        return (Field, (self._path,))

    def _not_a_condition(self, other: object = None) -> NoReturn:
        # ``F.a == True & F.b == True`` is ``F.a == (True & F.b) == True`` in
        # Python: & and | bind more tightly than comparisons.
        raise TypeError(
            f"{self!r} is a field, not a condition, so it cannot be combined with &, | or ~. "
            "& and | bind more tightly than ==: wrap each comparison in parentheses, "
            f"as in (F.is_company == True) & ({self!r} == True)"
        )

    __and__ = __rand__ = __or__ = __ror__ = __invert__ = _not_a_condition

    def _leaf(self, operator: str, value: Any) -> Domain:
        leaf = _normalize_leaf([self._path, operator, value], repr(self))
        return Domain._make((_freeze(leaf),))

    def _values(self, method: str, values: Iterable[Any]) -> list[Any] | frozenset[Any]:
        if isinstance(values, (str, bytes, Domain, Field)) or not isinstance(values, Iterable):
            raise DomainError(
                f"{self!r}.{method}(): takes an iterable of values, "
                f"got {type(values).__name__} {_short(values)}"
            )
        if isinstance(values, AbstractSet):
            return frozenset(values)  # to_odoo sends a set sorted
        return list(values)

    # Comparisons build conditions; they do not compare Fields.
    def __eq__(self, value: object) -> Domain:  # type: ignore[override]
        return self._leaf("=", value)

    def __ne__(self, value: object) -> Domain:  # type: ignore[override]
        return self._leaf("!=", value)

    def __lt__(self, value: object) -> Domain:
        return self._leaf("<", value)

    def __le__(self, value: object) -> Domain:
        return self._leaf("<=", value)

    def __gt__(self, value: object) -> Domain:
        return self._leaf(">", value)

    def __ge__(self, value: object) -> Domain:
        return self._leaf(">=", value)

    def like(self, value: Any) -> Domain:
        """``like``: contains ``value``, case-sensitive (Odoo adds the ``%`` around it)."""
        return self._leaf("like", value)

    def ilike(self, value: Any) -> Domain:
        """``ilike``: contains ``value``, case-insensitive."""
        return self._leaf("ilike", value)

    def not_like(self, value: Any) -> Domain:
        """``not like``."""
        return self._leaf("not like", value)

    def not_ilike(self, value: Any) -> Domain:
        """``not ilike``."""
        return self._leaf("not ilike", value)

    def eq_like(self, pattern: Any) -> Domain:
        """``=like``: matches the SQL pattern as written (``%`` and ``_`` are yours)."""
        return self._leaf("=like", pattern)

    def eq_ilike(self, pattern: Any) -> Domain:
        """``=ilike``: ``=like``, case-insensitive."""
        return self._leaf("=ilike", pattern)

    def eq_or_ignore(self, value: Any) -> Domain:
        """``=?``: equal to ``value``, or always true when ``value`` is empty/False."""
        return self._leaf("=?", value)

    def in_(self, values: Iterable[Any]) -> Domain:
        """``in``: the value is one of ``values`` (any iterable but a str)."""
        return self._leaf("in", self._values("in_", values))

    def not_in(self, values: Iterable[Any]) -> Domain:
        """``not in``."""
        return self._leaf("not in", self._values("not_in", values))

    def child_of(self, value: Any) -> Domain:
        """``child_of``: the record ``value`` (id, ids or name) or one of its descendants."""
        return self._leaf("child_of", value)

    def parent_of(self, value: Any) -> Domain:
        """``parent_of``: the record ``value`` or one of its ancestors."""
        return self._leaf("parent_of", value)

    def _subdomain(self, method: str, domain: DomainLike) -> list[Any]:
        if domain is None or isinstance(domain, Domain):
            return normalize_domain(domain)
        return _normalize(domain, f"{self!r}.{method}()")

    def any(self, domain: DomainLike) -> Domain:
        """``any``: some related record matches ``domain`` (a Domain or raw list)."""
        return self._leaf("any", self._subdomain("any", domain))

    def not_any(self, domain: DomainLike) -> Domain:
        """``not any``: no related record matches ``domain``."""
        return self._leaf("not any", self._subdomain("not_any", domain))


class _FieldFactory:
    """The type of :data:`F`."""

    __slots__ = ()

    def __getattr__(self, name: str) -> Field:
        if name.startswith("_"):
            raise AttributeError(name)
        return Field(name)

    def __call__(self, path: str) -> Field:
        return Field(path)

    def __repr__(self) -> str:
        return "F"


#: The domain builder: ``F.name``, ``F("partner_id.country_id")``.
F: Final = _FieldFactory()
