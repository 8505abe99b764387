"""Calico's selector language, parsed into disjunctions of the one selector model.

Grammar and meaning follow libcalico-go `lib/selector/tokenizer/tokenizer.go` and
`lib/selector/parser/{parser,ast}.go` (projectcalico/calico): `||` binds loosest, then `&&`, then
`!`, which negates the one operation or parenthesised group after it; an empty selector is
`all()`. `k == 'v'`, `k in {..}`, `has(k)`, `contains`, `starts with`, `ends with` need the label;
`k != 'v'` and `k not in {..}` also match objects without it. `global()` holds for
non-namespaced objects only (GlobalNetworkSets, host endpoints), never for pods or namespaces.

`parse` gives an AST; `to_dnf` turns it into an OR of `LabelSelector`s (negation pushed down
to the operators, so the engine's one matcher applies); `evaluate` runs the AST itself, for the
loader's own needs (which NetworkSets a selector names), never for pods.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from policylint.model.selector import (
    STRING_OPERATORS,
    LabelSelector,
    Operator,
    Requirement,
    string_test,
)

MAX_ALTERNATIVES = 256  # DNF size at which a selector is reported instead of expanded


class SelectorError(ValueError):
    """A selector Calico would reject; the message says what was expected where."""


@dataclass(frozen=True, slots=True)
class Term:
    """One operation: `key op values` (op an Operator), `all()` (key ""), `global()` (key "*")."""

    key: str
    op: Operator | None
    values: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Not:
    node: Node


@dataclass(frozen=True, slots=True)
class And:
    nodes: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    nodes: tuple[Node, ...]


Node = Term | Not | And | Or
ALL = Term("", None)
GLOBAL = Term("*", None)

_TOKEN = re.compile(
    r"""\s*(?:(?P<str>"[^"]*"|'[^']*')|(?P<op>==|!=|&&|\|\||[(){},!])"""
    r"""|(?P<fn>(?:has|all|global)\(\s*[A-Za-z0-9_./-]*\s*\))|(?P<word>[A-Za-z0-9_./-]+))"""
)
_WORD_OPS = {"contains": "contains", "starts": "starts with", "ends": "ends with", "not": "not in", "in": "in"}


def tokenize(text: str) -> list[str]:
    """Tokens as text: strings keep their quotes, multi-word operators are joined."""
    out: list[str] = []
    pos = 0
    text = text.rstrip(" \t")
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            raise SelectorError(f"unexpected {text[pos:].strip()[:20]!r} at column {pos + 1}")
        token = m.group(m.lastgroup or "word")
        pos = m.end()
        if m.lastgroup == "word" and out and _is_label(out[-1]) and token in _WORD_OPS:
            joined = _WORD_OPS[token]
            if " " in joined:
                follow = re.compile(r"\s+" + joined.split()[1] + r"(?![A-Za-z0-9_./-])").match(text, pos)
                if follow is None:
                    raise SelectorError(f"expected {joined!r} after label {out[-1]!r}")
                pos = follow.end()
            token = joined
        out.append(token)
    return out


def _is_label(token: str) -> bool:
    return bool(re.fullmatch(r"[A-Za-z0-9_./-]+", token)) and token not in _WORD_OPS.values()


class _Parser:
    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens
        self.pos = 0

    def peek(self) -> str:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else ""

    def take(self) -> str:
        token = self.peek()
        if not token:
            raise SelectorError("unexpected end of selector")
        self.pos += 1
        return token

    def or_(self) -> Node:
        nodes = [self.and_()]
        while self.peek() == "||":
            self.take()
            nodes.append(self.and_())
        return nodes[0] if len(nodes) == 1 else Or(tuple(nodes))

    def and_(self) -> Node:
        nodes = [self.operation()]
        while self.peek() == "&&":
            self.take()
            nodes.append(self.operation())
        return nodes[0] if len(nodes) == 1 else And(tuple(nodes))

    def operation(self) -> Node:
        negated = False
        while self.peek() == "!":
            self.take()
            negated = not negated
        node = self.atom()
        return Not(node) if negated else node

    def atom(self) -> Node:
        token = self.take()
        if token == "(":
            node = self.or_()
            if self.take() != ")":
                raise SelectorError("expected )")
            return node
        fn = re.fullmatch(r"(has|all|global)\(\s*([A-Za-z0-9_./-]*)\s*\)", token)
        if fn:
            if fn.group(1) == "has":
                if not fn.group(2):
                    raise SelectorError("expected a label name in has()")
                return Term(fn.group(2), Operator.EXISTS)
            if fn.group(2):
                raise SelectorError(f"{fn.group(1)}() takes no argument")
            return ALL if fn.group(1) == "all" else GLOBAL
        if not _is_label(token):
            raise SelectorError(f"expected a label, has(), all() or ( but found {token!r}")
        return self.comparison(token)

    def comparison(self, key: str) -> Node:
        op = self.take()
        simple = {"==": Operator.IN, "!=": Operator.NOT_IN, "contains": Operator.CONTAINS,
                  "starts with": Operator.STARTS_WITH, "ends with": Operator.ENDS_WITH}  # fmt: skip
        if op in simple:
            return Term(key, simple[op], (self.string(),))
        if op in ("in", "not in"):
            return Term(key, Operator.IN if op == "in" else Operator.NOT_IN, self.set_literal())
        raise SelectorError(f"expected ==, !=, in, not in, contains, starts with or ends with after {key!r}")

    def string(self) -> str:
        token = self.take()
        if len(token) < 2 or token[0] not in "'\"":
            raise SelectorError(f"expected a quoted string but found {token!r}")
        return token[1:-1]

    def set_literal(self) -> tuple[str, ...]:
        if self.take() != "{":
            raise SelectorError("expected a set literal {...}")
        values: list[str] = []
        while self.peek() != "}":
            values.append(self.string())
            if self.peek() != ",":
                break
            self.take()
        if self.take() != "}":
            raise SelectorError("expected }")
        return tuple(sorted(set(values)))


