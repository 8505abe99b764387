"""Finding and reading `.policylint.yaml`, following `extends` to other files and the presets."""

from __future__ import annotations

import os
import stat
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from policylint.config.settings import Config, ConfigError
from policylint.registry import Registry, default_registry

if TYPE_CHECKING:  # reading a config file needs these; the default config (no file) does not
    from policylint.config.layers import Layer

CONFIG_NAME = ".policylint.yaml"
PRESETS = ("default", "strict")
MAX_CONFIG_BYTES = 1 << 20  # a config is a few KB; more is a mistake or an attack


def find_config(start: Path) -> Path | None:
    """The nearest `.policylint.yaml` in `start` or one of its parents."""
    for folder in (start, *start.parents):
        candidate = folder / CONFIG_NAME
        if candidate.is_file():
            return candidate
    return None


def load_config(path: Path | None, registry: Registry | None = None, *, confined: bool = True) -> Config:
    """The config at `path`, or the default config when None. Raises ConfigError.

    `confined` (the default): `extends` and `paths:` must stay inside the repository that holds
    the config (the nearest folder with a `.git`, else the config's own folder), because a pull
    request controls the config and must not make policylint read the runner's other files.
    """
    registry = registry or default_registry()
    if path is None:
        return Config(registry)
    from policylint.config.merge import build_config

    fence = repository_of(path) if confined else None
    layers = read_layers(path, registry, (), fence)
    if fence is not None:
        for layer in layers:
            check_paths(layer, path, fence)
    return build_config(registry, layers)


def repository_of(path: Path) -> Path:
    """The root of the repository holding `path`: the nearest folder with `.git`, else its folder."""
    folder = path.resolve().parent
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists():
            return candidate
    return folder


def read_layers(path: Path, registry: Registry, seen: tuple[Path, ...], fence: Path | None = None) -> list[Layer]:
    """The chain of layers for `path`: its `extends` first (recursively), then itself."""
    resolved = path.resolve()
    if resolved in seen:
        raise ConfigError(f"{path}: 'extends' loops back to this file")
    if fence is not None and seen and not resolved.is_relative_to(fence):
        raise ConfigError(f"{path}: 'extends' leads outside the repository {fence}; not read")
    from policylint.config.layers import parse_layer
    from policylint.config.schema import validate

    layer = parse_layer(str(path), read_text(path), path.parent)
    validate(layer, registry)
    base = layer.data.get("extends", "default")
    if base in PRESETS:
        parents = [preset_layer(base, registry)] if base == "strict" else []
    else:
        parents = read_layers(path.parent / str(base), registry, (*seen, resolved), fence)
    return [*parents, layer]


def read_text(path: Path) -> str:
    """A config file's text: a regular file (never a device or FIFO, which could block or never end), bounded."""
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            raise ConfigError(f"{path}: cannot read config: not a regular file")
        if info.st_size > MAX_CONFIG_BYTES:
            raise ConfigError(f"{path}: cannot read config: larger than {MAX_CONFIG_BYTES} bytes")
        with open(path, "rb") as handle:
            data = handle.read(MAX_CONFIG_BYTES + 1)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config: {exc.strerror or exc}") from exc
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{path}: cannot read config: larger than {MAX_CONFIG_BYTES} bytes")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ConfigError(f"{path}:{line}: cannot read config: not valid UTF-8 (byte {exc.start})") from exc


def check_paths(layer: Layer, path: Path, fence: Path) -> None:
    """Each `paths:` entry is relative, without `..`, and (after symlinks) inside the repository."""
    for index, entry in enumerate(layer.data.get("paths", ())):
        where = layer.where(("paths", index))
        text = str(entry)
        if os.path.isabs(text) or ".." in Path(text).parts:
            raise ConfigError(f"{where}: paths entry {text!r} must be relative to the config, without '..'")
        if not (path.parent / text).resolve().is_relative_to(fence):
            raise ConfigError(f"{where}: paths entry {text!r} leads outside the repository {fence} (a symlink?)")


def preset_layer(name: str, registry: Registry) -> Layer:
    from policylint.config.layers import parse_layer
    from policylint.config.schema import validate

    text = resources.files("policylint.presets").joinpath(f"{name}.yaml").read_text(encoding="utf-8")
    layer = parse_layer(f"<preset {name}>", text, None)
    validate(layer, registry)
    return layer
