""".policylint.yaml: discovery, `extends` presets, validation with jsonschema, rule settings.

This package's public surface is below. Modules by job: `settings` (the resolved Config),
`files` (finding and reading config files and presets), `layers` (one document with its
lines), `schema` (validation), `merge` (layers -> Config).
"""

from policylint.config.files import find_config, load_config
from policylint.config.settings import Config, ConfigError, RuleSetting

__all__ = ["Config", "ConfigError", "RuleSetting", "find_config", "load_config"]
