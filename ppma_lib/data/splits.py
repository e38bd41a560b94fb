"""Converters from the official split files of the benchmark datasets to ``(path, label)`` lists.

Each converter reads the files as the dataset authors publish them and returns lists of
``(path relative to the dataset's video folder, 0-based label)``; write them with
:func:`ppma_lib.data.lists.write_list`. Label ids follow PPMA's published splits (so a converted
list can be mixed with :func:`ppma_lib.data.benchmarks.benchmark_list` files): UCF101 ``classInd``
order, HMDB51 PPMA's (non-alphabetical) order, SSv2 the json ids, Mini-SSV2 the 87-template order,
Diving48 the json labels, UAV-Human the action number, IkeaFA alphabetical, Kinetics a given class
order. Formats: ``shared/reference/benchmark_data_and_human_removal.md`` §B.
"""
from __future__ import annotations

import csv
import json
import os
import re
from pathlib import Path
from typing import Iterable, Sequence

from ppma_lib.data.lists import ListFormatError, read_label_map

Items = list[tuple[str, int]]
PathLike = str | os.PathLike


def _classes_from_map(name: str) -> list[str]:
    from ppma_lib.data.benchmarks import benchmark_label_map

    m = benchmark_label_map(name)
    return [m[i] for i in range(len(m))]


def _strip(path: str, keep_ext: bool) -> str:
    return path if keep_ext else os.path.splitext(path)[0]


# --------------------------------------------------------------------------------------------------
# UCF101: ucfTrainTestlist/{classInd, trainlist0k, testlist0k}.txt
# --------------------------------------------------------------------------------------------------
def ucf101_split(
    split_dir: PathLike, split: int = 1, keep_ext: bool = True
) -> tuple[Items, Items, dict[int, str]]:
    """-> (train, test, label map). Labels are ``classInd`` ids - 1; test labels come from the class folder.

    ``keep_ext=False`` drops ``.avi`` (PPMA's frame-folder entries ``Class/v_Class_gGG_cCC``).
    """
    d = Path(split_dir)
    classes = {}
    for n, line in enumerate((d / "classInd.txt").read_text().splitlines(), 1):
        if line.strip():
            idx, _, name = line.strip().partition(" ")
            if not idx.isdigit() or not name:
                raise ListFormatError(f"{d / 'classInd.txt'}:{n}: expected '<id> <ClassName>', got {line!r}")
            classes[name] = int(idx) - 1
    by_folder = {k.lower(): v for k, v in classes.items()}  # HandstandPushups vs v_HandStandPushups_*

    def parse(name: str) -> Items:
        out = []
        for n, line in enumerate((d / name).read_text().splitlines(), 1):
            if not line.strip():
                continue
            rel = line.split()[0]
            folder = rel.split("/")[0].lower()
            if folder not in by_folder:
                raise ListFormatError(f"{d / name}:{n}: class folder of {rel!r} is not in classInd.txt")
            out.append((_strip(rel, keep_ext), by_folder[folder]))
        return out

    label_map = {v: k for k, v in classes.items()}
    return parse(f"trainlist0{split}.txt"), parse(f"testlist0{split}.txt"), label_map


# --------------------------------------------------------------------------------------------------
# HMDB51: testTrainMulti_7030_splits/<class>_test_split<k>.txt, lines "<video>.avi <0|1|2>"
# --------------------------------------------------------------------------------------------------
def hmdb51_split(
    split_dir: PathLike, split: int = 1, classes: Sequence[str] | None = None, keep_ext: bool = True
) -> tuple[Items, Items]:
    """-> (train, test): code 1 = train, 2 = test, 0 = unused. ``classes`` default: PPMA's label order."""
    classes = list(classes) if classes is not None else _classes_from_map("hmdb51")
    label = {c: i for i, c in enumerate(classes)}
    train, test = [], []
    files = sorted(Path(split_dir).glob(f"*_test_split{split}.txt"))
    if not files:
        raise FileNotFoundError(f"no '*_test_split{split}.txt' files in {split_dir}")
    for f in files:
        cls = f.name[: -len(f"_test_split{split}.txt")]
        if cls not in label:
            raise ListFormatError(f"{f}: class {cls!r} is not one of the {len(classes)} classes")
        for n, line in enumerate(f.read_text().splitlines(), 1):
            if not line.strip():
                continue
            name, _, code = line.strip().rpartition(" ")  # names may hold ';', '(', '&' but no spaces
            if code not in ("0", "1", "2"):
                raise ListFormatError(f"{f}:{n}: expected '<video>.avi <0|1|2>', got {line!r}")
            item = (_strip(f"{cls}/{name}", keep_ext), label[cls])
            {"1": train, "2": test}.get(code, []).append(item)
    return train, test


