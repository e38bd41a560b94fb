"""`ppma reproduce`: dependency order, caching by fingerprint, --only and --force, on a toy plan."""
from __future__ import annotations

import json
from pathlib import Path

import nbformat as nbf
import pytest
import yaml

from ppma_lib.config import ConfigError
from ppma_lib.pipeline import load_plan, reproduce, show_injected_parameters


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

    # a run whose parameters changed starts over (train.resume=auto would continue the old one); an
    # interrupted run of the same parameters keeps its directory and resumes
    a_dir = project / "outputs" / "smoke" / "a"
    (a_dir / "last.pt").write_bytes(b"old state")
    (a_dir / ".fingerprint").unlink()  # interrupted
    reproduce("smoke", root=project, build_book=False, only="a")
    assert (a_dir / "last.pt").read_bytes() == b"old state"
    plan["runs"][1]["overrides"] = {"run.seed": 2}
    (project / "params/smoke/plan.yaml").write_text(yaml.safe_dump(plan))
    reproduce("smoke", root=project, build_book=False, only="a")
    assert not (a_dir / "last.pt").exists() and (a_dir / "exp.ipynb").is_file()


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


def test_book_shows_the_injected_parameters_once(tmp_path: Path) -> None:
    nb = nbf.v4.new_notebook()
    nb.cells = [nbf.v4.new_code_cell('profile = "smoke"', metadata={"tags": ["parameters"]}),
                nbf.v4.new_code_cell('profile = "mini"', metadata={"tags": ["injected-parameters"]})]
    src, out = tmp_path / "a.ipynb", tmp_path / "b.ipynb"
    nbf.write(nb, src)
    show_injected_parameters(src, out)
    tags = [c.metadata.get("tags", []) for c in nbf.read(out, as_version=4).cells]
    assert tags == [["parameters", "remove-cell"], ["injected-parameters"]]
    progress = nbf.v4.new_output("display_data", {"application/vnd.jupyter.widget-view+json": {"model_id": "x"},
                                                  "text/plain": "  0%|          | 0/9"})
    nb.cells[1].outputs = [progress, nbf.v4.new_output("stream", text="done\n")]
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {}}
    nbf.write(nb, src)
    show_injected_parameters(src, out)
    staged = nbf.read(out, as_version=4)
    assert [o.output_type for o in staged.cells[1].outputs] == ["stream"] and "widgets" not in staged.metadata
    nb.cells = nb.cells[:1]  # run with its defaults: the defaults stay visible
    nbf.write(nb, src)
    show_injected_parameters(src, out)
    assert nbf.read(out, as_version=4).cells[0].metadata["tags"] == ["parameters"]


@pytest.mark.parametrize("profile", ["smoke", "mini", "paper"])
def test_shipped_plans_resolve(profile: str) -> None:
    """Every run of the shipped plans resolves, its inputs are runs of the same plan, and every experiment
    notebook of the book has one run whose executed copy the book shows."""
    from ppma_lib.pipeline import dependencies, resolve_run
    from ppma_lib.train.suite import suite_run_names

    root = Path.cwd()
    plan = load_plan(profile, root)
    names = {r.name for r in plan.runs}
    assert len(names) == len(plan.runs), "run names must be unique"
    for r in plan.runs:
        assert dependencies(resolve_run(plan, r, root), r) <= names, r.name
    assert all((root / c).is_file() for c in plan.chapters)
    shown = [r.notebook for r in plan.runs if r.show]
    assert len(shown) == len(set(shown)), "one shown run per notebook"
    # runs may execute at once (--jobs): what makes data comes first, and two suites that train the same
    # downstream run never run together
    import graphlib

    deps = {r.name: dependencies(resolve_run(plan, r, root), r) for r in plan.runs}
    upstream: dict[str, set[str]] = {}
    for n in graphlib.TopologicalSorter(deps).static_order():
        upstream[n] = set().union(*([deps[n]] + [upstream[d] for d in deps[n]]))
    made: dict[str, set[str]] = {}  # suite run -> the runs its jobs write
    for r in (r for r in plan.runs if r.name != "data" and "quickstart" not in r.notebook):  # it only resolves
        cfg = resolve_run(plan, r, root)
        jobs = set(suite_run_names(cfg))
        for other, their_jobs in made.items():
            assert not jobs & their_jobs or other in upstream[r.name] or r.name in upstream[other], (r.name, other)
        made[r.name] = jobs
        if profile == "paper":
            continue
        reads = [*cfg.data.train_lists, *cfg.data.val_lists, *cfg.suite.tasks, *cfg.model.mix_inits]
        reads += [cfg.pmg.image_source] if cfg.pmg.image_source.startswith("folder:") else []
        reads += [s for s in cfg.pmg.aug_sources if s.startswith("folder:")] if cfg.pmg.aug_ratio > 0 else []
        if r.name == "nohuman" or reads:
            assert "data" in upstream[r.name], f"{r.name} reads generated data but does not run after 'data'"
        if any("nohuman" in str(x) for x in reads) and r.name != "nohuman":
            assert "nohuman" in upstream[r.name], f"{r.name} reads the No-Human set but does not run after it"
    if profile != "paper":  # the paper profile has no data notebooks (users bring the datasets)
        assert set(shown) == {str(p.relative_to(root)) for p in (root / "book").glob("0*.ipynb")}


