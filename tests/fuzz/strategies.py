"""Hypothesis strategies for hostile input: bytes that a user (or an attacker) can put in a manifest file.

Three families, each ending in the `bytes` of one file:

- `yaml_like_files`: arbitrary YAML documents (nested maps and lists of every scalar type,
  odd keys, Kubernetes-looking headers over random bodies), rendered as block YAML, flow
  YAML or JSON, with anchors/aliases, tags, multi-document streams and `kind: List` wrappers;
- `token_soup_files` and `raw_byte_files`: YAML punctuation, directives, tags and keywords in
  random order, and random bytes (invalid UTF-8, NUL, BOMs);
- `mutated_manifests`: valid manifests from fixtures/ with fields removed, types swapped
  (map <-> list <-> str <-> int <-> null), values out of range, wrong enums, duplicated and
  deeply nested values.

Every family may pass through `text_mutations` (tabs, truncation, duplicated or dropped
lines, injected tokens) and `byte_mutations` (NUL, invalid UTF-8, BOMs, CRLF/CR endings).

Hypothesis profiles (each fuzz test scales `max_examples` by its own weight, see `budget`):

- `fuzz-ci`: chosen when the CI environment variable is set (or HYPOTHESIS_PROFILE=ci);
  derandomized, so a CI run is reproducible; about a minute in total on two cores;
- `fuzz-dev`: the default locally; random, half the CI budget;
- `fuzz-long`: a long local run, 100 times the CI budget (roughly an hour on two cores)::

      HYPOTHESIS_PROFILE=fuzz-long pytest tests/fuzz -n 2

  Run it on tests/fuzz alone: the property tests load HYPOTHESIS_PROFILE as their global profile.

The profiles are applied per test, never loaded globally, so they leave the budget of the
property tests in tests/properties alone.
"""

from __future__ import annotations

import copy
import json
import math
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

