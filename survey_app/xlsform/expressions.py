"""A tokenizer and recursive-descent parser for the XPath subset XLSForms use in logic.

Covers what `relevant` and `constraint` columns say in practice: `${name}` references, `.`,
string and number literals, comparisons, `and`/`or`, parentheses and function calls such as
`selected(${q}, 'v')` or `not(...)`. Anything else (arithmetic, paths, `..`) raises
`ExpressionError` with a reason, and the caller lists the expression as not converted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

CompareOp = Literal["=", "!=", "<", "<=", ">", ">="]
#: `a op b` is the same test as `b MIRRORED[op] a`.
MIRRORED: dict[CompareOp, CompareOp] = {
    "=": "=",
    "!=": "!=",
    "<": ">",
    "<=": ">=",
    ">": "<",
    ">=": "<=",
}


class ExpressionError(Exception):
    """The expression is outside the subset this importer understands."""


# --- syntax tree ------------------------------------------------------------------


@dataclass(frozen=True)
class Ref:
    """`${name}`: the value of another row."""

    name: str


@dataclass(frozen=True)
class Dot:
    """`.`: the value of the row the expression belongs to (in constraints)."""


@dataclass(frozen=True)
class Constant:
    """A quoted string or a number, as written."""

    value: str | float
    quoted: bool


@dataclass(frozen=True)
class Call:
    """`name(args...)`, e.g. `selected(${q}, 'v')`."""

    name: str
    args: tuple[Node, ...]


@dataclass(frozen=True)
class Compare:
    """`left op right`."""

    op: CompareOp
    left: Node
    right: Node


@dataclass(frozen=True)
class BoolOp:
    """`a and b and ...` or `a or b or ...`."""

    op: Literal["and", "or"]
    items: tuple[Node, ...]


Node = Ref | Dot | Constant | Call | Compare | BoolOp


# --- tokenizer --------------------------------------------------------------------


TokenKind = Literal["ref", "string", "number", "name", "op", "punct", "dot"]


@dataclass(frozen=True)
class Token:
    """One lexical unit and where it starts (0-based, for messages)."""

    kind: TokenKind
    text: str
    pos: int


_TOKEN_PATTERNS: tuple[tuple[TokenKind | None, str], ...] = (
    (None, r"\s+"),
    ("ref", r"\$\{\s*[^}\s]+\s*\}"),
    ("string", r"'[^']*'|\"[^\"]*\""),
    ("number", r"\d+(?:\.\d+)?|\.\d+"),
    ("op", r"!=|<=|>=|=|<|>|\+|-|\*|\||/"),
    ("punct", r"[(),]"),
    ("dot", r"\.\.|\."),
    # XPath names may contain '-', '.' and a namespace prefix: count-selected, jr:choice-name.
    ("name", r"[A-Za-z_][A-Za-z0-9_.\-]*(?::[A-Za-z_][A-Za-z0-9_.\-]*)?"),
)
_TOKEN_RES = tuple((kind, re.compile(pattern)) for kind, pattern in _TOKEN_PATTERNS)


def tokenize(text: str) -> list[Token]:
    """Split an expression into tokens; raise ExpressionError at an unexpected character."""
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        for kind, regex in _TOKEN_RES:
            match = regex.match(text, pos)
            if match:
                if kind is not None:
                    tokens.append(Token(kind, match.group(), pos))
                pos = match.end()
                break
        else:
            raise ExpressionError(f"unexpected character {text[pos]!r}")
    return tokens


# --- parser -----------------------------------------------------------------------

_COMPARE_OPS: dict[str, CompareOp] = {op: op for op in MIRRORED}


class _Parser:
    """or_expr := and_expr ('or' and_expr)*; and_expr := compare ('and' compare)*;
    compare := primary (OP primary)?; primary := '(' or_expr ')' | ref | '.' | literal | call.
    """

    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.i = 0

    def peek(self) -> Token | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> Token:
        token = self.peek()
        if token is None:
            raise ExpressionError("the expression ends too early")
        self.i += 1
        return token

    def expect(self, text: str) -> None:
        token = self.take()
        if token.text != text:
            raise ExpressionError(f"expected '{text}' but found '{token.text}'")

    def at_word(self, word: str) -> bool:
        token = self.peek()
        return token is not None and token.kind == "name" and token.text == word

    def parse(self) -> Node:
        node = self.or_expr()
        token = self.peek()
        if token is not None:
            raise ExpressionError(f"unexpected '{token.text}'")
        return node

    def or_expr(self) -> Node:
        items = [self.and_expr()]
        while self.at_word("or"):
            self.take()
            items.append(self.and_expr())
        return items[0] if len(items) == 1 else BoolOp("or", tuple(items))

    def and_expr(self) -> Node:
        items = [self.compare()]
        while self.at_word("and"):
            self.take()
            items.append(self.compare())
        return items[0] if len(items) == 1 else BoolOp("and", tuple(items))

    def compare(self) -> Node:
        left = self.primary()
        token = self.peek()
        if token is None or token.kind != "op":
            self.refuse_arithmetic()
            return left
        if token.text not in _COMPARE_OPS:
            self.refuse_arithmetic()
        self.take()
        right = self.primary()
        self.refuse_arithmetic()
        after = self.peek()
        if after is not None and after.text in _COMPARE_OPS:
            raise ExpressionError("chained comparisons are not supported")
        return Compare(_COMPARE_OPS[token.text], left, right)

    def refuse_arithmetic(self) -> None:
        token = self.peek()
        if token is None:
            return
        if (token.kind == "op" and token.text not in _COMPARE_OPS) or (
            token.kind == "name" and token.text in {"div", "mod"}
        ):
            raise ExpressionError(f"the operator '{token.text}' is not supported")

    def primary(self) -> Node:
        token = self.take()
        if token.text == "(":
            node = self.or_expr()
            self.expect(")")
            return node
        if token.kind == "ref":
            return Ref(token.text[2:-1].strip())
        if token.kind == "dot":
            if token.text == "..":
                raise ExpressionError("'..' paths are not supported")
            return Dot()
        if token.kind == "string":
            return Constant(token.text[1:-1], quoted=True)
        if token.kind == "number":
            return Constant(float(token.text), quoted=False)
        if token.kind == "op" and token.text == "-":
            number = self.take()
            if number.kind != "number":
                raise ExpressionError("the operator '-' is not supported")
            return Constant(-float(number.text), quoted=False)
        if token.kind == "name":
            following = self.peek()
            if following is None or following.text != "(":
                raise ExpressionError(f"'{token.text}' is not supported (paths or bare names)")
            self.take()
            args: list[Node] = []
            if self.peek() is not None and self.tokens[self.i].text == ")":
                self.take()
                return Call(token.text, ())
            args.append(self.or_expr())
            while self.peek() is not None and self.tokens[self.i].text == ",":
                self.take()
                args.append(self.or_expr())
            self.expect(")")
            return Call(token.text, tuple(args))
        if token.kind == "op" and token.text == "/":
            raise ExpressionError("absolute paths are not supported")
        raise ExpressionError(f"unexpected '{token.text}'")


def parse(text: str) -> Node:
    """The syntax tree of an XLSForm expression; raise ExpressionError when unsupported."""
    tokens = tokenize(text)
    if not tokens:
        raise ExpressionError("the expression is empty")
    return _Parser(tokens).parse()


def references(node: Node) -> list[Ref]:
    """Every `${name}` in the expression, in order of appearance."""
    if isinstance(node, Ref):
        return [node]
    if isinstance(node, Call):
        return [r for arg in node.args for r in references(arg)]
    if isinstance(node, Compare):
        return references(node.left) + references(node.right)
    if isinstance(node, BoolOp):
        return [r for item in node.items for r in references(item)]
    return []


def calls(node: Node) -> list[Call]:
    """Every function call in the expression, outermost first."""
    if isinstance(node, Call):
        return [node, *(c for arg in node.args for c in calls(arg))]
    if isinstance(node, Compare):
        return calls(node.left) + calls(node.right)
    if isinstance(node, BoolOp):
        return [c for item in node.items for c in calls(item)]
    return []