def test_plan_benches_write_their_json_once(tmp_path: Path) -> None:
    args = ["--videos", "2", "--frames", "4", "--size", "32", "--repeats", "1", "--transforms", "paper"]
    (tmp_path / "params" / "smoke").mkdir(parents=True)
    plan = tmp_path / "params" / "smoke" / "plan.yaml"
    data = ["--clips", "2", "--video-frames", "16", "--frames", "4", "--stride", "2", "--size", "64x48"]
    plan.write_text(yaml.safe_dump({"runs": [], "benches": [{"name": "data", "args": data}, {"name": "pmg", "args": args}]}))
    first = reproduce("smoke", root=tmp_path, build_book=False)  # outputs/bench/ does not exist yet
    out = tmp_path / "outputs" / "bench" / "pmg.json"
    assert first["runs"]["bench_pmg"]["status"] == "ran" and json.loads(out.read_text())["frames"] == 4
    assert json.loads((out.parent / "data.json").read_text())["config"]["clips"] == 2
    assert reproduce("smoke", root=tmp_path, build_book=False)["runs"]["bench_pmg"]["status"] == "skipped"
    plan.write_text(yaml.safe_dump({"runs": [], "benches": [{"name": "gpu", "args": []}]}))
    with pytest.raises(ConfigError, match="bench 'gpu' is not one of"):
        load_plan("smoke", tmp_path)


def test_schedule_respects_dependencies_and_the_job_limit() -> None:
    import threading

    from ppma_lib.pipeline import schedule

    deps = {"a": set(), "b": set(), "c": {"a"}, "d": {"b", "c"}, "e": set()}
    lock, now, peak, started, finished = threading.Lock(), [0], [0], [], []

    def work(name: str) -> str:
        with lock:
            assert deps[name] <= set(finished), f"{name} started before its inputs"
            started.append(name)
            now[0] += 1
            peak[0] = max(peak[0], now[0])
        threading.Event().wait(0.05)
        with lock:
            now[0] -= 1
            finished.append(name)
        return name.upper()

    assert schedule(list(deps), deps, work, jobs=2) == {n: n.upper() for n in deps}
    assert peak[0] == 2 and started[:2] == ["a", "b"]

    def fail_b(name: str) -> str:
        if name == "b":
            raise RuntimeError("b broke")
        return work(name)

    started.clear(), finished.clear()
    with pytest.raises(RuntimeError, match="b broke"):
        schedule(list(deps), deps, fail_b, jobs=1)
    assert started == ["a"]  # nothing new starts after a failure


def test_a_kernel_that_never_started_is_started_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import papermill

    from ppma_lib import pipeline

    calls = []

    def flaky(*args, **kwargs):
        calls.append(args)
        if len(calls) < pipeline.KERNEL_START_TRIES:
            raise RuntimeError("Kernel didn't respond in 60 seconds")

    monkeypatch.setattr(papermill, "execute_notebook", flaky)
    pipeline.execute(tmp_path / "a.ipynb", tmp_path / "out" / "a.ipynb", {}, tmp_path)
    assert len(calls) == pipeline.KERNEL_START_TRIES
    monkeypatch.setattr(papermill, "execute_notebook", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("cell failed")))
    with pytest.raises(RuntimeError, match="cell failed"):  # any other error is the run's own: no retry
        pipeline.execute(tmp_path / "a.ipynb", tmp_path / "out" / "a.ipynb", {}, tmp_path)
