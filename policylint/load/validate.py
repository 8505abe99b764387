"""Schema validation of the objects read (placeholder until the generated schemas land)."""

from __future__ import annotations

from collections.abc import Sequence

from policylint.findings import InputProblem
from policylint.load.located_yaml import LMap


def validate(objects: Sequence[LMap]) -> list[InputProblem]:
    return []
