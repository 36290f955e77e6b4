"""The exclusion filter language: a JQL-like subset, parsed with lark into a predicate over a work item.

``compile_filter(text, attr=...)`` returns an :class:`ExclusionFilter` whose ``matches(issue)`` says
whether routing should leave the work item alone. The grammar and its decisions are in
``docs/filters.md``. Compiled filters are cached by text, so evaluating the same settings filter on
every resolve request costs one dictionary lookup.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from config.errors import DomainError

FIELDS = ("project", "issuetype", "priority", "status", "labels", "component", "reporter")
# Work item keys read for a field when the field's own name is absent (the resolve API says ``issue_type``).
FIELD_ALIASES = {"issuetype": ("issuetype", "issue_type")}
MAX_LENGTH = 10_000
MAX_DEPTH = 64

GRAMMAR = r"""
    ?start: or_expr
    ?or_expr: and_expr (OR and_expr)*
    ?and_expr: not_expr (AND not_expr)*
    ?not_expr: NOT not_expr -> negation
             | atom
    ?atom: comparison
         | "(" or_expr ")"
    comparison: FIELD EQ value                         -> equals
              | FIELD NE value                         -> not_equals
              | FIELD IN "(" value ("," value)* ")"    -> within
              | FIELD NOT IN "(" value ("," value)* ")" -> not_within
              | FIELD IS EMPTY                         -> empty
              | FIELD IS NOT EMPTY                     -> not_empty
    ?value: BARE | DQ_STRING | SQ_STRING

    AND.2: /and\b/i
    OR.2: /or\b/i
    NOT.2: /not\b/i
    IN.2: /in\b/i
    IS.2: /is\b/i
    EMPTY.2: /(empty|null)\b/i
    EQ: "="
    NE: "!="
    FIELD: /(?!(and|or|not|in|is)\b)[A-Za-z_][A-Za-z0-9_]*/i
    BARE: /[^\s()'",=!]+/
    DQ_STRING: /"(?:[^"\\\n]|\\.)*"/
    SQ_STRING: /'(?:[^'\\\n]|\\.)*'/

    %import common.WS
    %ignore WS
