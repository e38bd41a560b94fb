"""The PPMA / SynAPT benchmark lists, shipped with the package (``ppma_lib/benchmarks/synapt/``).

The files are PPMA's published splits (``howardzh01/PPMA:data/splits``) and SynAPT's Kinetics-150
lists, byte for byte; see the README next to them. A user who holds a dataset points
``data.root`` at the folder under which the list's relative paths resolve (column ``root``
below), e.g.::

    DataConfig(root="/datasets/diving", val_lists=(str(benchmark_list("diving48", "val")),))

Entries without an extension (UCF101, HMDB51 and NH-Kinetics frame folders in PPMA) also resolve
to ``<entry>.avi`` / ``.mp4`` files (:func:`ppma_lib.data.video.find_video`), so the original UCF101
and HMDB51 folders work as roots too.
"""
from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path


@dataclass(frozen=True)
class BenchmarkTask:
    folder: str  # folder under benchmarks/synapt/
    splits: tuple[str, ...]  # shipped splits
    num_classes: int
    label_map: str  # file name of the label map ("" when none was published)
    root: str  # what data.root must hold for the list's paths to resolve


TASKS: dict[str, BenchmarkTask] = {
    "ucf101": BenchmarkTask("ucf101", ("train", "val"), 101, "ucf101_label_map.tsv",
                            "<Class>/v_<Class>_gGG_cCC(.avi) — the UCF-101 folder (split 1)"),
    "hmdb51": BenchmarkTask("hmdb51", ("train", "val"), 51, "hmdb51_label_map.tsv",
                            "<class>/<name>(.avi) — the HMDB51 folder (split 1)"),
    "mini_ssv2": BenchmarkTask("mini_ssv2", ("val",), 87, "mini_ssv2_classes_IBM_order.tsv",
                               "something2something-v2/videos/<id>.webm"),
    "diving48": BenchmarkTask("diving48", ("train", "val"), 48, "", "diving48/videos/<vid_name>.mp4 (V2)"),
    "ikea_furniture": BenchmarkTask("ikea_furniture", ("train", "val"), 12, "ikeafa_label_map.tsv",
                                    "ikea_furniture/videos/<class>/GOPR<rec>_<s>_<e>_<NN>.MP4"),
    "uav": BenchmarkTask("uav", ("train", "val"), 155, "", "uav_human/videos/<name>.avi (cross-subject)"),
    "kinetics150": BenchmarkTask("kinetics150", ("val",), 150, "kinetics150_label_map.tsv",
                                 "val/<class name>/<ytid>_<start>_<end>.mp4"),
    "inpk150": BenchmarkTask("inpk150", ("val",), 150, "kinetics150_label_map.tsv",
                             "val/inp/<class name>/<ytid>_<start>_<end>/ (No-Human Kinetics frames)"),
    "sim150": BenchmarkTask("sim150", ("val",), 150, "sim150_label_map.tsv", "<class_dir>/<video>.mp4 (SynAPT)"),
}
ALIASES = {"ikeafa": "ikea_furniture", "ikea": "ikea_furniture", "uav_human": "uav", "k150": "kinetics150",
           "minissv2": "mini_ssv2", "nh_kinetics150": "inpk150"}


def benchmark_dir() -> Path:
    """The folder of the shipped lists (inside the installed package)."""
    return Path(str(resources.files("ppma_lib") / "benchmarks" / "synapt"))


def _task(task: str) -> BenchmarkTask:
    key = ALIASES.get(task.lower(), task.lower())
    if key not in TASKS:
        raise KeyError(f"unknown benchmark task {task!r}; known: {', '.join(sorted(TASKS))}")
    return TASKS[key]


def benchmark_list(task: str, split: str) -> Path:
    """Path of the shipped ``path;label`` list of ``task`` (``ucf101``, ``hmdb51``, ...) and ``split``."""
    t = _task(task)
    split = {"test": "val", "validation": "val"}.get(split, split)
    if split not in t.splits:
        hint = ""
        if t.folder == "kinetics150" and split == "train":
            hint = ("; build it from SynAPT's list: splits.synapt_kinetics150("
                    "benchmark_dir() / 'kinetics150_synapt/kinetics150_train.txt', prefix='train/')")
        raise KeyError(f"{task}: split {split!r} was not published (shipped: {', '.join(t.splits)}){hint}")
    return benchmark_dir() / t.folder / f"{split}.csv"


def benchmark_label_map(task: str) -> dict[int, str]:
    """``{label id: class name}`` of ``task``; raises for tasks without a published map."""
    from ppma_lib.data.lists import read_label_map

    t = _task(task)
    if not t.label_map:
        raise KeyError(f"{task}: no label map was published (labels are {t.num_classes} integer ids)")
    return read_label_map(benchmark_dir() / t.label_map)
