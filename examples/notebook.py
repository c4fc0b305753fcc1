"""A notebook's session with trustindex, as a script: from a DataFrame to scores, an explanation, an
uncertainty analysis and a frame of each, with no file read or written.

The numbers are made up for the example (five imaginary cities); run it with ``python examples/notebook.py``.
"""

import pandas as pd

import trustindex as ti

# One row per entity: its id, its display name, and one column per indicator.
values = pd.DataFrame(
    {
        "id": ["ash", "birch", "cedar", "elm", "fir"],
        "name": ["Ashford", "Birchwood", "Cedarvale", "Elmstead", "Firhaven"],
        "turnout": [61.0, 72.5, 55.0, 80.1, 67.3],
        "trust_police": [0.62, 0.51, 0.78, 0.43, None],  # Firhaven: not surveyed
        "volunteering": [12, 18, 25, 9, 15],
        "complaints": [140, 95, 210, 60, 120],
        "libraries": [3, 5, 4, 2, 6],
    }
)

# The indicator table, one row per node: COINr's iMeta columns (its iData/iMeta are read as they are).
meta = pd.DataFrame(
    {
        "iCode": ["index", "civic", "services", "turnout", "trust_police", "volunteering", "complaints", "libraries"],
        "iName": [
            "City index",
            "Civic life",
            "Services",
            "Turnout",
            "Trust in police",
            "Volunteering",
            "Complaints",
            "Libraries",
        ],
        "Level": [3, 2, 2, 1, 1, 1, 1, 1],
        "Parent": [None, "index", "index", "civic", "civic", "civic", "services", "services"],
        "Type": ["Aggregate"] * 3 + ["Indicator"] * 5,
        "Direction": [1, 1, 1, 1, 1, 1, -1, 1],  # fewer complaints is better
        "Weight": [1, 2, 1, 1, 1, 1, 1, 1],  # civic life counts twice
        "Unit": ["", "", "", "%", "share", "%", "per 10,000", "per 100,000"],
    }
)

dataset = ti.Dataset.from_frame(values, meta, name="cities", title="Five imaginary cities")
print(dataset)

# Scores: a Result, and its ranking as a frame (the columns of `trustindex score -f csv`). Without a profile the
# table's weights and every method's default apply; a profile can be a dict in the form of weights/*.toml.
result = ti.score(dataset)
print(result)
scores = result.to_frame(level="indicator")
print(scores.to_string(index=False))
assert scores.columns.tolist()[:3] == ["rank", "entity", "name"]

# An explanation of one entity: every node's value, weight and contribution, and what it takes to move up.
explanation = ti.explain(result, "cedar")
print(explanation)
print(explanation.to_frame()[["node", "raw", "score", "rank", "contribution"]].to_string(index=False))
print(explanation.target)
print(explanation.target.to_frame()[["node", "current", "needed", "reachable"]].to_string(index=False))

# How robust is each rank? 500 runs: weights ±25 %, arithmetic against geometric aggregation of the index.
uncertainty = ti.uncertainty(result, runs=500, seed=1)
print(f"uncertainty: {uncertainty.runs} runs, Spearman {uncertainty.spearman:.3f}")
print(uncertainty.to_frame()[["entity", "nominal_rank", "median_rank", "low_rank", "high_rank"]].to_string(index=False))

# Every result is also the command's JSON, as a dict.
document = uncertainty.to_dict()
assert document["command"] == "uncertainty" and document["seed"] == 1
