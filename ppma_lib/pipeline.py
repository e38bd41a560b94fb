"""``ppma reproduce``: execute a profile's plan of runs with papermill, then build the book.

A plan (``params/<profile>/plan.yaml``) lists

- ``runs``: experiment notebooks executed with a params file (+ overrides); each run's executed notebook is
  kept in its run directory ``outputs/<profile>/<run>/``. A run depends on the runs named in its config's
  ``run.inputs``, in ``model.init: run:<name>`` / ``model.mix_inits``, and in the plan's ``after``.
- ``benches``: ``ppma bench <name> <args>`` micro-benchmarks run after the runs, each writing
  ``outputs/bench/<name>.json`` for the performance appendix (skipped while that file exists and was made
  with the same arguments).
- ``chapters``: result notebooks executed with ``profile`` after all runs, into the staged book.

A run is skipped when its fingerprint — the resolved parameters, the notebook, and the fingerprints of its
inputs — is unchanged since it last succeeded (``--force`` re-runs everything selected).

The book is built from a staging copy (``_build/src``): committed notebooks keep their ``smoke`` outputs (what
nbval checks), the staged ones carry this profile's outputs, and ``git status`` stays clean.
"""
from __future__ import annotations

import argparse
import contextlib
import fnmatch
import graphlib
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ppma_lib.atomic import write_text_atomic

PLAN_FILE = "params/{profile}/plan.yaml"
DONE_FILE = ".fingerprint"
STAGE_DIR = Path("_build/src")
BENCH_DIR = Path("outputs/bench")
BENCHES = ("data", "pmg", "train", "privacy")


@dataclass(frozen=True)
class PlannedRun:
    name: str  # run directory name (becomes run.name)
    notebook: str  # experiment notebook, relative to the repository root
    params: str  # params file, relative to the repository root
    overrides: dict[str, Any] = field(default_factory=dict)
    after: tuple[str, ...] = ()  # extra dependencies not visible in the config
    show: bool = False  # this run's executed notebook is the one the book shows for `notebook`


@dataclass(frozen=True)
class PlannedBench:
    name: str  # data | pmg | train | privacy: `ppma bench <name>`
    args: tuple[str, ...] = ()  # its command-line arguments (the sizes this profile measures at)

    @property
    def json(self) -> Path:
        return BENCH_DIR / f"{self.name}.json"


@dataclass(frozen=True)
class Plan:
    profile: str
    runs: tuple[PlannedRun, ...]
    chapters: tuple[str, ...]  # result notebooks, executed with `profile` after the runs
    benches: tuple[PlannedBench, ...] = ()

    def run(self, name: str) -> PlannedRun:
        for r in self.runs:
            if r.name == name:
                return r
        raise KeyError(f"no run named '{name}' in the {self.profile} plan")


def load_plan(profile: str, root: Path) -> Plan:
    from ppma_lib.config import ConfigError, build, load_yaml

    path = root / PLAN_FILE.format(profile=profile)
    if not path.is_file():
        raise ConfigError(f"no plan for profile '{profile}': {path} does not exist")
    doc = load_yaml(path.read_text()) or {}
    unknown = set(doc) - {"runs", "benches", "chapters"}
    if unknown:
        raise ConfigError(f"{path}: unknown key(s) {sorted(unknown)}; a plan has 'runs', 'benches' and 'chapters'")
    runs = tuple(build(PlannedRun, r, str(path), prefix=f"runs[{i}].") for i, r in enumerate(doc.get("runs", [])))
    names = [r.name for r in runs]
    dup = {n for n in names if names.count(n) > 1}
    if dup:
        raise ConfigError(f"{path}: run names must be unique, repeated: {sorted(dup)}")
    benches = tuple(build(PlannedBench, b, str(path), prefix=f"benches[{i}].") for i, b in enumerate(doc.get("benches", [])))
    for b in benches:
        if b.name not in BENCHES:
            raise ConfigError(f"{path}: bench '{b.name}' is not one of {BENCHES}")
    return Plan(profile=profile, runs=runs, chapters=tuple(doc.get("chapters", [])), benches=benches)


# --------------------------------------------------------------------------------------------------
# dependencies and fingerprints
# --------------------------------------------------------------------------------------------------
def _overrides(plan: Plan, r: PlannedRun) -> dict[str, Any]:
    """What the notebook's `overrides` parameter receives: the plan's, plus the run's name and profile."""
    return {**r.overrides, "run.name": r.name, "run.profile": plan.profile}


