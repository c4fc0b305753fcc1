"""The README's "Your own index in five minutes", run as written in an empty folder: every command of the section,
and what each one prints checked against what the section says it shows."""

from __future__ import annotations

import asyncio
import html
import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from trustindex.cli import cli

README = Path(__file__).resolve().parents[1] / "README.md"


def section() -> str:
    text = README.read_text(encoding="utf-8")
    return text[text.index("## Your own index in five minutes") : text.index("\n## ", text.index("five minutes"))]


def blocks(kind: str) -> list[str]:
    return re.findall(rf"```{kind}\n(.*?)```", section(), flags=re.S)


def commands() -> list[list[str]]:
    """Every ``trustindex`` command line of the section, its trailing comment dropped."""
    lines = [line for block in blocks("sh") for line in block.splitlines() if line.startswith("trustindex ")]
    return [shlex.split(line, comments=True)[1:] for line in lines]


def test_the_section_is_what_this_test_runs():
    assert [c[0] for c in commands()] == ["init", "score", "explain", "audit", "uncertainty", "check", "tui"]
    [here_document] = blocks("sh")[:1]
    assert here_document.startswith("cat > cities.csv <<'CSV'\n")


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """The empty folder after the section's first block (the CSV written, ``init`` run) and the table edit."""
    root = tmp_path_factory.mktemp("walkthrough")
    first = blocks("sh")[0]
    csv_text = first[first.index("\n") + 1 : first.index("\nCSV\n")] + "\n"
    (root / "cities.csv").write_text(csv_text, encoding="utf-8")
    return root


def run(folder: Path, args: list[str], monkeypatch):
    monkeypatch.chdir(folder)
    return CliRunner().invoke(cli, args)


def test_every_command_prints_what_the_section_says(folder, monkeypatch):
    found = {args[0]: args for args in commands()}
    done = run(folder, found["init"], monkeypatch)
    assert done.exit_code == 0, done.output
    assert "wrote cities/ from cities.csv" in done.stdout and "perhaps: crime" in done.stdout
    assert "id column 'code', name column 'city'" in done.stdout and "indicators  6:" in done.stdout
    [table] = blocks("csv")
    (folder / "cities" / "indicators.csv").write_text(table, encoding="utf-8")

    done = run(folder, found["score"], monkeypatch)
    assert done.exit_code == 0, done.output
    rows = [line.split() for line in done.stdout.splitlines() if re.match(r"\s+\d+\s", line)]
    assert rows[0][1:4] == ["SPK", "Sapporo", "69.9"] and rows[-1][1:3] == ["OSA", "Osaka"] and len(rows) == 10

    done = run(folder, found["explain"], monkeypatch)
    assert done.exit_code == 0, done.output
    assert done.stdout.startswith("Sapporo (SPK): rank 1 of 10, City liveability 69.9")
    assert "Contributions are effective weight × score and sum to the index score" in done.stdout

    done = run(folder, found["audit"], monkeypatch)
    assert done.exit_code == 0, done.output
    assert "Access runs against City liveability: r = -0.55" in done.stdout

    done = run(folder, found["uncertainty"], monkeypatch)
    assert done.exit_code == 0, done.output
    [sendai] = [line.split() for line in done.stdout.splitlines() if line.startswith("Sendai")]
    assert sendai[1:4] == ["3", "6", "2–9"]  # nominal 3rd, median 6th, 5–95 % from 2nd to 9th
    [zero] = [line for line in done.stdout.splitlines() if "geometric mean of 'index' is 0 because" in line]
    assert "'access'" in zero.split("scores 0")[0] and "Sendai" in zero.rsplit("(", 1)[1], zero

    done = run(folder, found["check"], monkeypatch)
    assert done.exit_code == 1, done.output
    assert "the dataset names no licence" in done.stdout and done.stdout.rstrip().endswith("failing on error)")
    assert "1 failed: provenance" in done.stdout


def test_the_tui_opens_on_the_new_dataset_and_q_quits(folder, monkeypatch):
    """``trustindex tui --data cities``: the app opens on the dataset, shows its ranking, and q leaves it."""
    from trustindex.tui.app import TrustIndexApp
    from trustindex.tui.state import Session

    [args] = [a for a in commands() if a[0] == "tui"]
    monkeypatch.chdir(folder)
    if not (folder / "cities" / "indicators.csv").read_text(encoding="utf-8").startswith("id,label,parent"):
        pytest.skip("runs after the walkthrough's table edit")
    session = Session.load(args[args.index("--data") + 1])

    async def drive():
        app = TrustIndexApp(session, seed=1)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            await pilot.pause(0.5)
            shown = html.unescape(re.sub(r"<[^>]+>", "", app.export_screenshot())).replace("\xa0", " ")
            assert app.is_running
            await pilot.press("q")
            await pilot.pause()
        return app, shown

    app, shown = asyncio.run(drive())
    assert not app.is_running
    assert "trustindex — cities · cities-equal" in shown and re.search(r"\bSapporo +69\.9\b", shown)
