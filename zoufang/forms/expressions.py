"""XLSForm `relevant` and `constraint` expressions, the practical subset, parsed once into a small tree.

Grammar: or-expressions of and-expressions of comparisons; operands are `${name}`, `.` (the answer
itself), 'text', numbers, `selected(${name}, 'value')`, `not(...)`, `count-selected(${name})` and
parentheses. The tree is JSON so the phone evaluates `relevant` with the same meaning (visit.js).
"""

import re
from typing import Any

from django.utils.translation import gettext as _

Node = list[Any]

TOKEN = re.compile(
    r"\s*(?:(?P<ref>\$\{[a-zA-Z_][a-zA-Z0-9_]*\})|(?P<num>-?\d+(?:\.\d+)?)|(?P<str>'[^']*'|\"[^\"]*\")"
    r"|(?P<op>>=|<=|!=|=|>|<)|(?P<punct>[(),])|(?P<word>[a-z][a-z-]*)|(?P<dot>\.))"
)
FUNCTIONS = {"selected", "not", "count-selected"}


class ExpressionError(ValueError):
    pass


def _tokens(text: str) -> list[tuple[str, str]]:
    position, found = 0, []
    text = text.strip()
    while position < len(text):
        match = TOKEN.match(text, position)
        if not match or match.end() == position:
            raise ExpressionError(_("无法识别“%(text)s”") % {"text": text[position:position + 10]})
        kind = match.lastgroup or ""
        found.append((kind, match.group(kind)))
        position = match.end()
    return found


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.at = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self, value: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token is None or (value is not None and token[1] != value):
            raise ExpressionError(_("此处应为“%(value)s”") % {"value": value} if value else _("表达式不完整"))
        self.at += 1
        return token

    def parse(self) -> Node:
        node = self.disjunction()
        if self.peek() is not None:
            raise ExpressionError(_("多余的“%(value)s”") % {"value": self.peek()[1]})  # type: ignore[index]
        return node

    def disjunction(self) -> Node:
        node = self.conjunction()
        while self.peek() == ("word", "or"):
            self.take()
            node = ["or", node, self.conjunction()]
        return node

    def conjunction(self) -> Node:
        node = self.comparison()
        while self.peek() == ("word", "and"):
            self.take()
            node = ["and", node, self.comparison()]
        return node

    def comparison(self) -> Node:
        node = self.operand()
        token = self.peek()
        if token and token[0] == "op":
            self.take()
            node = [token[1], node, self.operand()]
        return node

    def operand(self) -> Node:
        kind, value = self.take()
        if kind == "ref":
            return ["ref", value[2:-1]]
        if kind == "dot":
            return ["self"]
        if kind == "num":
            return ["lit", float(value)]
        if kind == "str":
            return ["lit", value[1:-1]]
        if value == "(":
            node = self.disjunction()
            self.take(")")
            return node
        if kind == "word" and value in FUNCTIONS:
            self.take("(")
            args = [self.disjunction()]
            while self.peek() == ("punct", ","):
                self.take()
                args.append(self.disjunction())
            self.take(")")
            return ["call", value, *args]
        raise ExpressionError(_("不支持“%(value)s”（支持 ${题目}、.、and、or、=、!=、>、<、selected()、not()）") % {"value": value})


def parse(text: str) -> Node | None:
    """The tree of an expression, or None for an empty one; ExpressionError (Chinese) when invalid."""
    if not text or not text.strip():
        return None
    return _Parser(text).parse()


def references(node: Node | None) -> set[str]:
    if not node:
        return set()
    if node[0] == "ref":
        return {node[1]}
    return set().union(*(references(part) for part in node[1:] if isinstance(part, list)))


def _number(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return value
    return value


def _selected(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    return str(value or "").split()


def evaluate(node: Node | None, answers: dict[str, Any], own: Any = None) -> Any:
    if node is None:
        return True
    head = node[0]
    if head == "ref":
        return answers.get(node[1])
    if head == "self":
        return own
    if head == "lit":
        return node[1]
    if head == "and":
        return bool(evaluate(node[1], answers, own)) and bool(evaluate(node[2], answers, own))
    if head == "or":
        return bool(evaluate(node[1], answers, own)) or bool(evaluate(node[2], answers, own))
    if head == "call":
        args = [evaluate(arg, answers, own) for arg in node[2:]]
        if node[1] == "selected":
            return str(args[1]) in _selected(args[0])
        if node[1] == "count-selected":
            return len(_selected(args[0]))
        return not args[0]
    left, right = evaluate(node[1], answers, own), evaluate(node[2], answers, own)
    if head in ("=", "!="):
        same = str(left if left is not None else "") == str(right if right is not None else "") or (
            _number(left) == _number(right) and left is not None
        )
        return same if head == "=" else not same
    left, right = _number(left), _number(right)
    if not isinstance(left, int | float) or not isinstance(right, int | float):
        return False
    return {">": left > right, ">=": left >= right, "<": left < right, "<=": left <= right}[head]
