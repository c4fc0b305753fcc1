"""``trustindex fit-weights``: a profile whose index weights give the pillars the effective importance intended."""

from __future__ import annotations

from pathlib import Path

import click

from .options import FILE, data_options, load


@click.command(
    "fit-weights",
    epilog="""\b
Examples:
  trustindex fit-weights -o fitted.toml                       # equal effective importance
  trustindex fit-weights --target support=0.4 -o fitted.toml   # the rest share 0.6 equally
  trustindex fit-weights --measure r2 --tolerance 0.005 -o fitted.toml
  trustindex fit-weights --method pca --data oecd-governance -o pca.toml

\b
Then:
  trustindex importance --weights fitted.toml
""",
)
@data_options
@click.option(
    "--method",
    type=click.Choice(["target", "pca"]),
    default="target",
    show_default=True,
    help="target: match the target shares of effective importance; pca: the first principal component.",
)
@click.option("--target", "targets", metavar="NODE=SHARE", multiple=True,
              help="A component's target share of effective importance (repeatable); the others share the rest "
              "equally  [default: equal shares]")  # fmt: skip
@click.option("--measure", type=click.Choice(["eta2", "r2"]), default="eta2", show_default=True,
              help="Effective importance: the correlation ratio (as `importance` reports it) or the squared "
              "correlation.")  # fmt: skip
@click.option("--tolerance", type=click.FloatRange(1e-6, 0.5), default=0.01, show_default=True,
              help="The largest difference of shares accepted as a match.")  # fmt: skip
@click.option("-o", "--output", metavar="FILE", type=FILE, required=True, help="The profile to write.")
def fit_weights(data, meta, year, weights, method, targets, measure, tolerance, output):
    """Write a profile whose index weights give each pillar its intended effective importance.

    A pillar's weight is not its importance: its first-order effect on the index (what `importance`
    reports) also depends on its spread and its correlation with the others. This searches the
    index's weights (Nelder-Mead, scipy) until each pillar's share of effective importance is within
    the tolerance of its target (equal by default), and reports how close it got and what it
    changed; or, with --method pca, takes the squared loadings of the first principal component and
    says when they are not to be trusted. The profile written keeps the given profile's method
    choices, comments and other weights, and says in comments how it was derived, from which data
    and year. Never writes over a file it reads.
    """
    from ..engine import Engine
    from ..errors import ConfigError
    from ..fitweights import fit_pca, fit_target
    from ..io.output import check_target, write_file
    from ..io.profiles import derived_profile

    dataset, profile = load(data, weights, year, meta)
    protect = [p for p in (profile.path,) if p is not None]
    check_target(output, protect=protect, inputs=True)
    engine = Engine(dataset, profile)
    if method == "pca" and targets:
        raise ConfigError("--target has no effect with --method pca", hint="drop --target, or use --method target")
    fitted = fit_pca(engine, measure) if method == "pca" else fit_target(engine, _targets(engine, targets),
                                                                         measure, tolerance)  # fmt: skip
    framework = dataset.framework
    where = f"dataset {dataset.name!r}" + (f", year {dataset.year}" if dataset.year else "")
    what = "the correlation ratio" if measure == "eta2" else "the squared correlation"
    if method == "pca":
        how = [
            "Index weights: the squared loadings of the first principal component of the standardised pillar",
            f"scores of {where} (scaled to sum to 1); they describe the data's correlation, not an intention.",
        ]
        how += [f"Caveat: {c}." for c in fitted.caveats] or ["No caveat: loadings of one sign, a dominant component."]
    else:
        how = [f"Index weights fitted (Nelder-Mead, scipy.optimize) on {where} so that each pillar's share of",
               f"effective importance ({what}, as `trustindex importance` reports it) matches its target;",
               f"largest gap {fitted.gap:.4f} ({'within' if fitted.reached else 'NOT within'} the tolerance "
               f"{tolerance:g}) after {fitted.evaluations} scorings."]  # fmt: skip
        how += [f"Caveat: {c}." for c in fitted.caveats]
    name = Path(output).stem
    comments = [f"{name}: derived by `trustindex fit-weights --method {method}` from profile {profile.name!r}.", "",
                *how, "Beside each weight: its target, and its effective share before and after."]  # fmt: skip
    general = {node: (float(fitted.weights[k]), f"target {fitted.target[k]:.3f}; effective {fitted.before[k]:.3f} "
                      f"→ {fitted.after[k]:.3f}") for k, node in enumerate(fitted.nodes)}  # fmt: skip
    base = profile.path.read_text(encoding="utf-8") if profile.path is not None else "schema = 1\n"

    def verify(staged: Path) -> None:
        from ..io.weights import load_weights
        from ..prepare import check_fit

        check_fit(dataset, load_weights(staged))

    text = derived_profile(base, comments, name, f"{profile.name} with index weights fitted by {method} "
                           f"({measure}) on {where}.", general, keep=True)  # fmt: skip
    write_file(output, text, protect=protect, inputs=True, verify=verify)
    width = max(len(framework.label(n)) for n in fitted.nodes)
    lines = [f"{'Pillar':<{width}}  Weight  Fitted  Target  Effective  After"]
    for k, node in enumerate(fitted.nodes):
        lines.append(f"{framework.label(node):<{width}}  {fitted.nominal[k]:6.3f}  {fitted.weights[k]:6.3f}  "
                     f"{fitted.target[k]:6.3f}  {fitted.before[k]:9.3f}  {fitted.after[k]:5.3f}")  # fmt: skip
    if method == "target":
        lines.append(("Reached" if fitted.reached else "Not reached") + f": largest gap {fitted.gap:.4f} against the "
                     f"tolerance {tolerance:g} ({fitted.evaluations} scorings).")  # fmt: skip
    lines += [f"Caveat: {c}." for c in fitted.caveats]
    lines.append(f"Wrote {output}.")
    click.echo("\n".join(lines))


def _targets(engine, given) -> list[float] | None:
    """``NODE=SHARE`` options as a target share per component of the index (the rest share what is left)."""
    from ..errors import ConfigError, did_you_mean

    if not given:
        return None
    step = engine.steps[-1]
    nodes = [engine.nodes[c] for c in step.children if engine.nominal[c] > 0]
    shares: dict[str, float] = {}
    for text in given:
        node, _, value = text.partition("=")
        node = node.strip()
        if node not in nodes:
            raise ConfigError(f"--target {text!r}: {node!r} is not a weighted component of the index",
                              hint=did_you_mean(node, nodes) or f"one of {', '.join(nodes)}")  # fmt: skip
        try:
            share = float(value)
        except ValueError:
            share = float("nan")
        if not 0 < share <= 1:
            raise ConfigError(f"--target {text!r}: the share must be a number in (0, 1]", hint="e.g. support=0.4")
        shares[node] = share
    rest = [n for n in nodes if n not in shares]
    left = 1.0 - sum(shares.values())
    if left < -1e-9 or (not rest and abs(left) > 1e-6) or (rest and left <= 1e-9):
        raise ConfigError(f"the target shares sum to {sum(shares.values()):g}", hint="they must leave a positive "
                          "share for the components not named, and sum to 1 when every one is named")  # fmt: skip
    return [shares.get(n, left / len(rest) if rest else 0.0) for n in nodes]
