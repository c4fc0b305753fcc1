"""The README's examples work as written."""

import re
from pathlib import Path

from click.testing import CliRunner

from trustindex.cli import cli

README = Path(__file__).resolve().parents[1] / "README.md"


def toml_blocks() -> list[str]:
    return re.findall(r"```toml\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


def test_the_annotated_weights_profile_scores_the_default_dataset(tmp_path):
    profile = next(block for block in toml_blocks() if 'name = "my-profile"' in block)
    path = tmp_path / "my-profile.toml"
    path.write_text(profile, encoding="utf-8")
    result = CliRunner().invoke(cli, ["score", "--weights", str(path), "-f", "csv"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0].startswith("rank,id,name,coexistence")
    assert len(result.stdout.splitlines()) == 5


def test_the_quick_start_output_is_what_score_prints():
    shown = re.search(r"```text\n(Rank .*?)```", README.read_text(encoding="utf-8"), flags=re.S).group(1)
    result = CliRunner().invoke(cli, ["score"])
    assert result.exit_code == 0
    assert result.stdout == shown


def test_the_defaults_table_states_the_models_defaults():
    """Every default the README lists is the one the code applies (read from the frozen model, not copied)."""
    from trustindex.model import Thresholds, Weights, methods

    table = re.search(r"### Defaults\n.*?\n(\| choice .*?)\n\n", README.read_text(encoding="utf-8"), re.S).group(1)
    rows = dict(re.findall(r"^\| (.+?) \| (.+?) \|$", table, re.M))
    used = methods(Weights("any"))
    assert f"`{used['normalisation']['method']}`, to `range = [0, 100]`" in rows["`[normalisation] method`"]
    assert used["normalisation"]["range"] == [0, 100]
    assert {a["method"] for a in used["aggregation"].values()} == {"arithmetic"}
    assert f"`{used['aggregation']['index']['method']}` at every level" in rows["`[aggregation] method`"]
    assert {a["min_coverage"] for a in used["aggregation"].values()} == {2 / 3}
    assert rows["`[aggregation] min_coverage`"].startswith("2/3")
    assert f"`{used['ties']}`" in rows["`[ranking] ties`"]
    assert f"`{used['imputation']['method']}`" in rows["`[imputation] method`"]
    treatment = used["treatment"]
    assert (
        rows["`[treatment] method`"]
        == f"`{treatment['method']}` (`max_points = {treatment['max_points']}` when winsorising)"
    )
    assert used["screening"] == {"min_coverage": None, "basis": "imputed"}
    assert f"`{used['denomination']['method']}`" in rows["`[denomination] method`"]
    audit = dict(re.findall(r"`(\w+) = ([-\d./]+)`", rows["`[audit]`"]))
    for name, value in audit.items():
        number = 2 / 3 if value == "2/3" else float(value)
        assert getattr(Thresholds(), name) == number, name
    assert set(audit) == set(Thresholds.__dataclass_fields__)


def text_blocks() -> list[str]:
    return re.findall(r"```text\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


CITIES = """code;city;region;year;gdp_pc;unemployment_rate;green_space
A1;Alpha;north;2022;31000,5;5,2;12,1
B2;Beta;south;2022;28000;7,9;8,4
C3;Gamma;north;2022;35000;4,1;15
A1;Alpha;north;2023;31500;5;12,3
B2;Beta;south;2023;28100;7,5;
C3;Gamma;north;2023;35500;4;15,2
"""


def test_the_init_report_is_what_init_prints(tmp_path, monkeypatch):
    shown = next(block for block in text_blocks() if block.startswith("trustindex init: wrote"))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cities.csv").write_text(CITIES, encoding="utf-8")
    result = CliRunner().invoke(cli, ["init", "cities", "--from", "cities.csv"])
    assert result.exit_code == 0 and result.stdout == shown
    assert CliRunner().invoke(cli, ["score", "--data", "cities"]).exit_code == 0


def test_the_mipex_indicator_table_scores_with_its_values(tmp_path):
    values = next(block for block in text_blocks() if block.startswith("mipex/values.csv"))
    table = next(block for block in text_blocks() if block.startswith("id,label,parent,type"))
    toml = next(block for block in toml_blocks() if block.startswith("# mipex/dataset.toml"))
    head, entity = toml.split("[index]")[0].split("[entity]")  # the tree goes: the table gives it
    toml = head + 'indicators = "indicators.csv"\n[entity]' + entity
    (tmp_path / "mipex").mkdir()
    rows = [line.split(",")[:3] for line in values.strip().split("\n")[1:]]  # the one indicator of the table
    (tmp_path / "mipex" / "values.csv").write_text("\n".join(",".join(r) for r in rows) + "\n")
    (tmp_path / "mipex" / "indicators.csv").write_text(table)
    (tmp_path / "mipex" / "dataset.toml").write_text(toml)
    result = CliRunner().invoke(cli, ["score", "--data", str(tmp_path / "mipex"), "--weights", "balanced"])
    assert result.exit_code == 0, result.output


def test_the_python_report_example_writes_the_page(tmp_path, monkeypatch):
    block = next(b for b in re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)
                 if "write_report" in b)  # fmt: skip
    monkeypatch.chdir(tmp_path)
    exec(compile(block, "README.md", "exec"), {})
    text = (tmp_path / "asem.html").read_text(encoding="utf-8")
    assert "Seed <b id=seed>7</b>" in text and "Germany" in text
