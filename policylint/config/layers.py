"""One config document (a file or a preset) parsed into plain data that remembers its lines."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from policylint.config.settings import ConfigError
from policylint.findings import Span, one_line
from policylint.load.yaml_guards import first_too_deep, may_nest_deeply

# A config is a few dozen lines; these bound what a hostile one can cost (alias bombs, nesting).
MAX_CONFIG_NODES = 50_000
MAX_CONFIG_DEPTH = 64

Path_ = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Layer:
    """One validated config document (a file or a preset) with the line of every path in it."""

    name: str
    data: Mapping[str, Any]
    lines: Mapping[Path_, int]
    folder: Path | None

    def where(self, path: Path_) -> str:
        while path not in self.lines and path:
            path = path[:-1]
        line = self.lines.get(path)
        return f"{self.name}:{line}" if line else self.name

    def span(self, path: Path_) -> Span:
        while path not in self.lines and path:
            path = path[:-1]
        return Span(self.name, self.lines.get(path, 1), 1)


def parse_layer(name: str, text: str, folder: Path | None) -> Layer:
    _refuse_deep(name, text)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.reader.ReaderError as exc:  # a character YAML forbids (NUL, most controls): at its line
        line = text.count("\n", 0, max(exc.position, 0)) + 1
        raise ConfigError(f"{name}:{line}: invalid YAML: unacceptable character #x{exc.character:04x}") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = f"{name}:{mark.line + 1}" if mark else f"{name}:1"
        raise ConfigError(f"{where}: invalid YAML: {one_line(str(getattr(exc, 'problem', None) or exc))}") from exc
    if node is None:
        return Layer(name, {}, {}, folder)
    lines: dict[Path_, int] = {}
    data = to_python(node, (), lines, [MAX_CONFIG_NODES], name)
    if not isinstance(data, dict):
        raise ConfigError(f"{name}:{node.start_mark.line + 1}: the config must be a mapping")
    return Layer(name, data, lines, folder)


def _refuse_deep(name: str, text: str) -> None:
    """libyaml's composer recurses in C: refuse deep nesting from parser events before composing."""
    if not may_nest_deeply(text):
        return
    try:
        found = first_too_deep(text)
    except yaml.YAMLError:
        return  # composing meets the same syntax error and reports it
    if found is not None:
        raise ConfigError(f"{name}:{found[1] + 1}: the config is nested too deeply")


def to_python(node: yaml.Node, path: Path_, lines: dict[Path_, int], budget: list[int], name: str = "config") -> Any:
    """Plain data from a composed node, recording the 1-based line of every path.

    `budget` counts the nodes left to expand: aliases can make a short text expand exponentially.
    """
    budget[0] -= 1
    if budget[0] < 0 or len(path) > MAX_CONFIG_DEPTH:
        what = "nested too deeply" if len(path) > MAX_CONFIG_DEPTH else "too large once its aliases are expanded"
        raise ConfigError(f"{name}:{node.start_mark.line + 1}: the config is {what}")
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = to_python(key_node, path, {}, budget, name) if key_node.__class__ is yaml.ScalarNode else []
            if not isinstance(key, (str, int, float, bool)) and key is not None:
                raise ConfigError(f"{name}:{key_node.start_mark.line + 1}: a config key must be a scalar")
            step: str | int = key if isinstance(key, (str, int)) else str(key)
            out[key] = to_python(value_node, (*path, step), lines, budget, name)
            lines[(*path, step)] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        return [to_python(item, (*path, i), lines, budget, name) for i, item in enumerate(node.value)]
    try:
        return scalar(node)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{name}:{node.start_mark.line + 1}: invalid value: {getattr(exc, 'problem', exc)}") from exc
    except (ValueError, IndexError, KeyError, AttributeError, TypeError) as exc:  # `!!int x`, 5,000 digits
        short = str(node.tag).rpartition(":")[2]
        value = node.value if len(node.value) <= 40 else f"{node.value[:40]}... ({len(node.value)} characters)"
        where = f"{name}:{node.start_mark.line + 1}"
        raise ConfigError(f"{where}: invalid value: {value!r} is not a valid {short}") from exc


def scalar(node: yaml.Node) -> Any:
    return yaml.SafeLoader("").construct_object(node)