def parse(text: str) -> Node:
    """The AST of a Calico selector; SelectorError when Calico would reject it."""
    tokens = tokenize(text)
    if not tokens:
        return ALL
    parser = _Parser(tokens)
    node = parser.or_()
    if parser.pos != len(tokens):
        raise SelectorError(f"unexpected {tokens[parser.pos]!r} after a complete selector")
    return node


def map_terms(node: Node, leaf: Callable[[Term], Node]) -> Node:
    """The same tree of !, && and || with every term (all(), global() included) replaced by `leaf`'s."""
    if isinstance(node, Not):
        return Not(map_terms(node.node, leaf))
    if isinstance(node, And):
        return And(tuple(map_terms(n, leaf) for n in node.nodes))
    if isinstance(node, Or):
        return Or(tuple(map_terms(n, leaf) for n in node.nodes))
    return leaf(node)


def evaluate(node: Node, labels: Mapping[str, str], is_global: bool = False) -> bool:
    """The AST's verdict on one object (ast.go Evaluate)."""
    if isinstance(node, Not):
        return not evaluate(node.node, labels, is_global)
    if isinstance(node, And):
        return all(evaluate(n, labels, is_global) for n in node.nodes)
    if isinstance(node, Or):
        return any(evaluate(n, labels, is_global) for n in node.nodes)
    if node.op is None:
        return is_global if node is GLOBAL or node.key == "*" else True
    return _term(node, labels)


def _term(term: Term, labels: Mapping[str, str]) -> bool:
    value = labels.get(term.key)
    if term.op is Operator.EXISTS:
        return value is not None
    if term.op is Operator.IN:
        return value is not None and value in term.values
    if term.op is Operator.NOT_IN:
        return value is None or value not in term.values
    assert term.op is not None
    return value is not None and string_test(term.op, term.values[0], value)


# -- disjunctive normal form ---------------------------------------------------------------------

Conj = tuple[Requirement, ...]
_NEGATE = {Operator.IN: Operator.NOT_IN, Operator.NOT_IN: Operator.IN, Operator.EXISTS: Operator.DOES_NOT_EXIST,
           **STRING_OPERATORS}  # fmt: skip


def to_dnf(node: Node, is_global: bool = False) -> tuple[LabelSelector, ...]:
    """An OR of selectors equal to `node` on objects that are (not) global; () matches nothing."""
    conjs = _dnf(node, False, is_global)
    return tuple(LabelSelector((), conj) for conj in conjs)


def _dnf(node: Node, neg: bool, is_global: bool) -> list[Conj]:
    if isinstance(node, Not):
        return _dnf(node.node, not neg, is_global)
    if isinstance(node, And | Or):
        conjunctive = isinstance(node, And) != neg  # De Morgan
        parts = [_dnf(n, neg, is_global) for n in node.nodes]
        return _product(parts) if conjunctive else [c for p in parts for c in p]
    if node.op is None:
        holds = is_global if node.key == "*" else True
        return [()] if holds != neg else []
    op = _NEGATE[node.op] if neg else node.op
    return [(Requirement(node.key, op, node.values),)]


def _product(parts: list[list[Conj]]) -> list[Conj]:
    out: list[Conj] = [()]
    for alternatives in parts:
        out = [a + b for a in out for b in alternatives]
        if len(out) > MAX_ALTERNATIVES:
            raise SelectorError(f"selector expands to more than {MAX_ALTERNATIVES} alternatives")
    return out