def resolve_run(plan: Plan, r: PlannedRun, root: Path):
    from ppma_lib.config import resolve

    return resolve(root / r.params, _overrides(plan, r))


def dependencies(cfg: Any, r: PlannedRun) -> set[str]:
    from ppma_lib.config import run_ref

    deps = set(cfg.run.inputs) | set(r.after)
    for ref in (cfg.model.init, *cfg.model.mix_inits):
        if ref.startswith("run:"):
            deps.add(run_ref(ref)[0])  # run:<name>[@ep<N>]
    return deps


def _code_sha(notebook: Path) -> str:
    """The notebook's cell sources only: executing it in place (new outputs) does not outdate its runs."""
    cells = json.loads(notebook.read_text()).get("cells", [])
    sources = [(c.get("cell_type"), "".join(c.get("source", ""))) for c in cells]
    return hashlib.sha256(json.dumps(sources).encode()).hexdigest()


def fingerprint(cfg: Any, notebook: Path, input_fingerprints: dict[str, str]) -> str:
    doc = {"config": cfg.to_dict() | {"source": ""}, "notebook": _code_sha(notebook), "inputs": input_fingerprints}
    return hashlib.sha256(json.dumps(doc, sort_keys=True, default=str).encode()).hexdigest()


def executed_notebook(run_dir: Path, notebook: str) -> Path:
    return run_dir / Path(notebook).name


# --------------------------------------------------------------------------------------------------
# execution
# --------------------------------------------------------------------------------------------------
KERNEL_START_TRIES = 3  # kernels started at once (--jobs) can race for a TCP port: "Kernel didn't respond"


def execute(notebook: Path, output: Path, parameters: dict[str, Any], cwd: Path) -> None:
    import papermill as pm

    output.parent.mkdir(parents=True, exist_ok=True)
    for attempt in range(1, KERNEL_START_TRIES + 1):
        try:
            pm.execute_notebook(
                str(notebook), str(output), parameters=parameters, cwd=str(cwd), progress_bar=False,
                kernel_name="python3", log_output=False,
            )
            return
        except RuntimeError as e:  # a kernel that never came up ran nothing: start it again
            if "Kernel didn't respond" not in str(e) or attempt == KERNEL_START_TRIES:
                raise


def reproduce(
    profile: str,
    root: Path | None = None,
    only: str | None = None,
    force: bool = False,
    build_book: bool = True,
    dry_run: bool = False,
    jobs: int = 1,
) -> dict[str, Any]:
    """Execute the plan of ``profile`` in dependency order; return per-run status and wall time.

    ``jobs`` > 1 runs up to that many independent runs at once, each kernel with ``cores // jobs`` threads
    (tiny CPU models spend much of their time in single-threaded Python: two at once fill two cores).
    """
    from ppma_lib.book import find_root

    root = (root or find_root()).resolve()
    plan = load_plan(profile, root)
    configs = {r.name: resolve_run(plan, r, root) for r in plan.runs}
    deps = {r.name: dependencies(configs[r.name], r) for r in plan.runs}
    for name, ds in deps.items():
        missing = ds - set(configs)
        if missing:
            from ppma_lib.config import ConfigError

            raise ConfigError(f"run '{name}' needs {sorted(missing)}, which the {profile} plan does not define")
    order = list(graphlib.TopologicalSorter(deps).static_order())
    selected = set(order)
    if only:
        selected = {n for n in order if fnmatch.fnmatch(n, only)}
        stack = list(selected)
        while stack:  # a selected run also needs its inputs (they are skipped if up to date)
            for d in deps[stack.pop()]:
                if d not in selected:
                    selected.add(d)
                    stack.append(d)
    prints: dict[str, str] = {}
    for name in order:  # a fingerprint depends on the parameters alone, so all are known before anything runs
        r = plan.run(name)
        prints[name] = fingerprint(configs[name], root / r.notebook, {d: prints[d] for d in sorted(deps[name])})

    report: dict[str, Any] = {"profile": profile, "runs": {}, "started": time.time()}
    todo = []
    for name in (n for n in order if n in selected):
        r, run_dir = plan.run(name), root / configs[name].run_dir
        done = run_dir / DONE_FILE
        up_to_date = (done.is_file() and done.read_text() == prints[name]
                      and executed_notebook(run_dir, r.notebook).is_file())
        status = "up to date" if up_to_date and not force else "run"
        if dry_run:
            print(f"{status:>10}  {name:<28} {r.notebook}  ({', '.join(sorted(deps[name])) or 'no inputs'})")
            report["runs"][name] = {"status": status}
        elif status == "up to date":
            report["runs"][name] = {"status": "skipped", "seconds": 0.0}
        else:
            todo.append(name)

    def execute_run(name: str) -> dict[str, Any]:
        from ppma_lib.config import clear_stale_run

        r, run_dir = plan.run(name), root / configs[name].run_dir
        clear_stale_run(configs[name], root)  # new parameters: start over, do not resume the old run
        done = run_dir / DONE_FILE
        done.unlink(missing_ok=True)
        t0 = time.perf_counter()
        execute(root / r.notebook, executed_notebook(run_dir, r.notebook),
                {"params_file": r.params, "overrides": _overrides(plan, r)}, root)
        done.write_text(prints[name])
        return {"status": "ran", "seconds": round(time.perf_counter() - t0, 2), "notebook": r.notebook}

    with _kernel_threads(jobs):
        report["runs"] |= schedule(todo, {n: deps[n] & set(todo) for n in todo}, execute_run, jobs,
                                   desc=f"reproduce {profile}")
    for b in plan.benches:
        if only and not fnmatch.fnmatch(f"bench_{b.name}", only):
            continue
        status = run_bench(b, root, force=force, dry_run=dry_run)
        report["runs"][f"bench_{b.name}"] = status
    report["seconds"] = round(time.time() - report.pop("started"), 2)
    if not dry_run:
        _write_report(root / "outputs" / profile / "pipeline.json", report)
        if build_book:
            report["book"] = str(build(plan, root, configs, jobs))
    return report