CI_EXAMPLES = 100  # per unit of weight
_COMMON: dict[str, Any] = {
    "deadline": None,
    "print_blob": True,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
}
settings.register_profile("fuzz-ci", derandomize=True, database=None, max_examples=CI_EXAMPLES, **_COMMON)
settings.register_profile("fuzz-dev", max_examples=CI_EXAMPLES // 2, **_COMMON)
settings.register_profile("fuzz-long", max_examples=CI_EXAMPLES * 100, **_COMMON)


def budget(weight: float) -> settings:
    """The selected fuzz profile with `weight` times its example budget."""
    wanted = os.environ.get("HYPOTHESIS_PROFILE", "")
    if wanted.startswith("fuzz-"):
        profile = settings.get_profile(wanted)
    else:
        profile = settings.get_profile("fuzz-ci" if os.environ.get("CI") or wanted == "ci" else "fuzz-dev")
    return settings(profile, max_examples=max(1, round(profile.max_examples * weight)))


ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures"

API_VERSIONS = ["v1", "apps/v1", "batch/v1", "networking.k8s.io/v1", "extensions/v1beta1", "networking.k8s.io/v1beta1",
                "", "v2", "apps/v1beta2"]  # fmt: skip
KINDS = ["NetworkPolicy", "Pod", "Namespace", "Service", "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet",
         "Job", "CronJob", "ReplicationController", "List", "PodList", "NetworkPolicyList", "ConfigMap",
         "networkpolicy", ""]  # fmt: skip
K8S_KEYS = ["apiVersion", "kind", "metadata", "name", "namespace", "labels", "annotations", "spec", "podSelector",
            "namespaceSelector", "matchLabels", "matchExpressions", "key", "operator", "values", "ingress", "egress",
            "from", "to", "ports", "port", "endPort", "protocol", "ipBlock", "cidr", "except", "policyTypes",
            "selector", "template", "containers", "containerPort", "targetPort", "hostNetwork", "items",
            "jobTemplate", "clusterIP", "type", "policylint.io/disable"]  # fmt: skip
# Strings YAML or Kubernetes treat specially: YAML 1.1 booleans/nulls/numbers, syntax characters,
# invalid or edge CIDRs, ports and enum values, long and non-ASCII values.
ODD_STRINGS = ["", " ", "~", "null", "Null", "yes", "no", "on", "off", "y", "n", "true", "0x1F", "0o17", "017", "1e3",
               "1_000", ".inf", "-.inf", ".nan", "12:30:00", "2001-12-14", "<<", "=", "&a", "*a", "!", "!!str", "%",
               "@", "`", "---", "...", "- x", "a: b", "{", "[", "#x", "'", '"', "\\", "\t", "\n", "\r\n", "\x85",
               "\u2028", "\ufeff", "\x00", "\x7f", "\ud800", "ünïcödé", "名前", "🙂", "a" * 300, "TCP", "tcp", "UDP",
               "SCTP", "ICMP", "Ingress", "Egress", "ingress", "Both", "In", "NotIn", "Exists", "DoesNotExist",
               "Matches", "0.0.0.0/0", "::/0", "10.0.0.0/8", "10.0.0.1/8", "10.0.0.0/33", "300.0.0.0/8",
               "10.0.0.1", "fe80::1/129", "2001:db8::/32", "::ffff:10.0.0.0/104", "169.254.169.254/32", "http",
               "metrics", "dns-tcp", "a-very-long-port-name", "80", "-1", "65536", "kube-system", "*", "-", "a b",
               "app", "kubernetes.io/metadata.name", "NP201", "NP999,foo"]  # fmt: skip
ODD_INTS = [0, -1, 1, 53, 80, 65535, 65536, 2**31 - 1, 2**31, -(2**31), 2**63, 2**64, -(2**64), 10**30, -(10**100)]
TOKENS = ["\n", "\n", "  ", "    ", "- ", ": ", ":", "? ", "{", "}", "[", "]", ", ", "&a ", "*a", "&b ", "*b", "<<: ",
          "!!str ", "!!int ", "!!float ", "!!bool ", "!!null ", "!!map ", "!!seq ", "!!set ", "!!omap ", "!!pairs ",
          "!!binary ", "!!timestamp ", "!!merge ", "!!python/object:os.system ", "!!python/name:os.system ",
          "!foo ", "!<tag:yaml.org,2002:str> ", "%YAML 1.1\n", "%YAML 1.2\n", "%TAG !e! tag:e.com,2000:\n",
          "---\n", "--- ", "...\n", "|\n", "|-\n", ">\n", ">+\n", "'", '"', "# c", "\t", "\r", "\\", "@", "`",
          "\ufeff", "\x85", "\u2028", "apiVersion: ", "kind: ", "metadata: ", "name: ", "spec: ", "podSelector: ",
          "ingress: ", "egress: ", "ports: ", "port: ", "from: ", "to: ", "ipBlock: ", "cidr: ", "items: ",
          "matchLabels: ", "networking.k8s.io/v1", "v1", "NetworkPolicy", "Pod", "Namespace", "List", "0", "-1",
          "65536", "1e400", "null", "~", "yes", "x", "app", "10.0.0.0/8"]  # fmt: skip


# --- arbitrary YAML-like values ------------------------------------------------------------

scalars: st.SearchStrategy[Any] = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from(ODD_INTS),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(ODD_STRINGS),
)
keys: st.SearchStrategy[Any] = st.one_of(
    st.sampled_from(K8S_KEYS),
    st.sampled_from(ODD_STRINGS),
    st.text(max_size=8),
    st.integers(-5, 70000),
    st.booleans(),
    st.none(),
    st.floats(allow_nan=False, allow_infinity=False),
)


def values(max_leaves: int = 24) -> st.SearchStrategy[Any]:
    return st.recursive(
        scalars,
        lambda children: st.one_of(
            st.lists(children, max_size=4), st.dictionaries(keys, children, max_size=5)
        ),
        max_leaves=max_leaves,
    )


