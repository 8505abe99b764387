"""policylint: static analysis and linting for Kubernetes NetworkPolicies."""

__version__ = "0.1.0"

# Set by the command-line entry point (policylint.cli.main): that process ends with its one command,
# so a model read from the cache may be frozen out of the collector's sight (policylint/cache.py).
# A library caller's process lives on: freezing there would keep every pending cycle for good.
FREEZE_LOADED_MODEL = False
