"""A content or configuration problem, reported as one line naming the file and the field."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a data file: where it is and what is wrong."""

    file: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.field}: {self.message}"


class ContentInvalid(Exception):
    """Raised when shipped or group-written content fails validation."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def read_toml(path: Path) -> dict[str, Any]:
    """A data file's TOML, or ContentInvalid naming the file when it cannot be read or parsed."""
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ContentInvalid([Problem(str(path), "(file)", str(error))]) from error