"""

# How the parser's terminal names read in an error message.
TERMINAL_NAMES = {
    "AND": "AND",
    "OR": "OR",
    "NOT": "NOT",
    "IN": "IN",
    "IS": "IS",
    "EMPTY": "EMPTY",
    "EQ": "'='",
    "NE": "'!='",
    "FIELD": "a field",
    "BARE": "a value",
    "DQ_STRING": "a value",
    "SQ_STRING": "a value",
    "LPAR": "'('",
    "RPAR": "')'",
    "COMMA": "','",
    "$END": "the end of the filter",
}
ESCAPES = {"n": "\n", "t": "\t", "r": "\r"}
ESCAPE_RE = re.compile(r"\\(.)", re.DOTALL)

Predicate = Callable[[dict], bool]


@dataclass(frozen=True)
class _Node:
    """A compiled sub-expression and how deeply it nests (bounded so evaluation never recurses too far)."""

    test: Predicate
    depth: int


@dataclass(frozen=True)
class ExclusionFilter:
    """A compiled filter. An empty filter matches nothing (no work item is excluded)."""

    text: str
    _predicate: Predicate | None

    def matches(self, issue: dict) -> bool:
        """Whether the work item (a dict of the filter's fields) matches, i.e. routing leaves it alone."""
        return self._predicate is not None and self._predicate(issue or {})

    @property
    def is_empty(self) -> bool:
        return self._predicate is None


def compile_filter(text: str | None, *, attr: str | None = None) -> ExclusionFilter:
    """Parse ``text`` into an :class:`ExclusionFilter`; invalid text raises ``DomainError`` on ``attr``
    whose detail names the line and column of the fault."""
    try:
        return _compile(text or "")
    except _FilterSyntaxError as exc:
        raise DomainError(exc.detail, code="invalid_filter", attr=attr) from None


def validate_filter(text: str | None, *, attr: str | None = None) -> str:
    """Return ``text`` unchanged when it compiles; raise ``DomainError`` on ``attr`` otherwise."""
    compile_filter(text, attr=attr)
    return text or ""


class _FilterSyntaxError(Exception):
    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


@lru_cache(maxsize=512)
def _compile(text: str) -> ExclusionFilter:
    if not text.strip():
        return ExclusionFilter(text=text, _predicate=None)
    if len(text) > MAX_LENGTH:
        raise _FilterSyntaxError(f"A filter is at most {MAX_LENGTH} characters long.")
    try:
        node = _parser().parse(text)
    except UnexpectedInput as exc:
        raise _FilterSyntaxError(_describe(exc, text)) from None
    return ExclusionFilter(text=text, _predicate=node.test)


@lru_cache(maxsize=1)
def _parser() -> Lark:
    # LALR with the transformer applied while parsing: no parse tree and no recursion over it.
    return Lark(GRAMMAR, parser="lalr", lexer="contextual", transformer=_Compiler(), propagate_positions=False)


def _position(line: int, column: int) -> str:
    return f"line {line}, column {column}"


def _end_position(text: str) -> tuple[int, int]:
    """The position just after the last non-blank character."""
    body = text.rstrip()
    line = body.count("\n") + 1
    return line, len(body) - (body.rfind("\n") + 1) + 1


def _expected(names: Iterable[str]) -> str:
    readable = sorted({TERMINAL_NAMES.get(name, name) for name in names})
    if not readable:
        return ""
    return f"; expected {readable[0]}" if len(readable) == 1 else f"; expected one of {', '.join(readable)}"


def _describe(exc: UnexpectedInput, text: str) -> str:
    if isinstance(exc, _FilterSyntaxError):
        return exc.detail
    if isinstance(exc, UnexpectedCharacters):
        char = text[exc.pos_in_stream]
        where = _position(exc.line, exc.column)
        if char in "\"'":
            return f"Unterminated string at {where}."
        return f"Unexpected character {char!r} at {where}."
    expected = _acceptable(exc)
    if expected == {"$END"}:
        # The parser reduced a whole expression before failing; any whole expression may go on with AND/OR.
        expected |= {"AND", "OR"}
    if isinstance(exc, UnexpectedToken) and exc.token.type != "$END":
        token: Token = exc.token
        return f"Unexpected {str(token)!r} at {_position(token.line, token.column)}{_expected(expected)}."
    return f"Unexpected end of filter at {_position(*_end_position(text))}{_expected(expected)}."


def _acceptable(exc: UnexpectedInput) -> set[str]:
    """The terminals the parser could really take at the fault (``exc.expected`` lists those of a state
    that still had to reduce, which is narrower than what the user may write)."""
    parser = getattr(exc, "interactive_parser", None)
    if parser is not None:
        try:
            return set(parser.accepts())
        except (UnexpectedInput, _FilterSyntaxError):
            pass
    return set(getattr(exc, "expected", ()) or ())


def _unquote(token: Token) -> str:
    if token.type == "BARE":
        return str(token)
    return ESCAPE_RE.sub(lambda m: ESCAPES.get(m.group(1), m.group(1)), str(token)[1:-1])


def _fold(value) -> str:
    return str(value).casefold()


def _values(issue: dict, field: str) -> list[str]:
    """The item's values for a field, case-folded; empty (None, "", []) is no values."""
    raw = None
    for key in FIELD_ALIASES.get(field, (field,)):
        raw = issue.get(key)
        if raw not in (None, "", [], ()):
            break
    if raw is None:
        return []
    items = raw if isinstance(raw, list | tuple | set) else [raw]
    return [_fold(item) for item in items if item not in (None, "")]


def _field(token: Token) -> str:
    name = str(token).lower()
    if name not in FIELDS:
        where = _position(token.line, token.column)
        raise _FilterSyntaxError(f"Unknown field {str(token)!r} at {where}; fields are {', '.join(FIELDS)}.")
    return name


def _nested(children: Iterable[_Node], combine: Callable[[list[Predicate]], Predicate], at: Token | None) -> _Node:
    nodes = list(children)
    depth = max(node.depth for node in nodes) + 1
    if depth > MAX_DEPTH:
        where = f" at {_position(at.line, at.column)}" if at is not None else ""
        raise _FilterSyntaxError(f"The filter nests more than {MAX_DEPTH} levels deep{where}.")
    return _Node(combine([node.test for node in nodes]), depth)


@v_args(inline=True)
class _Compiler(Transformer):
    """Turns each grammar rule into a predicate as the LALR parser reduces it."""

    def equals(self, field, _op, value):
        name, wanted = _field(field), _fold(_unquote(value))
        return _Node(lambda issue: wanted in _values(issue, name), 1)

    def not_equals(self, field, _op, value):
        node = self.equals(field, _op, value)
        return _Node(lambda issue: not node.test(issue), 1)

    def within(self, field, _in, *values):
        name, wanted = _field(field), {_fold(_unquote(v)) for v in values}
        return _Node(lambda issue: not wanted.isdisjoint(_values(issue, name)), 1)

    def not_within(self, field, _not, _in, *values):
        node = self.within(field, _in, *values)
        return _Node(lambda issue: not node.test(issue), 1)

    def empty(self, field, _is, _empty):
        name = _field(field)
        return _Node(lambda issue: not _values(issue, name), 1)

    def not_empty(self, field, _is, _not, _empty):
        name = _field(field)
        return _Node(lambda issue: bool(_values(issue, name)), 1)

    def negation(self, op, node):
        return _nested([node], lambda tests: lambda issue: not tests[0](issue), op)

    def and_expr(self, *children):
        nodes, ops = children[::2], children[1::2]
        return _nested(nodes, lambda tests: lambda issue: all(t(issue) for t in tests), ops[0])

    def or_expr(self, *children):
        nodes, ops = children[::2], children[1::2]
        return _nested(nodes, lambda tests: lambda issue: any(t(issue) for t in tests), ops[0])
