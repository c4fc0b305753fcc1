"""What ``trustindex check`` reports: findings with a location, and the checks that ran."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..model import frozen_map
from .rules import OFF, RULES, Rules


@dataclass(frozen=True)
class Finding:
    """One problem or change, at the file, line and column it concerns (when it has one)."""

    rule: str
    severity: str
    message: str
    path: Path | None = None
    line: int | None = None
    column: int | None = None
    entity: str | None = None
    node: str | None = None
    values: Mapping = field(default_factory=frozen_map)
    """Numbers behind the message (old and new values, shifts, thresholds), for JSON."""


class Collector:
    """Gathers the findings of one dataset under its rules and remembers which rules ran."""

    def __init__(self, rules: Rules):
        self.rules = rules
        self.findings: list[Finding] = []
        self.ran: list[str] = []
        self.hit: set[str] = set()
        """Rules that found something, switched off or not."""

    def run(self, *names: str) -> None:
        """Record that rules ``names`` were evaluated (a rule switched off is not)."""
        for name in names:
            if self.rules.level(name) != OFF and name not in self.ran:
                self.ran.append(name)

    def add(self, rule: str, message: str, path=None, line=None, column=None, entity=None, node=None, hint=None,
            notice: bool = False, **values):  # fmt: skip
        """A finding of ``rule`` at ``path:line:column``; the ``hint`` follows the message in parentheses;
        ``notice``: at most a notice, unless the rules file chose the rule's severity."""
        self.hit.add(rule)
        if hint:
            message = f"{message} ({hint})"
        severity = self.rules.level(rule)
        if severity == OFF:
            return
        if notice and severity == RULES[rule][0] and severity in ("error", "warning"):
            severity = "notice"
        self.run(rule)
        self.findings.append(Finding(rule, severity, message, path, line, column, entity, node, frozen_map(values)))

    def error(self, exc, rule: str = "readable") -> None:
        """A TrustIndexError as a finding at its own location."""
        message = exc.message + (f" ({exc.hint})" if exc.hint else "")
        self.add(rule, message, exc.path and Path(exc.path), exc.line, exc.column)
