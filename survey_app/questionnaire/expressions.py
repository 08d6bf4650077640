"""A recursive-descent parser, over pyxform's XPath tokens, for the subset XLSForms use.

Covers what `relevant` and `constraint` columns say in practice: `${name}` references, `.`,
string and number literals, comparisons, `and`/`or`, parentheses and function calls such as
`selected(${q}, 'v')` or `not(...)`; on request, arithmetic (calculations) and bare names
(choice filters). Anything else (paths, `..`) raises `ExpressionError` with a reason: the
importer lists the expression as not converted, the schema refuses it.

Why here and not in xlsform/: questionnaire calculations are written in this subset, so
the questionnaire layer parses them too (pyxform's lexer is the only dependency).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pyxform.parsing.expression import parse_expression

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


@dataclass(frozen=True)
class Name:
    """A bare name: a column of the choices sheet, in a `choice_filter`."""

    name: str


ArithOp = Literal["+", "-", "*", "div", "mod"]


@dataclass(frozen=True)
class Arith:
    """`left op right` for + - * div mod, in a calculation."""

    op: ArithOp
    left: Node
    right: Node


Node = Ref | Dot | Constant | Call | Compare | BoolOp | Name | Arith


# --- tokenizer --------------------------------------------------------------------


TokenKind = Literal["ref", "string", "number", "name", "op", "punct", "dot"]


@dataclass(frozen=True)
class Token:
    """One lexical unit and where it starts (0-based, for messages)."""

    kind: TokenKind
    text: str
    pos: int


#: pyxform's token types -> ours; any type not listed is outside the supported subset.
_KINDS: dict[str, TokenKind] = {
    "PYXFORM_REF": "ref",
    "SYSTEM_LITERAL": "string",
    "NUMBER": "number",
    "OPS_COMP": "op",
    "OPS_MATH": "op",
    "OPS_UNION": "op",
    "PATH_SEP": "op",
    "OPS_BOOL": "name",
    "OPEN_PAREN": "punct",
    "CLOSE_PAREN": "punct",
    "COMMA": "punct",
    "SELF_REF": "dot",
    "PARENT_REF": "dot",
    "NAME": "name",
}


def tokenize(text: str) -> list[Token]:
    """Split an expression into tokens with pyxform's XPath lexer; raise ExpressionError
    at anything outside the subset (predicates, dates without quotes, stray braces)."""
    tokens: list[Token] = []
    for lexed in parse_expression(text):
        kind, value, pos = lexed.type, str(lexed.value), lexed.start_pos or 0
        if kind == "WHITESPACE":
            continue
        if kind == "FUNC_CALL":
            # pyxform lexes `name(` as one token; the parser wants the name, then `(`.
            tokens += [Token("name", value[:-1], pos), Token("punct", "(", pos + len(value) - 1)]
        elif kind in _KINDS:
            previous = tokens[-1] if tokens else None
            if (
                value == "="
                and previous is not None
                and previous.text in {"<", ">"}
                and previous.pos == pos - 1
            ):
                # pyxform's lexer tries `<` before `<=`, so `<=` comes as two tokens.
                tokens[-1] = Token("op", previous.text + "=", previous.pos)
                continue
            tokens.append(Token(_KINDS[kind], value.strip(), pos))
        else:
            raise ExpressionError(f"unexpected {value.strip() or value!r}")
    return tokens


# --- parser -----------------------------------------------------------------------

_COMPARE_OPS: dict[str, CompareOp] = {op: op for op in MIRRORED}


class _Parser:
    """or_expr := and_expr ('or' and_expr)*; and_expr := compare ('and' compare)*;
    compare := primary (OP primary)?; primary := '(' or_expr ')' | ref | '.' | literal | call.
    """

    def __init__(self, tokens: list[Token], *, bare_names: bool, arithmetic: bool) -> None:
        self.tokens = tokens
        self.i = 0
        self.bare_names = bare_names
        self.arithmetic = arithmetic

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
        left = self.additive()
        token = self.peek()
        if token is None or token.kind != "op":
            self.refuse_arithmetic()
            return left
        if token.text not in _COMPARE_OPS:
            self.refuse_arithmetic()
        self.take()
        right = self.additive()
        self.refuse_arithmetic()
        after = self.peek()
        if after is not None and after.text in _COMPARE_OPS:
            raise ExpressionError("chained comparisons are not supported")
        return Compare(_COMPARE_OPS[token.text], left, right)

    def additive(self) -> Node:
        node = self.multiplicative()
        while self.arithmetic and self.peek_text() in {"+", "-"}:
            op: ArithOp = "+" if self.take().text == "+" else "-"
            node = Arith(op, node, self.multiplicative())
        return node

    def multiplicative(self) -> Node:
        node = self.primary()
        while self.arithmetic and self.peek_text() in {"*", "div", "mod"}:
            text = self.take().text
            op: ArithOp = "*" if text == "*" else "div" if text == "div" else "mod"
            node = Arith(op, node, self.primary())
        return node

    def peek_text(self) -> str:
        token = self.peek()
        return "" if token is None else token.text

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
            if (following is None or following.text != "(") and self.bare_names:
                return Name(token.text)
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


def parse(text: str, *, bare_names: bool = False, arithmetic: bool = False) -> Node:
    """The syntax tree of an XLSForm expression; raise ExpressionError when unsupported.

    `bare_names` admits choices-sheet columns (choice filters); `arithmetic` admits
    + - * div mod (calculations).
    """
    tokens = tokenize(text)
    if not tokens:
        raise ExpressionError("the expression is empty")
    return _Parser(tokens, bare_names=bare_names, arithmetic=arithmetic).parse()


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
    if isinstance(node, Arith):
        return references(node.left) + references(node.right)
    return []


def calls(node: Node) -> list[Call]:
    """Every function call in the expression, outermost first."""
    if isinstance(node, Call):
        return [node, *(c for arg in node.args for c in calls(arg))]
    if isinstance(node, Compare):
        return calls(node.left) + calls(node.right)
    if isinstance(node, BoolOp):
        return [c for item in node.items for c in calls(item)]
    if isinstance(node, Arith):
        return calls(node.left) + calls(node.right)
    return []