def schedule(names: list[str], deps: dict[str, set[str]], work, jobs: int = 1, desc: str = "runs") -> dict[str, Any]:
    """``work(name)`` for every name once its ``deps`` are done, at most ``jobs`` at a time, in ``names``
    order among the ready ones -> {name: result}. On a failure nothing new starts; the running ones finish,
    then the first error is raised."""
    from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

    from tqdm.auto import tqdm

    results: dict[str, Any] = {}
    pending, running, error = list(names), {}, None
    bar = tqdm(total=len(names), desc=desc, unit="run", disable=not names)
    with ThreadPoolExecutor(max(1, jobs)) as pool:  # each run is its own kernel process: threads only wait
        while pending or running:
            ready = [n for n in pending if deps[n] <= set(results)] if error is None else []
            for name in ready[: max(1, jobs) - len(running)]:
                pending.remove(name)
                running[pool.submit(work, name)] = name
            if not running:
                break
            bar.set_postfix_str(", ".join(running.values()))
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                name = running.pop(future)
                if future.exception() is not None:
                    error = error or future.exception()
                else:
                    results[name] = future.result()
                    bar.update()
    bar.close()
    if error is not None:
        raise error
    return results


@contextlib.contextmanager
def _kernel_threads(jobs: int):
    """Kernels started inside inherit OMP_NUM_THREADS = cores // jobs (unless the user set it)."""
    if jobs <= 1 or "OMP_NUM_THREADS" in os.environ:
        yield
        return
    os.environ["OMP_NUM_THREADS"] = str(max(1, (os.cpu_count() or 1) // jobs))
    try:
        yield
    finally:
        del os.environ["OMP_NUM_THREADS"]


def run_bench(b: PlannedBench, root: Path, force: bool = False, dry_run: bool = False) -> dict[str, Any]:
    """``ppma bench <name> <args> --json outputs/bench/<name>.json``, unless that file was made with these args."""
    out, stamp = root / b.json, root / b.json.with_suffix(".args")
    up_to_date = out.is_file() and stamp.is_file() and stamp.read_text() == json.dumps(list(b.args))
    if dry_run:
        print(f"{'up to date' if up_to_date else 'run':>10}  bench {b.name:<22} ppma bench {b.name} {' '.join(b.args)}")
        return {"status": "up to date" if up_to_date else "run"}
    if up_to_date and not force:
        return {"status": "skipped", "seconds": 0.0}
    stamp.unlink(missing_ok=True)
    t0 = time.perf_counter()
    cmd = [sys.executable, "-m", "ppma_lib.cli", "bench", b.name, *b.args, "--json", str(out)]
    subprocess.run(cmd, check=True, cwd=root, stdout=subprocess.DEVNULL)
    if not out.is_file():
        raise RuntimeError(f"`{' '.join(cmd[2:])}` wrote no {out}")
    write_text_atomic(stamp, json.dumps(list(b.args)))
    return {"status": "ran", "seconds": round(time.perf_counter() - t0, 2), "notebook": f"ppma bench {b.name}"}


def _write_report(path: Path, report: dict[str, Any]) -> None:
    """Merge this invocation's timings into the profile's pipeline.json (skipped runs keep their last time)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    old = json.loads(path.read_text()) if path.is_file() else {"runs": {}}
    for name, info in report["runs"].items():
        if info["status"] == "ran" or name not in old["runs"]:
            old["runs"][name] = info
    old["last_invocation_seconds"] = report["seconds"]
    old["profile"] = report["profile"]
    write_text_atomic(path, json.dumps(old, indent=2))


# --------------------------------------------------------------------------------------------------
# the book
# --------------------------------------------------------------------------------------------------
def stage(plan: Plan, root: Path, configs: dict[str, Any], jobs: int = 1) -> Path:
    """Copy the book's sources to ``_build/src``, swap in this profile's executed notebooks and execute the
    result chapters (``jobs`` at once: they only read the runs)."""
    src = root / STAGE_DIR
    if src.exists():
        shutil.rmtree(src)
    src.mkdir(parents=True)
    for name in ("_config.yml", "_toc.yml"):
        shutil.copy2(root / name, src / name)
    shutil.copytree(root / "book", src / "book", ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    for r in plan.runs:
        executed = executed_notebook(root / configs[r.name].run_dir, r.notebook)
        if r.show and executed.is_file():
            show_injected_parameters(executed, src / r.notebook)
    def execute_chapter(chapter: str) -> None:
        execute(root / chapter, src / chapter, {"profile": plan.profile}, root)
        show_injected_parameters(src / chapter, src / chapter)

    with _kernel_threads(jobs):
        schedule(list(plan.chapters), {c: set() for c in plan.chapters}, execute_chapter, jobs,
                 desc=f"result chapters {plan.profile}")
    return src


WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


def show_injected_parameters(executed: Path, out: Path) -> None:
    """Copy an executed notebook, hiding its default ``parameters`` cell when papermill injected the values
    the run used (the page then shows the parameters of this profile once, not the defaults beside them).

    Widget outputs (tqdm's notebook progress bars) are dropped: a static page cannot run them, and their
    presence makes the HTML load a widget manager from a CDN (the book must work offline)."""
    nb = json.loads(executed.read_text())
    nb.get("metadata", {}).pop("widgets", None)
    for cell in nb["cells"]:
        if "outputs" in cell:
            cell["outputs"] = [o for o in cell["outputs"] if WIDGET_MIME not in o.get("data", {})]
    tags = [c.get("metadata", {}).get("tags", []) for c in nb["cells"]]
    if any("injected-parameters" in t for t in tags):
        for cell, t in zip(nb["cells"], tags):
            if "parameters" in t and "remove-cell" not in t:
                cell.setdefault("metadata", {})["tags"] = [*t, "remove-cell"]
    out.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")


def build(plan: Plan, root: Path, configs: dict[str, Any], jobs: int = 1) -> Path:
    src = stage(plan, root, configs, jobs)
    cmd = [str(Path(sys.executable).parent / "jupyter-book"), "build", str(src), "--path-output", str(root),
           "--warningiserror", "--nitpick", "--keep-going"]
    subprocess.run(cmd, check=True, cwd=root)
    return root / "_build" / "html" / "index.html"


# --------------------------------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------------------------------
def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("--profile", default="mini", choices=["smoke", "mini", "paper"], help="which plan (default mini)")
    p.add_argument("--only", metavar="PATTERN", help="run only runs whose name matches (glob), plus their inputs")
    p.add_argument("--force", action="store_true", help="re-run selected runs even if up to date")
    p.add_argument("--no-book", action="store_true", help="do not build the book afterwards")
    p.add_argument("--dry-run", action="store_true", help="print the plan with each run's status and exit")
    p.add_argument("--jobs", type=int, default=1, metavar="N",
                   help="independent runs at once, cores split between them (default 1; 2 suits tiny CPU models)")


def run(args: argparse.Namespace) -> int:
    report = reproduce(args.profile, only=args.only, force=args.force, build_book=not args.no_book,
                       dry_run=args.dry_run, jobs=args.jobs)
    if not args.dry_run:
        ran = sum(v["status"] == "ran" for v in report["runs"].values())
        print(f"{ran} run(s) executed, {len(report['runs']) - ran} up to date, {report['seconds']:.0f} s")
        if "book" in report:
            print(f"book: {report['book']}")
    return 0
