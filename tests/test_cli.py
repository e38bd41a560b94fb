"""The ``ppma`` command: help at every level, config errors reported before any compute."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ppma_lib import cli


def test_top_level_help_lists_subcommands(capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as e:
        cli.main(["--help"])
    assert e.value.code == 0
    out = capsys.readouterr().out
    for words, module, _ in cli.COMMANDS:
        if cli._available(module):
            assert words.split()[0] in out


@pytest.mark.parametrize("words", [w for w, m, _ in cli.COMMANDS if cli._available(m)])
def test_every_subcommand_has_help(words: str, capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as e:
        cli.main([*words.split(), "--help"])
    assert e.value.code == 0
    assert "usage: ppma" in capsys.readouterr().out


def test_resolve_prints_config(capsys: pytest.CaptureFixture) -> None:
    assert cli.main(["resolve", "params/smoke/quickstart.yaml", "train.epochs=4"]) == 0
    out = capsys.readouterr().out
    assert "epochs: 4" in out and "tokens_per_clip" in out


def test_unknown_key_fails_before_compute(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("run:\n  name: x\nmodel:\n  nmae: vit_t\n")
    r = subprocess.run([sys.executable, "-m", "ppma_lib.cli", "resolve", str(bad)], capture_output=True, text=True)
    assert r.returncode == 2
    assert "model.nmae" in r.stderr and str(bad) in r.stderr
