"""The one atomic writer: permissions kept, links written through, inputs refused, and kill -9 at any moment
leaves the old file or the new one, with any stray temporary file removed by the next write."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from trustindex.errors import ConfigError, DataError
from trustindex.io import files
from trustindex.io.output import append_file, check_target, clean_temporaries, write_file, write_output

WRITER = """
import sys
from trustindex.io.output import write_file
target, size = sys.argv[1], int(sys.argv[2])
write_file(target, b"0" * size)
print("ready", flush=True)
n = 0
while True:
    n += 1
    write_file(target, (str(n % 10) * size).encode())
"""


def test_a_new_file_gets_the_umask_mode_and_an_existing_one_keeps_its_mode(tmp_path):
    new = tmp_path / "new.txt"
    old_umask = os.umask(0o022)
    try:
        write_file(new, "a")
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(new.stat().st_mode) == 0o644
    kept = tmp_path / "kept.txt"
    kept.write_text("old", encoding="utf-8")
    kept.chmod(0o640)
    write_file(kept, "new")
    assert stat.S_IMODE(kept.stat().st_mode) == 0o640 and kept.read_text(encoding="utf-8") == "new"


def test_a_symbolic_link_is_written_through(tmp_path):
    real = tmp_path / "real.csv"
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    write_file(link, "new")
    assert link.is_symlink() and real.read_text(encoding="utf-8") == "new"


def test_a_file_read_by_the_command_is_refused_by_any_name(tmp_path):
    source = tmp_path / "values.csv"
    source.write_text("id\n", encoding="utf-8")
    (tmp_path / "hard.csv").hardlink_to(source)
    (tmp_path / "soft.csv").symlink_to(source)
    files.forget()
    files.read_bytes(source, DataError)
    try:
        for name in ("values.csv", "hard.csv", "soft.csv", "sub/../values.csv"):
            (tmp_path / "sub").mkdir(exist_ok=True)
            with pytest.raises(ConfigError, match="input"):
                write_output("oops\n", str(tmp_path / name))
        assert source.read_text(encoding="utf-8") == "id\n"
        write_output("fine\n", str(tmp_path / "other.csv"))
    finally:
        files.forget()


def test_every_file_of_a_dataset_folder_read_is_protected(tmp_path):
    folder = tmp_path / "ds"
    folder.mkdir()
    (folder / "SOURCES.md").write_text("# x\n", encoding="utf-8")
    files.forget()
    files.record(folder, folder=True)
    try:
        with pytest.raises(ConfigError, match="input"):
            write_output("oops\n", str(folder / "SOURCES.md"))
    finally:
        files.forget()


@pytest.mark.parametrize("where", ["missing/out.txt", "afile/out.txt", "."])
def test_targets_that_cannot_be_written_are_refused_before_writing(tmp_path, where):
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    with pytest.raises(ConfigError):
        check_target(tmp_path / where)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile"]


def test_a_loop_of_links_is_refused(tmp_path):
    loop = tmp_path / "loop"
    loop.symlink_to(loop.name)
    with pytest.raises(ConfigError, match="loop"):
        write_file(loop, "x")


def test_verify_stops_the_write_and_leaves_nothing(tmp_path):
    target = tmp_path / "profile.toml"
    target.write_text("old", encoding="utf-8")

    def refuse(temporary: Path):
        assert temporary.read_text(encoding="utf-8") == "new" and temporary.parent == tmp_path
        raise ConfigError("does not read back")

    with pytest.raises(ConfigError, match="read back"):
        write_file(target, "new", verify=refuse)
    assert target.read_text(encoding="utf-8") == "old" and sorted(tmp_path.iterdir()) == [target]


def test_append_writes_the_old_text_and_the_new(tmp_path):
    target = tmp_path / "summary.md"
    append_file(target, "one\n")
    append_file(target, "two\n")
    assert target.read_text(encoding="utf-8") == "one\ntwo\n"


def test_temporaries_of_dead_processes_are_removed_and_others_kept(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    pid = int(dead.stdout)
    stale = tmp_path / f".out.csv.trustindex-{pid}-0123abcd.tmp"
    mine = tmp_path / f".out.csv.trustindex-{os.getpid()}-0123abcd.tmp"
    foreign = tmp_path / ".out.csv.12345678.tmp"  # not this version's: left unless old and beside its target
    for path in (stale, mine, foreign):
        path.write_text("partial", encoding="utf-8")
    clean_temporaries(tmp_path)
    assert not stale.exists() and mine.exists() and foreign.exists()
    old = time.time() - 7200  # an earlier version's temporary, two hours old, beside its target
    os.utime(foreign, (old, old))
    clean_temporaries(tmp_path, "other.csv")
    assert foreign.exists()
    clean_temporaries(tmp_path, "out.csv")
    assert not foreign.exists()


def test_kill_9_leaves_the_old_file_or_the_new_one(tmp_path):
    """A writer killed at random moments: the target is always one complete version, and the next write removes
    what the killed writer left behind."""
    target = tmp_path / "out.txt"
    size = 4_000_000
    target.write_bytes(b"0" * size)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    stray = 0
    for attempt in range(40):  # on a loaded machine a kill can miss the temporary: try until two have landed
        if stray >= 2 and attempt >= 6:
            break
        process = subprocess.Popen([sys.executable, "-c", WRITER, str(target), str(size)], stdout=subprocess.PIPE,
                                   env=env)  # fmt: skip
        assert process.stdout.readline().strip() == b"ready"
        time.sleep(0.05 + 0.07 * (attempt % 6))
        process.send_signal(signal.SIGKILL)
        process.wait()
        content = target.read_bytes()
        assert len(content) == size and content == content[:1] * size, "a partial or mixed file"
        stray += any(p.name.endswith(".tmp") for p in tmp_path.iterdir())
    assert stray, "no kill landed while a temporary file existed: nothing was tested"
    write_file(target, b"final")
    assert target.read_bytes() == b"final"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"], "a temporary file was left behind"


def test_a_file_without_permission_is_a_data_error_naming_it(tmp_path, monkeypatch):
    """As root every file reads, so the refusal of the operating system is simulated."""
    import builtins

    from click.testing import CliRunner

    from trustindex.cli import cli

    folder = tmp_path / "ds"
    import shutil

    shutil.copytree(Path(__file__).resolve().parents[1] / "datasets" / "coexistence-regimes", folder)
    locked = folder / "values.csv"
    real_open = builtins.open

    def guarded(file, *args, **kwargs):
        if Path(str(file)) == locked:
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded)
    result = CliRunner().invoke(cli, ["score", "--data", str(folder)])
    assert result.exit_code == 3
    assert result.stderr == f"trustindex: error: {locked}: permission denied\n"
