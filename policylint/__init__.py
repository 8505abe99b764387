"""policylint: static analysis and linting for Kubernetes NetworkPolicies."""

__version__ = "0.1.0"
