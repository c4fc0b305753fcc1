"""``trustindex check``: the gate for dataset updates."""

from __future__ import annotations

from pathlib import Path

import click

from .options import DATASET, FILE, PROFILE, emit, format_for, preflight, terminal_width
from .progress import progress_bar, quiet_option

FORMATS = ("text", "json", "markdown", "github")


def _targets(names: tuple[str, ...]) -> list[Path]:
    """Dataset folders: the arguments (by the one rule, or a file inside a dataset folder), else every dataset
    under ./datasets, else the shipped ones."""
    from ..io.files import kind, resolved
    from ..io.registry import LOCAL, dataset_names, local_dataset_names, resolve_dataset, shipped_root

    if not names:
        local = [LOCAL[0] / n for n in local_dataset_names()]
        return local or [shipped_root() / "datasets" / n for n in dataset_names()]
    out: list[Path] = []
    for name in names:
        path = Path(name).parent if name and kind(Path(name)) == "file" else resolve_dataset(name)
        if resolved(path) not in [resolved(p) for p in out]:
            out.append(path)
    return out


@click.command(
    epilog="""\b
Examples:
  trustindex check                                  # every dataset under ./datasets (else the shipped ones)
  trustindex check jp-prefectures --base origin/main
  trustindex check datasets/asem --base HEAD~1 --fail-on warning
  trustindex check jp-prefectures --base-file old/values.csv -f markdown
  trustindex check --base origin/main --rules check.toml -f github   # in CI: annotations and a step summary
  trustindex check -f json -o check.json

\b
Exit codes: 0 no finding at or above --fail-on; 1 findings at or above it;
2 usage or configuration (options, rules file, unknown revision); 3 a file does not read.
"""
)
@click.argument("datasets", nargs=-1, metavar="[DATASET]...", type=DATASET)
@click.option("-d", "--data", "data", metavar="NAME|PATH", type=DATASET, multiple=True,
              help="A dataset to check, as DATASET (repeatable; the two add up)")  # fmt: skip
@click.option("--base", metavar="REV", default=None,
              help="Compare with the same dataset at this git revision (read with git show).")  # fmt: skip
@click.option("--base-file", metavar="PATH", type=FILE, default=None,
              help="Compare with this dataset folder, dataset.toml or values CSV (one dataset only).")  # fmt: skip
@click.option("--rules", "rules_path", metavar="FILE", type=FILE, default=None,
              help="Rules and thresholds (TOML)  [default: built in]")  # fmt: skip
@click.option("--fail-on", type=click.Choice(["error", "warning"]), default=None,
              help="Exit 1 on findings of this severity or worse  [default: the rules', else error]")  # fmt: skip
@click.option("-w", "--weights", "profiles", metavar="NAME|PATH", type=PROFILE, multiple=True,
              help="Score under this profile (repeatable)  [default: the dataset's and its framework's]")  # fmt: skip
@click.option("-f", "--format", "fmt", type=click.Choice(FORMATS), default=None,
              help="Output format (github: workflow annotations)  [default: by -o's suffix, else text]")  # fmt: skip
@click.option("-o", "--output", metavar="FILE", type=FILE, default="-", show_default=True,
              help="Write to FILE (atomically) instead of stdout.")  # fmt: skip
@quiet_option
def check(datasets, data, base, base_file, rules_path, profiles, fail_on, fmt, output, quiet):
    """Check datasets before they are merged: validation, audit gates and a change report.

    Validates each dataset against its own metadata (every declared column present and no undeclared
    one, numbers, values within goalposts and bounds, coverage, entity codes, provenance, panel years
    and entities), scores it under every weights profile of its framework and applies the audit gates
    (Cronbach's alpha, new outliers, new correlation flags). With --base or --base-file it reports what
    changed: entities, indicators, years and cells (old → new), and each entity's score and rank under
    each profile, flagging moves above the thresholds.

    Every finding names its rule and, where it has one, the file, line and column. The last line reads
    "N passed, N failed" over the checks (rules) run. With $GITHUB_STEP_SUMMARY set, a Markdown summary
    is appended to it (never to a file the check reads).
    """
    import os
    from dataclasses import replace

    from ..check import check as run
    from ..check import read_rules
    from ..io.output import append_file, check_target
    from ..reports.check import check_report, markdown

    if base is not None and base_file is not None:
        raise click.UsageError("give --base or --base-file, not both")
    targets = _targets(datasets + data)
    if base_file is not None and len(targets) != 1:
        raise click.UsageError(f"--base-file compares one dataset, but {len(targets)} are selected")
    from ..io.registry import resolve_weights

    fmt = fmt or format_for(output, FORMATS, "text")
    named = tuple(resolve_weights(name) for name in profiles)
    rules = read_rules(Path(rules_path) if rules_path else None)
    if fail_on is not None:
        rules = replace(rules, fail_on=fail_on, datasets={k: replace(v, fail_on=fail_on)
                                                          for k, v in rules.datasets.items()})  # fmt: skip
    with progress_bar(f"checking {len(targets)} dataset{'' if len(targets) == 1 else 's'}", quiet) as progress:
        report = run(
            targets,
            rules,
            base=base,
            base_file=Path(base_file) if base_file else None,
            progress=progress,
            profiles=named,
        )
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        check_target(summary, what="$GITHUB_STEP_SUMMARY")
    preflight(output)
    from ..render import fitted

    with fitted(terminal_width() if output == "-" and fmt == "text" else None):
        emit(check_report(report, fmt), output)
    if summary:
        append_file(summary, markdown(report) + "\n", what="$GITHUB_STEP_SUMMARY")
    click.get_current_context().exit(int(report.exit_code))