def kubernetes_like() -> st.SearchStrategy[dict[Any, Any]]:
    """An object with a real (or nearly real) header and a random body, so the schema validator,
    the model builder and the rules all see random values, not only the YAML parser."""
    metadata = st.fixed_dictionaries(
        {},
        optional={
            "name": st.one_of(st.sampled_from(["web", "db", "a", "default-deny"]), scalars),
            "namespace": st.one_of(st.sampled_from(["default", "shop", "kube-system"]), scalars),
            "labels": st.one_of(st.dictionaries(st.sampled_from(["app", "tier"]), scalars, max_size=2), values(6)),
            "annotations": st.one_of(st.just({"policylint.io/disable": "NP201"}), values(4)),
        },
    )
    spec_keys = ["podSelector", "ingress", "egress", "policyTypes", "selector", "template", "containers", "ports",
                 "hostNetwork", "jobTemplate"]  # fmt: skip
    spec = st.one_of(st.dictionaries(st.sampled_from(spec_keys), values(12), max_size=4), values(8))
    return st.fixed_dictionaries(
        {
            "apiVersion": st.one_of(st.sampled_from(API_VERSIONS), scalars),
            "kind": st.one_of(st.sampled_from(KINDS), scalars),
        },
        optional={"metadata": st.one_of(metadata, values(4)), "spec": spec, "items": st.lists(values(8), max_size=3)},
    )


documents: st.SearchStrategy[Any] = st.one_of(kubernetes_like(), values())


# --- rendering values as file text ----------------------------------------------------------------


@contextmanager
def _deep_recursion() -> Iterator[None]:
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old, 20_000))
    try:
        yield
    finally:
        sys.setrecursionlimit(old)


