"""``trustindex experts``: several experts' profiles combined, with a specification of their own weightings."""

from __future__ import annotations

from pathlib import Path

import click

from .options import FILE, load

RUNS = 1000


@click.command(
    epilog="""\b
Examples:
  trustindex experts alice.toml bob.toml carol.toml -o panel.toml --spec-out panel-spec.toml
  trustindex experts weights/*.toml --data jp-prefectures --how median -o panel.toml

\b
Then:
  trustindex score --weights panel.toml
  trustindex uncertainty --weights panel.toml --spec panel-spec.toml
  trustindex sensitivity --weights panel.toml --spec panel-spec.toml
"""
)
@click.argument("profiles", metavar="PROFILE...", nargs=-1, required=True)
@click.option("-d", "--data", metavar="NAME|PATH", default=None,
              help="The dataset the profiles are for (its tree and suggested weights)  [default: the first "
              "profile's default dataset rule]")  # fmt: skip
@click.option("--how", type=click.Choice(["mean", "median"]), default="mean", show_default=True,
              help="How each node's weight is combined across the experts.")  # fmt: skip
@click.option("-o", "--output", metavar="FILE", type=FILE, required=True, help="The combined profile to write.")
@click.option("--spec-out", metavar="FILE", type=FILE, default=None,
              help="Also write an uncertainty specification whose weightings are the experts' own.")  # fmt: skip
@click.option("--runs", type=click.IntRange(2, 10**7), default=RUNS, show_default=True,
              help="Runs of the specification written.")  # fmt: skip
def experts(profiles, data, how, output, spec_out, runs):
    """Combine several experts' weights profiles for one framework into one.

    Each expert's weights become shares of their group (weights are relative), and each node's weight
    in the profile written is the mean (or median) of the experts' shares; the method choices, which
    must agree, and the comments of the first profile are kept. With --spec-out it also writes an
    uncertainty specification whose weightings are the experts' own, so that `uncertainty` and
    `sensitivity` show how much their disagreement matters. Prints each node's combined weight and the
    experts' range. Never writes over a file it reads.
    """
    from ..errors import ConfigError
    from ..experts import combine, profile_text, spec_text
    from ..io.output import check_target, write_file
    from ..io.registry import resolve_weights
    from ..io.weights import load_weights

    paths = [resolve_weights(p) for p in profiles]
    loaded = [load_weights(p) for p in paths]
    dataset, _ = load(data, str(paths[0]))
    names = [p.name for p in loaded]
    if len(set(names)) < len(names):
        names = [p.stem for p in paths]
    targets = [t for t in (output, spec_out) if t is not None]
    if spec_out is not None and Path(spec_out).resolve() == Path(output).resolve():
        raise ConfigError("--output and --spec-out name the same file", hint="give the specification its own name")
    for target in targets:
        check_target(target, protect=paths, inputs=True)
    combined = combine(loaded, names, dataset, how)
    name = Path(output).stem
    text = profile_text(combined, paths[0].read_text(encoding="utf-8"), name, [p.name for p in paths], dataset)

    def verify(staged: Path) -> None:  # the profile written loads and fits
        from ..prepare import check_fit

        check_fit(dataset, load_weights(staged))

    write_file(output, text, protect=paths, inputs=True, verify=verify)
    if spec_out is not None:
        write_file(spec_out, spec_text(combined, runs, name), protect=paths, inputs=True)
    framework = dataset.framework
    width = max(len(framework.label(n)) for n in combined.nodes)
    lines = [f"{'Node':<{width}}  {how.title():>7}  Experts"]
    for k, node in enumerate(combined.nodes):
        low, high = combined.own[:, k].min(), combined.own[:, k].max()
        lines.append(f"{framework.label(node):<{width}}  {combined.shares[k]:7.3f}  {low:.3f}–{high:.3f}")
    lines.append(f"Wrote {output}" + (f" and {spec_out}" if spec_out else "") + f" from {len(paths)} profiles.")
    click.echo("\n".join(lines))
