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