# --------------------------------------------------------------------------------------------------
# Something-Something V2 (+ Mini-SSV2): labels json + train/validation json
# --------------------------------------------------------------------------------------------------
def ssv2_split(labels_json: PathLike, split_json: PathLike, classes: Sequence[str] | None = None) -> Items:
    """-> ``[("<id>.webm", label)]``. Label = the SSv2 id of the template (brackets removed).

    With ``classes`` (template names, e.g. :func:`mini_ssv2_classes`) only those templates are kept
    and relabelled by their position in ``classes`` (Mini-SSV2).
    """
    ids = {k: int(v) for k, v in json.loads(Path(labels_json).read_text()).items()}
    keep = {c: i for i, c in enumerate(classes)} if classes is not None else None
    out = []
    for entry in json.loads(Path(split_json).read_text()):
        template = entry["template"].replace("[", "").replace("]", "")
        if template not in ids:
            raise ListFormatError(f"{split_json}: video {entry['id']}: template {template!r} not in {labels_json}")
        if keep is None:
            out.append((f"{entry['id']}.webm", ids[template]))
        elif template in keep:
            out.append((f"{entry['id']}.webm", keep[template]))
    return out


def mini_ssv2_classes() -> list[str]:
    """The 87 Mini-SSV2 templates in the published (IBM ``mini_ssv2.txt``) order = label order."""
    return _classes_from_map("mini_ssv2")


# --------------------------------------------------------------------------------------------------
# Diving48 V2: Diving48_V2_{train,test}.json
# --------------------------------------------------------------------------------------------------
def diving48_split(split_json: PathLike) -> Items:
    """-> ``[("<vid_name>.mp4", label)]`` from ``Diving48_V2_train.json`` / ``_test.json``."""
    return [(f"{e['vid_name']}.mp4", int(e["label"])) for e in json.loads(Path(split_json).read_text())]


# --------------------------------------------------------------------------------------------------
# UAV-Human (action): labels and subjects live in the file names
# --------------------------------------------------------------------------------------------------
UAV_NAME = re.compile(r"P(?P<subject>\d+)S\d+G\d+B\d+H\d+UC\d+LC\d+A(?P<action>\d+)R\d+_\d+")
# cross-subject protocol (CSv1): the 30 validation subjects; the other 89 train
UAV_VAL_SUBJECTS = frozenset(
    [1, 3, 4, 9, 22, 23, 24, 31, 41, 54, 58, 60, 66, 72, 74, 75, 91, 92, 93, 94, 95, 96, 97, 99, 101, 104, 107, 108,
     109, 113]
)


def uav_human_split(paths: Iterable[str], val_subjects: Iterable[int] = UAV_VAL_SUBJECTS) -> tuple[Items, Items]:
    """Video paths (names ``P...S..G..B..H..UC..LC..A###R._########.avi``) -> (train, val).

    Label = the action number ``A###``; a clip is in val when its subject ``P###`` is.
    """
    val_subjects = set(val_subjects)
    train, val = [], []
    for p in paths:
        m = UAV_NAME.search(os.path.basename(p))
        if m is None:
            raise ListFormatError(f"{p}: not a UAV-Human action file name (P...S..G..B..H..UC..LC..A###R._...)")
        (val if int(m["subject"]) in val_subjects else train).append((p, int(m["action"])))
    return train, val


