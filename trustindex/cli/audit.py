"""``trustindex audit``."""

from __future__ import annotations

import click

from ..io.numbers import THRESHOLDS
from .options import Number, data_options, emit, load, output_options, preflight

SECTIONS = ("findings", "indicators", "pillars", "correlations", "entities")


@click.command(
    epilog="""\b
Examples:
  trustindex audit --data asem
  trustindex audit --data asem --max-skew 2.25 --max-kurtosis 3.5
  trustindex audit --data asem -f markdown -o audit.md
  trustindex audit --data asem -f csv --only indicators -o indicators.csv
  trustindex audit --data jp-prefectures --year 2015 -f json
"""
)
@data_options
@output_options()
@click.option("--max-skew", type=Number(*THRESHOLDS["max_skew"]), metavar="X",
              help="Outlier rule: |skewness| above X  [default: the profile's, else 2]")  # fmt: skip
@click.option("--max-kurtosis", type=Number(*THRESHOLDS["max_kurtosis"]), metavar="X",
              help="Outlier rule: excess kurtosis above X  [default: the profile's, else 3.5]")  # fmt: skip
@click.option("--only", type=click.Choice(SECTIONS), default=None,
              help="Show one section (CSV holds one table: the findings unless --only names another).")  # fmt: skip
def audit(data, meta, year, weights, fmt, output, max_skew, max_kurtosis, only):
    """Audit the index statistically, as the JRC audits composite indicators.

    Per indicator (raw values): coverage, min, max, mean, median, standard deviation, skewness and
    excess kurtosis (bias-corrected, as Excel's SKEW and KURT), shares of zeros and of distinct values,
    and the outlier rule (|skewness| > 2 and kurtosis > 3.5 unless the profile or the options say
    otherwise). Per pillar (normalised scores): Cronbach's alpha with alpha-if-deleted, the first
    principal component's share and the eigenvalues above 1. Pearson and Spearman correlations with
    p-values: indicators with their pillar and the index, pillars with each other, indicators within a
    pillar, flagged redundant, conflicting or weak. Per entity: the share of indicators available.

    Findings come first, errors then warnings then notices, each naming its rule. The command reports;
    it exits 0 whatever it finds.
    """
    import dataclasses

    from ..audit import audit as run
    from ..pipeline import score
    from ..reports.audit import audit_report

    dataset, profile = load(data, weights, year, meta)
    preflight(output)
    changes = {k: v for k, v in (("max_skew", max_skew), ("max_kurtosis", max_kurtosis)) if v is not None}
    if changes:
        profile = dataclasses.replace(profile, audit=dataclasses.replace(profile.audit, **changes))
    result = score(dataset, profile)
    text = audit_report(result, run(result), fmt, only)
    emit(text, output)
