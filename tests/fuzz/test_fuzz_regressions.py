"""Loader crashes the CLI fuzzer found, pinned at the loader with their exact messages and places."""

from __future__ import annotations

import pytest

from policylint.load import load_paths, load_text

GOOD = "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: good}\n"


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        ("!!int \n", "f.yaml:1:1", "'' is not a valid !!int value; document skipped"),
        ("x: !!int abc\n", "f.yaml:1:4", "'abc' is not a valid !!int value; document skipped"),
        ("a:\n  b: !!bool maybe\n", "f.yaml:2:6", "'maybe' is not a valid !!bool value; document skipped"),
        ("!!float \n", "f.yaml:1:1", "'' is not a valid !!float value; document skipped"),
        ("? !!int 0x\n: v\n", "f.yaml:1:3", "'0x' is not a valid !!int value; document skipped"),
    ],
)
def test_an_invalid_explicitly_tagged_scalar_is_a_syntax_problem_not_a_crash(
    text: str, where: str, message: str
) -> None:
    result = load_text(text + GOOD, "f.yaml")
    assert [(p.rule, str(p.span), p.message) for p in result.problems] == [("NP001", where, message)]
    assert "good" in result.cluster.namespace_index  # the next document is still read


@pytest.mark.parametrize(
    ("text", "where", "char"),
    [
        ("\x1f", "f.yaml:1:1", "#x001f"),
        ("a: b\n\nc: d\x1b\n", "f.yaml:3:5", "#x001b"),
        ("x: \x85\x01\n", "f.yaml:1:5", "#x0001"),  # libyaml counts bytes; the column counts characters
    ],
)
def test_a_control_character_is_reported_on_one_line_at_its_place(text: str, where: str, char: str) -> None:
    result = load_text(text, "f.yaml")
    assert [(p.rule, str(p.span)) for p in result.problems] == [("NP001", where)]
    message = result.problems[0].message
    assert message == f"invalid YAML: unacceptable character {char} (control characters are not allowed)"


@pytest.mark.parametrize(
    ("stdin", "where", "byte"),
    [
        ("a: \udcff\n", "<stdin>:1:4", "0xff"),  # what Python's stdin (surrogateescape) makes of byte 0xff
        ("x: 1\ny: \udcc3\n", "<stdin>:2:4", "0xc3"),
        ("x: \ud800\n", "<stdin>:1:4", "0xed"),  # a lone surrogate from a library caller
    ],
)
def test_undecodable_stdin_is_reported_like_an_undecodable_file(stdin: str, where: str, byte: str) -> None:
    result = load_paths(["-"], stdin=stdin)
    assert [(p.rule, str(p.span)) for p in result.problems] == [("NP001", where)]
    assert f"is not valid UTF-8 (byte {byte})" in result.problems[0].message


@pytest.mark.parametrize(
    ("meta", "where", "shown"),
    [
        ("name: '\n\n    '\n  namespace: data", "f.yaml:4:9", "metadata.name: '\\n'"),
        ("name: \"web\\nf.yaml:1:1: error NP001 forged\"", "f.yaml:4:9", "metadata.name: 'web\\nf.yaml"),
        ("name: Web", "f.yaml:4:9", "metadata.name: 'Web'"),
        ("name: web\n  namespace: \"shop \"", "f.yaml:5:14", "metadata.namespace: 'shop '"),
    ],
)
def test_an_invalid_object_name_is_a_schema_problem_and_never_reaches_a_message(
    meta: str, where: str, shown: str
) -> None:
    text = f"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  {meta}\nspec: {{podSelector: {{}}}}\n"
    result = load_text(text, "f.yaml")
    assert [(p.rule, str(p.span)) for p in result.problems] == [("NP002", where)]
    assert result.problems[0].message.startswith(shown) and "\n" not in result.problems[0].message
    assert "object skipped" in result.problems[0].message and not result.cluster.policies


def test_a_label_key_with_a_newline_gives_a_one_line_message() -> None:
    from policylint.load import load_text

    text = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  labels:\n    "\\n": null\nspec: {containers: []}\n'
    messages = [p.message for p in load_text(text).problems]
    assert messages and all("\n" not in m for m in messages)
    assert any("metadata.labels.\\n" in m for m in messages)