# --------------------------------------------------------------------------------------------------
# IkeaFA: <class>/GOPR<rec>_<start>_<end>_<actor>.MP4 segments; cross-actor split
# --------------------------------------------------------------------------------------------------
IKEA_NAME = re.compile(r"GOPR\d+_\d+_\d+_(?P<actor>\d+)\.\w+$")
IKEA_VAL_ACTORS = frozenset([9, 11, 13])  # PPMA's val recordings all carry these ids, train never does


def ikea_fa_split(
    paths: Iterable[str], val_actors: Iterable[int] = IKEA_VAL_ACTORS
) -> tuple[Items, Items, dict[int, str]]:
    """Segment paths ``.../<class>/GOPR<rec>_<s>_<e>_<NN>.MP4`` -> (train, val, label map).

    Labels are the class folders in alphabetical order (PPMA's ids).
    """
    paths = list(paths)
    classes = sorted({Path(p).parent.name for p in paths})
    label = {c: i for i, c in enumerate(classes)}
    val_actors = set(val_actors)
    train, val = [], []
    for p in paths:
        m = IKEA_NAME.search(p)
        if m is None:
            raise ListFormatError(f"{p}: not an IkeaFA segment name (GOPR<rec>_<start>_<end>_<NN>.MP4)")
        (val if int(m["actor"]) in val_actors else train).append((p, label[Path(p).parent.name]))
    return train, val, dict(enumerate(classes))


# --------------------------------------------------------------------------------------------------
# Kinetics-400 (+ the 150-class subset)
# --------------------------------------------------------------------------------------------------
KINETICS_LAYOUT = "{split}/{label}/{youtube_id}_{time_start:06d}_{time_end:06d}.mp4"


def kinetics_split(
    csv_path: PathLike, classes: Sequence[str] | None = None, layout: str = KINETICS_LAYOUT
) -> Items:
    """Official csv (``label,youtube_id,time_start,time_end,split[,is_cc]``) -> list.

    Args:
        classes: label order; rows of other classes are dropped (``kinetics150_classes()`` gives
            PPMA's K150). Default: all classes of the csv, alphabetical (the K400 convention).
        layout: where a clip lives under the dataset root; fields of the csv row.
    """
    with open(csv_path, newline="") as f:
        rows = list(csv.DictReader(f))
    classes = list(classes) if classes is not None else sorted({r["label"] for r in rows})
    label = {c: i for i, c in enumerate(classes)}
    out = []
    for r in rows:
        if r["label"] in label:
            fields = {**r, "time_start": int(float(r["time_start"])), "time_end": int(float(r["time_end"]))}
            out.append((layout.format(**fields), label[r["label"]]))
    return out


def kinetics150_classes() -> list[str]:
    """The 150 Kinetics classes of SynAPT in PPMA's label order (not alphabetical)."""
    return _classes_from_map("kinetics150")


def synapt_kinetics150(list_path: PathLike, prefix: str = "", ext: str = ".mp4") -> Items:
    """SynAPT list lines ``class name/<ytid>_<start>_<end>`` (no label) -> labelled list (PPMA ids).

    ``prefix="val/"`` reproduces PPMA's ``kinetics150/val.csv`` from SynAPT's ``kinetics150_val.txt``.
    """
    label = {c: i for i, c in enumerate(kinetics150_classes())}
    out = []
    for n, line in enumerate(Path(list_path).read_text(encoding="utf-8-sig").splitlines(), 1):
        rel = line.strip()
        if not rel:
            continue
        cls = rel.split("/")[0]
        if cls not in label:
            raise ListFormatError(f"{list_path}:{n}: class {cls!r} is not a Kinetics-150 class")
        out.append((f"{prefix}{rel}{ext}", label[cls]))
    return out


def label_map_from_file(path: PathLike) -> list[str]:
    """A label map file -> class names in id order (ids must be 0..K-1)."""
    m = read_label_map(path)
    if sorted(m) != list(range(len(m))):
        raise ListFormatError(f"{path}: label ids must be 0..{len(m) - 1}")
    return [m[i] for i in range(len(m))]
