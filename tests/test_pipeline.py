"""`ppma reproduce`: dependency order, caching by fingerprint, --only and --force, on a toy plan."""
from __future__ import annotations

import json
from pathlib import Path

import nbformat as nbf
import pytest
import yaml

from ppma_lib.config import ConfigError
from ppma_lib.pipeline import load_plan, reproduce


def toy_notebook(path: Path) -> None:
    """A notebook that appends its run name to a log, so the test sees what executed and in which order."""
    nb = nbf.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        nbf.v4.new_code_cell('params_file = ""\noverrides = {}', metadata={"tags": ["parameters"]}),
        nbf.v4.new_code_cell(
            "from ppma_lib.config import resolve, make_run_dir\n"
            "cfg = resolve(params_file, overrides)\nmake_run_dir(cfg)\n"
            "open('log.txt', 'a').write(cfg.run.name + '\\n')"
        ),
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbf.write(nb, path)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    toy_notebook(tmp_path / "book" / "exp.ipynb")
    (tmp_path / "params" / "smoke").mkdir(parents=True)
    (tmp_path / "params" / "smoke" / "exp.yaml").write_text(
        yaml.safe_dump({"run": {"name": "x", "out_root": str(tmp_path / "outputs")}})
    )
    plan = {
        "runs": [
            {"name": "c", "notebook": "book/exp.ipynb", "params": "params/smoke/exp.yaml",
             "overrides": {"model.init": "run:b"}},
            {"name": "a", "notebook": "book/exp.ipynb", "params": "params/smoke/exp.yaml"},
            {"name": "b", "notebook": "book/exp.ipynb", "params": "params/smoke/exp.yaml",
             "overrides": {"run.inputs": ["a"]}},
        ]
    }
    (tmp_path / "params" / "smoke" / "plan.yaml").write_text(yaml.safe_dump(plan))
    return tmp_path


def log(project: Path) -> list[str]:
    f = project / "log.txt"
    return f.read_text().split() if f.exists() else []


@pytest.mark.slow
def test_order_cache_only_force(project: Path) -> None:
    reproduce("smoke", root=project, build_book=False)
    assert log(project) == ["a", "b", "c"]  # dependency order, not plan order
    assert (project / "outputs" / "smoke" / "c" / "exp.ipynb").is_file()  # executed notebook kept
    timings = json.loads((project / "outputs" / "smoke" / "pipeline.json").read_text())
    assert set(timings["runs"]) == {"a", "b", "c"}

    reproduce("smoke", root=project, build_book=False)
    assert log(project) == ["a", "b", "c"]  # everything up to date: nothing ran

    # changing a's parameters invalidates a and everything downstream of it
    plan = yaml.safe_load((project / "params/smoke/plan.yaml").read_text())
    plan["runs"][1]["overrides"] = {"run.seed": 1}
    (project / "params/smoke/plan.yaml").write_text(yaml.safe_dump(plan))
    reproduce("smoke", root=project, build_book=False)
    assert log(project)[3:] == ["a", "b", "c"]

    reproduce("smoke", root=project, build_book=False, only="b", force=True)
    assert log(project)[6:] == ["a", "b"]  # b and its input, forced; c not selected


def test_plan_errors(project: Path) -> None:
    plan = yaml.safe_load((project / "params/smoke/plan.yaml").read_text())
    plan["runs"][0]["notebok"] = "x"
    (project / "params/smoke/plan.yaml").write_text(yaml.safe_dump(plan))
    with pytest.raises(ConfigError, match=r"unknown key 'runs\[0\]\.notebok'"):
        load_plan("smoke", project)
    with pytest.raises(ConfigError, match="no plan for profile 'mini'"):
        load_plan("mini", project)


def test_missing_dependency(project: Path) -> None:
    plan = yaml.safe_load((project / "params/smoke/plan.yaml").read_text())
    plan["runs"][0]["overrides"] = {"model.init": "run:nope"}
    (project / "params/smoke/plan.yaml").write_text(yaml.safe_dump(plan))
    with pytest.raises(ConfigError, match=r"run 'c' needs \['nope'\]"):
        reproduce("smoke", root=project, build_book=False)
