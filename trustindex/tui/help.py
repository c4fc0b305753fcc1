"""The help text of the TUI (``?``): every key, by tab; the focused widget's own ``HELP`` comes first."""

GENERAL_HELP = """\
## trustindex tui

Explore a composite index live: change a weight and the ranking is re-scored at once.

### Everywhere
- **e** Explore (weights and ranking) · **d** entity detail · **r** robustness · **a** audit
- **ctrl+s** save the weights as TOML (comments kept; asks before replacing a file)
- **ctrl+o** open another dataset, profile or year · **p** presets (the shipped profiles)
- **R** reset every weight · **N** normalise every group to sum to 1
- **ctrl+p** command palette (every action, every entity, every weight) · **?** this help · **q** quit
- **tab** / **shift+tab** move between the weights and the ranking (or the fields of a tab); the mouse works too

### Weights
Weights are relative within their group. The bar's number is the weight, the percentage its share of the
group. A **locked** weight keeps its share when a sibling changes (its number is rescaled).
The interval (e.g. 18–31%) beside each share is the range of this weight's share over which the
highlighted entity keeps its rank (the other weights of the group keeping their proportions).
**n** normalises to round numbers (as few significant digits as keep every rank and every score to ±0.005);
the bars then take a scale, and ←/→ a step, that fit the new weights.

### Ranking
The **5–95 %** column is the highlighted entity's rank interval under the Robustness tab's uncertainty
spec, recomputed in the background as the weights change (dim while it catches up); **b** shows every row's.

### Entity
Contributions of every pillar and indicator to the index score (exact: they sum to the score with
arithmetic aggregation), its strengths and weaknesses, what it would take to gain a place, and the
source and year of every value. **[** / **]** previous / next entity; the page scrolls with the arrows.

### Robustness
**u** uncertainty analysis, **o** Sobol' sensitivity, **escape** cancels. The runs use the weights on
screen, the spec (default, or a file loaded in the Spec field) and the seed shown (repeat them with
`trustindex uncertainty --seed N --spec FILE` on a saved profile). **w** writes the HTML report of
`trustindex report` for the weights on screen, with these runs, N and seed, to a new
`report-DATASET.html` in the current folder (an existing file is never replaced).

### Audit
The JRC statistical audit's findings, the highlighted one in full. **enter** on a finding opens the weight
of the indicator or pillar it concerns.
"""
