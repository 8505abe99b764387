"""Finding and reading `.policylint.yaml`, following `extends` to other files and the presets."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from policylint.config.layers import Layer, parse_layer
from policylint.config.merge import build_config
from policylint.config.schema import validate
from policylint.config.settings import Config, ConfigError
from policylint.registry import Registry, default_registry

CONFIG_NAME = ".policylint.yaml"
PRESETS = ("default", "strict")


def find_config(start: Path) -> Path | None:
    """The nearest `.policylint.yaml` in `start` or one of its parents."""
    for folder in (start, *start.parents):
        candidate = folder / CONFIG_NAME
        if candidate.is_file():
            return candidate
    return None


def load_config(path: Path | None, registry: Registry | None = None) -> Config:
    """The config at `path`, or the default config when None. Raises ConfigError."""
    registry = registry or default_registry()
    if path is None:
        return Config(registry)
    return build_config(registry, read_layers(path, registry, ()))


def read_layers(path: Path, registry: Registry, seen: tuple[Path, ...]) -> list[Layer]:
    """The chain of layers for `path`: its `extends` first (recursively), then itself."""
    resolved = path.resolve()
    if resolved in seen:
        raise ConfigError(f"{path}: 'extends' loops back to this file")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config: {exc}") from exc
    layer = parse_layer(str(path), text, path.parent)
    validate(layer, registry)
    base = layer.data.get("extends", "default")
    if base in PRESETS:
        parents = [preset_layer(base, registry)] if base == "strict" else []
    else:
        parents = read_layers(path.parent / str(base), registry, (*seen, resolved))
    return [*parents, layer]


def preset_layer(name: str, registry: Registry) -> Layer:
    text = resources.files("policylint.presets").joinpath(f"{name}.yaml").read_text(encoding="utf-8")
    layer = parse_layer(f"<preset {name}>", text, None)
    validate(layer, registry)
    return layer
