"""``trustindex check``: the gate for dataset updates.

For each dataset: read it (``readable``), validate the values against its own metadata (columns, types,
bounds, entity codes, years, provenance, panel consistency), score it under every weights profile of its
framework, apply the audit gates, and, given a base (a git revision or a file), report every change
(entities, indicators, years, cells, scores and ranks) with findings above the thresholds. Every finding
has a rule, a severity (error, warning, notice) and, where it has one, the file, line and column it
concerns. :mod:`.rules` lists the rules and reads the rules file.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ExitCode
from .findings import Finding
from .rules import RULES, Rules, fails, read_rules

__all__ = ["RULES", "DatasetReport", "Finding", "Report", "Rules", "check", "read_rules"]
WORK = "trustindex-check-"
"""The prefix of check's temporary folder (staged base and current copies), with the process id after it."""


@dataclass(frozen=True)
class DatasetReport:
    """Everything ``check`` found about one dataset."""

    name: str
    path: Path
    findings: tuple[Finding, ...]
    ran: tuple[str, ...]
    """The rules evaluated, in order: each is one check, passed or failed."""
    unreadable: bool = False
    title: str = ""
    digest: str = ""
    year: int | None = None
    years: tuple[int, ...] = ()
    entities: int = 0
    indicators: int = 0
    base: object | None = None
    """The :class:`~.baseline.Base`, when a base was asked for."""
    base_year: int | None = None
    base_digest: str = ""
    changes: object | None = None
    """The :class:`~.compare.Changes`, when the base could be read."""
    scores: tuple = ()
    """:class:`~.scores.ProfileScores` per profile compared."""
    profiles: tuple[str, ...] = ()
    audit_profile: str | None = None
    uncertainty: object | None = None
    notes: tuple[str, ...] = ()
    """What was skipped and why, in words."""

    def failed(self, fail_on: str) -> list[str]:
        return [r for r in self.ran if any(f.rule == r and fails(f.severity, fail_on) for f in self.findings)]


@dataclass(frozen=True)
class Report:
    datasets: tuple[DatasetReport, ...]
    fail_on: str
    base: str | None = None
    base_kind: str | None = None
    rules: Rules = field(default_factory=Rules)

    @property
    def findings(self) -> list[Finding]:
        return [f for d in self.datasets for f in d.findings]

    @property
    def failed(self) -> int:
        return sum(len(d.failed(self.fail_on)) for d in self.datasets)

    @property
    def passed(self) -> int:
        return sum(len(d.ran) for d in self.datasets) - self.failed

    @property
    def exit_code(self) -> ExitCode:
        if any(d.unreadable for d in self.datasets):
            return ExitCode.DATA
        return ExitCode.FINDINGS if self.failed else ExitCode.OK


def check(folders: list[Path], rules: Rules | None = None, base: str | None = None, base_file: Path | None = None,
          progress: Callable[[float], None] | None = None, profiles: tuple[Path, ...] = ()) -> Report:  # fmt: skip
    """Check the datasets in ``folders`` under ``rules``, against the git revision ``base`` or ``base_file``,
    under the weights ``profiles`` given (else each dataset's own and those of its framework); ``progress``
    receives the share of datasets done.

    A base that cannot be used (no git, an unknown revision) raises ConfigError; a missing base file
    raises DataError.
    """
    from ..io.files import kind
    from .baseline import FileBase, GitBase
    from .run import check_dataset
    from .scores import Profiles

    rules = rules or Rules()
    if rules.path is not None:
        _verify(rules, folders)
    _clean_work_folders()
    with tempfile.TemporaryDirectory(prefix=f"{WORK}{os.getpid()}-") as tmp:
        source = None
        if base is not None:
            source = GitBase(base, Path(tmp))
            for folder in folders:
                if kind(Path(folder)) == "folder":
                    source.verify(Path(folder))  # fail now, before any work, without git or on an unknown revision
        elif base_file is not None:
            source = FileBase(Path(base_file), Path(tmp))
        cache = Profiles(profiles)
        reports = []
        for done, folder in enumerate(folders, start=1):
            reports.append(check_dataset(Path(folder), rules, source, cache, Path(tmp)))
            if progress is not None:
                progress(done / len(folders))
    return Report(tuple(reports), rules.fail_on, source and source.label, source and source.kind, rules)


def _verify(rules: Rules, folders: list[Path]) -> None:
    """The names in the rules file against the datasets checked (those whose metadata reads)."""
    from ..errors import DataError
    from ..io.dataset import read_metadata
    from .rules import verify
    from .scores import profile_paths

    metadata, profiles = {}, {}
    for folder in folders:
        try:
            meta = read_metadata(Path(folder))
        except DataError:
            continue  # reported as unreadable by the check itself
        name = meta.doc.data.get("name") if isinstance(meta.doc.data.get("name"), str) else Path(folder).name
        metadata[name], profiles[name] = meta, set(profile_paths(Path(folder)))
    verify(rules, metadata, profiles)


def _clean_work_folders() -> None:
    """Remove the temporary folders of checks that were killed (their process is gone)."""
    from ..io.output import running

    root = Path(tempfile.gettempdir())
    pattern = re.compile(re.escape(WORK) + r"(\d+)-\w+")
    try:
        entries = list(os.scandir(root))
    except OSError:
        return
    for entry in entries:
        match = pattern.fullmatch(entry.name)
        if match and entry.is_dir(follow_symlinks=False) and not running(int(match[1])):
            shutil.rmtree(entry.path, ignore_errors=True)