def flow(value: Any) -> str:
    """A JSON-like flow rendering that takes any key type and any depth (YAML reads it all)."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{flow(k)}: {flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(flow(v) for v in value) + "]"
    if isinstance(value, float) and not math.isfinite(value):
        return ".nan" if math.isnan(value) else (".inf" if value > 0 else "-.inf")
    return json.dumps(value)


def render_yaml(docs: list[Any], style: str, start: bool, indent: int) -> str:
    """Block or flow YAML via PyYAML, or flow text when PyYAML cannot represent a value (too deep)."""
    with _deep_recursion():
        if style == "flow":
            return "".join(("---\n" if start or i else "") + flow(d) + "\n" for i, d in enumerate(docs))
        try:
            return yaml.safe_dump_all(
                docs, default_flow_style=style == "yaml-flow", sort_keys=False, allow_unicode=True, indent=indent,
                explicit_start=start, width=80 if indent == 2 else 1000,
            )  # fmt: skip
        except (yaml.YAMLError, RecursionError, ValueError, TypeError):
            return "".join("---\n" + flow(d) + "\n" for d in docs)


@st.composite
def rendered(draw: st.DrawFn, docs: list[Any]) -> str:
    if docs and draw(st.integers(0, 9)) == 0:  # a List of the objects, as `kubectl get -o yaml` prints
        list_kind = draw(st.sampled_from(["List", "PodList", "NetworkPolicyList", "ServiceList"]))
        docs = [{"apiVersion": "v1", "kind": list_kind, "items": docs}]
    style = draw(st.sampled_from(["block", "block", "yaml-flow", "flow"]))
    text = render_yaml(docs, style, draw(st.booleans()), draw(st.sampled_from([2, 2, 3, 4])))
    if draw(st.booleans()):
        text = draw(anchored(text))
    if draw(st.integers(0, 3)) == 0:
        text = draw(st.sampled_from(["%YAML 1.1\n---\n", "%YAML 1.2\n--- ", "# comment\n", "...\n", "--- |\n x\n---\n",
                                     "---\n---\n", "\ufeff"])) + text  # fmt: skip
    return text


@st.composite
def anchored(draw: st.DrawFn, text: str) -> str:
    """Turn `key: value` lines into anchors and aliases (and merge keys), sometimes dangling."""
    lines = text.split("\n")
    candidates = [i for i, line in enumerate(lines) if ": " in line]
    if not candidates:
        return text
    for n in range(draw(st.integers(1, 3))):
        i, j = draw(st.sampled_from(candidates)), draw(st.sampled_from(candidates))
        key_i, _, value_i = lines[i].partition(": ")
        lines[i] = f"{key_i}: &a{n} {value_i}"
        key_j, _, _ = lines[j].partition(": ")
        alias = draw(st.sampled_from([f"*a{n}", f"*a{n}", f"{{<<: *a{n}}}", f"[*a{n}, *a{n}]", "*undefined"]))
        lines[j] = f"{key_j}: {alias}"
    return "\n".join(lines)


# --- text and byte mutations ----------------------------------------------------------------------


@st.composite
def text_mutations(draw: st.DrawFn, text: str) -> str:
    for _ in range(draw(st.integers(0, 3))):
        op = draw(st.sampled_from(["tab", "truncate", "dup-line", "drop-line", "insert", "indent"]))
        lines = text.split("\n")
        i = draw(st.integers(0, max(0, len(lines) - 1)))
        if op == "tab":
            lines[i] = "\t" + lines[i]
        elif op == "dup-line":
            lines.insert(i, lines[i])
        elif op == "drop-line":
            del lines[i]
        elif op == "indent":
            lines[i] = " " * draw(st.integers(1, 5)) + lines[i]
        elif op == "truncate":
            text = text[: draw(st.integers(0, len(text)))]
            continue
        else:
            at = draw(st.integers(0, len(text)))
            text = text[:at] + draw(st.sampled_from(TOKENS)) + text[at:]
            continue
        text = "\n".join(lines)
    return text


def encode(text: str) -> bytes:
    """UTF-8; lone surrogates in a drawn string become the invalid bytes they would be on disk."""
    return text.encode("utf-8", "surrogatepass")


@st.composite
def byte_mutations(draw: st.DrawFn, data: bytes) -> bytes:
    op = draw(st.sampled_from(["none", "none", "none", "insert", "bom8", "utf16", "utf32", "crlf", "cr"]))
    if op == "insert":
        at = draw(st.integers(0, len(data)))
        junk = draw(st.sampled_from([b"\x00", b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\x80\x80",
                                     b"\xfe\xff", b"\x1b[31m", b"\x0c", b"\x07"]))  # fmt: skip
        return data[:at] + junk + data[at:]
    if op == "bom8":
        return b"\xef\xbb\xbf" + data
    if op in ("utf16", "utf32"):
        try:
            return data.decode("utf-8").encode("utf-16" if op == "utf16" else "utf-32")  # with a BOM
        except UnicodeDecodeError:
            return data
    return data.replace(b"\n", b"\r\n" if op == "crlf" else b"\r")


@st.composite
def finish(draw: st.DrawFn, text: str) -> bytes:
    if draw(st.booleans()):
        text = draw(text_mutations(text))
    return draw(byte_mutations(encode(text)))


# --- the file strategies ----------------------------------------------------------------------------


@st.composite
def yaml_like_files(draw: st.DrawFn) -> bytes:
    docs = draw(st.lists(documents, min_size=0, max_size=4))
    return draw(finish(draw(rendered(docs))))


@st.composite
def token_soup_files(draw: st.DrawFn) -> bytes:
    parts = draw(st.lists(st.one_of(st.sampled_from(TOKENS), st.text(max_size=4)), max_size=60))
    return draw(byte_mutations(encode("".join(parts))))


raw_byte_files: st.SearchStrategy[bytes] = st.one_of(
    st.binary(max_size=400),
    st.builds(lambda head, tail: head + tail, st.sampled_from([b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff",
                                                               b"\x00\x00\xfe\xff", b"apiVersion: v1\nkind: "]),
              st.binary(max_size=200)),  # fmt: skip
)


# --- mutations of valid manifests ----------------------------------------------------------------------


@cache
def corpus() -> tuple[Any, ...]:
    """Every object of the example, the semantics cases and the rule fixtures (plain values)."""
    files = sorted([*FIXTURES.glob("examples/*/*.yaml"), *FIXTURES.glob("semantics/*/manifests.yaml"),
                    *FIXTURES.glob("rules/*/*.yaml")])  # fmt: skip
    docs: list[Any] = []
    for path in files:
        if path.name == "config.yaml":
            continue
        try:
            docs.extend(d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if isinstance(d, dict))
        except yaml.YAMLError:
            continue
    return tuple(docs)


Path_ = tuple[Any, ...]


def paths(value: Any, max_depth: int = 40) -> list[Path_]:
    """Every position in a value (map keys and list indexes) down to `max_depth`, parents first."""
    out: list[Path_] = []
    todo: list[tuple[Path_, Any]] = [((), value)]
    while todo:
        prefix, node = todo.pop()
        items: Any = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for key, child in items:
            out.append((*prefix, key))
            if len(prefix) < max_depth:
                todo.append(((*prefix, key), child))
    return out


def _swap_type(value: Any) -> list[Any]:
    """The same content under another type: map <-> list <-> str <-> int <-> null."""
    if isinstance(value, dict):
        return [list(value.values()), list(value), str(value), len(value), None]
    if isinstance(value, list):
        return [{str(i): v for i, v in enumerate(value)}, ", ".join(map(str, value)), len(value), None, value[:1]]
    if isinstance(value, bool) or value is None:
        return [str(value), [value], {"value": value}, int(bool(value))]
    if isinstance(value, int | float):
        return [str(value), [value], {"port": value}, None, -value if value else -1]
    text = str(value)
    return [[text], {text: text}, len(text), None, text.upper(), text + "x", int(text) if text.isdigit() else 0]


def _wrap(value: Any, depth: int, as_map: bool) -> Any:
    for _ in range(depth):
        value = {"a": value} if as_map else [value]
    return value


@st.composite
def mutation(draw: st.DrawFn, current: Any, siblings: list[Any]) -> Any:
    """A replacement for `current` (or DELETE)."""
    op = draw(st.sampled_from(["delete", "delete", "swap", "swap", "int", "str", "random", "deep", "dup", "many"]))
    if op == "delete":
        return DELETE
    if op == "swap":
        return draw(st.sampled_from(_swap_type(current)))
    if op == "int":
        return draw(st.one_of(st.sampled_from(ODD_INTS), st.integers()))
    if op == "str":
        return draw(st.sampled_from(ODD_STRINGS))
    if op == "random":
        return draw(values(8))
    if op == "deep":
        depth = draw(st.sampled_from([5, 40, 200, 999, 1001, 1200]))
        return _wrap(current, depth, draw(st.booleans()))
    if op == "dup" and siblings:
        return copy.deepcopy(draw(st.sampled_from(siblings)))
    return [copy.deepcopy(current)] * draw(st.sampled_from([2, 30, 300]))  # many copies of one value


DELETE = object()


def _apply(doc: Any, where: Path_, replacement: Any) -> Any:
    if not where:
        return {} if replacement is DELETE else replacement
    parent = doc
    for key in where[:-1]:
        parent = parent[key]
    if replacement is DELETE:
        del parent[where[-1]]
    else:
        parent[where[-1]] = replacement
    return doc


def _at(doc: Any, where: Path_) -> Any:
    for key in where:
        doc = doc[key]
    return doc


@st.composite
def mutated_object(draw: st.DrawFn, doc: Any) -> Any:
    doc = copy.deepcopy(doc)
    for _ in range(draw(st.integers(1, 4))):
        spots = [(), *paths(doc)]
        where = draw(st.sampled_from(spots))
        current = _at(doc, where)
        parent = _at(doc, where[:-1]) if where else None
        siblings = list(parent.values() if isinstance(parent, dict) else parent if isinstance(parent, list) else [])
        if draw(st.integers(0, 7)) == 0 and isinstance(current, dict):  # an unknown or odd key beside the known ones
            current[draw(keys)] = draw(values(4))
            continue
        replacement = draw(mutation(current, siblings))
        doc = _apply(doc, where, replacement)
        if replacement is not DELETE and _deeper_than(replacement, 40):
            break  # positions inside a deep nest are all alike; and copying them would recurse
    return doc


def _deeper_than(value: Any, depth: int) -> bool:
    for _ in range(depth):
        if isinstance(value, dict) and len(value) == 1:
            value = next(iter(value.values()))
        elif isinstance(value, list) and len(value) == 1:
            value = value[0]
        else:
            return False
    return True


@st.composite
def mutated_manifests(draw: st.DrawFn) -> bytes:
    pool = corpus()
    originals = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=6))
    docs = [draw(mutated_object(d)) if draw(st.integers(0, 2)) else copy.deepcopy(d) for d in originals]
    text = draw(rendered(docs))
    return draw(byte_mutations(encode(text))) if draw(st.integers(0, 5)) == 0 else encode(text)



# --- config files, file names and symlinks (issue 17) ----------------------------------------------

CONFIG_KEYS = ["extends", "rules", "ignore", "paths", "namespace", "cni", "assumptions", "expect", "smt-timeout"]
RULE_KEYS = ["NP201", "NP301", "policy-selects-nothing", "NP001", "NP999", "severity", "enabled", "max_namespaces"]
config_leaf: st.SearchStrategy[Any] = st.one_of(
    scalars,
    st.sampled_from(["enable", "disable", "error", "warning", "info", "calico", "k8s", "*.yaml", "../x", "/etc",
                     ".", "x/**", "shop", "BAD NS", "deploy/api", "*:", "a" * 70]),  # fmt: skip
)


def config_values(max_leaves: int = 16) -> st.SearchStrategy[Any]:
    return st.recursive(
        config_leaf,
        lambda children: st.one_of(
            st.lists(children, max_size=3),
            st.dictionaries(st.one_of(st.sampled_from(RULE_KEYS + ["allow", "deny", "from", "to", "port"]), keys),
                            children, max_size=4),  # fmt: skip
        ),
        max_leaves=max_leaves,
    )


@st.composite
def config_files(draw: st.DrawFn) -> bytes:
    """A `.policylint.yaml` of any shape: mostly a mapping of the real keys with values of any type."""
    if draw(st.integers(0, 4)) == 0:
        data: Any = draw(config_values())  # a list, a scalar, null, nested junk
    else:
        data = draw(st.dictionaries(st.one_of(st.sampled_from(CONFIG_KEYS), keys), config_values(), max_size=5))
    return draw(finish(draw(rendered([data]))))


NAME_PARTS = ["a", "policy", ".yaml", " ", "\n", "\r", "\t", "\x1b[31m", "\x1b]8;;http://e\x07", "\x07", "\x7f",
              "\u202e", "\u200b", "é", "名", "🙂", "`", "|", "<!--", "@admin", "%", "%0A", "::error::", ",", ":",
              "#", "?", "*", "'", '"', "\\", "-", "$(x)"]  # fmt: skip


@st.composite
def file_names(draw: st.DrawFn) -> bytes:
    """One path component (bytes): control characters, escapes, undecodable bytes, up to NAME_MAX."""
    parts = draw(st.lists(st.one_of(st.sampled_from(NAME_PARTS).map(lambda s: s.encode()),
                                    st.sampled_from([b"\xff", b"\xe9", b"\xc3", b"\x80", b"\xed\xa0\x80"]),
                                    st.binary(min_size=1, max_size=4)), min_size=1, max_size=8))  # fmt: skip
    name = b"".join(parts).replace(b"/", b"_").replace(b"\0", b"_")
    if draw(st.integers(0, 5)) == 0:
        name = name + b"x" * 255  # very long: cut to NAME_MAX below
    name = name[:255]
    return b"x" + name[:254] if name.startswith(b".") else name  # a leading dot: hidden, never read
