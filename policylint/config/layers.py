"""One config document (a file or a preset) parsed into plain data that remembers its lines."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from policylint.config.settings import ConfigError
from policylint.findings import Span

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
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{name}:{mark.line + 1}" if mark else name
        raise ConfigError(f"{where}: invalid YAML: {getattr(exc, 'problem', exc)}") from exc
    if node is None:
        return Layer(name, {}, {}, folder)
    lines: dict[Path_, int] = {}
    data = to_python(node, (), lines)
    if not isinstance(data, dict):
        raise ConfigError(f"{name}:{node.start_mark.line + 1}: the config must be a mapping")
    return Layer(name, data, lines, folder)


def to_python(node: yaml.Node, path: Path_, lines: dict[Path_, int]) -> Any:
    """Plain data from a composed node, recording the 1-based line of every path."""
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = scalar(key_node)
            out[key] = to_python(value_node, (*path, key), lines)
            lines[(*path, key)] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        return [to_python(item, (*path, i), lines) for i, item in enumerate(node.value)]
    return scalar(node)


def scalar(node: yaml.Node) -> Any:
    return yaml.SafeLoader("").construct_object(node)
