"""List files, label maps, official-split converters and the shipped benchmark lists."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from ppma_lib.data import splits
from ppma_lib.data.benchmarks import ALIASES, TASKS, benchmark_dir, benchmark_label_map, benchmark_list
from ppma_lib.data.lists import (
    ListFormatError,
    detect_format,
    read_label_map,
    read_list,
    write_label_map,
    write_list,
)

HMDB = "laugh/Der_Lachsack___keep_on_smiling_;0)_laugh_h_cm_np1_fr_med_0"


def test_semicolon_splits_on_last_semicolon_with_crlf(tmp_path: Path) -> None:
    f = tmp_path / "val.csv"
    f.write_bytes(f"talk/a;0\r\n{HMDB};25\r\n\r\nval/peeling apples/x_000001_000011.mp4;7".encode())
    assert detect_format(f) == "semicolon"
    assert read_list(f) == [("talk/a", 0), (HMDB, 25), ("val/peeling apples/x_000001_000011.mp4", 7)]


def test_space_format_and_spaces_in_paths(tmp_path: Path) -> None:
    f = tmp_path / "train.csv"
    f.write_text("\ufeffk400/abseiling/x.mp4 0\nk400/peeling apples/y.mp4   12\n\n")
    assert detect_format(f) == "space"
    assert read_list(f) == [("k400/abseiling/x.mp4", 0), ("k400/peeling apples/y.mp4", 12)]


def test_bad_line_names_file_and_line(tmp_path: Path) -> None:
    f = tmp_path / "bad.csv"
    f.write_text("a;1\n\nb;two\n")
    with pytest.raises(ListFormatError, match=r"bad.csv:3: expected 'path;label'"):
        read_list(f)
    with pytest.raises(ListFormatError, match=r"bad.csv:1: expected 'path label'"):
        read_list(f, fmt="space")
    with pytest.raises(FileNotFoundError, match="nope.csv"):
        read_list(tmp_path / "nope.csv")


@pytest.mark.parametrize("fmt", ["semicolon", "space"])
def test_write_read_roundtrip(tmp_path: Path, fmt: str) -> None:
    items = [("ucf/v_a_g01_c01.avi", 0), ("x/y.mp4", 100)] + ([(HMDB, 3), ("a b/c", 4)] if fmt == "semicolon" else [])
    f = write_list(tmp_path / "l.csv", items, fmt=fmt)
    assert f.read_text().endswith("\n") and "\r" not in f.read_text()
    assert read_list(f) == items
    assert read_list(f, fmt=fmt) == items


def test_write_space_refuses_whitespace_paths(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="semicolon"):
        write_list(tmp_path / "l.csv", [("peeling apples/x.mp4", 0)], fmt="space")
    assert not (tmp_path / "l.csv").exists()


def test_label_map_roundtrip_and_errors(tmp_path: Path) -> None:
    m = {1: "riding scooter", 0: "peeling apples"}
    f = write_label_map(tmp_path / "map.tsv", m)
    assert f.read_text() == "0\tpeeling apples\n1\triding scooter\n"
    assert read_label_map(f) == m
    (tmp_path / "dup.tsv").write_text("0\ta\r\n0\tb")
    with pytest.raises(ListFormatError, match=r"dup.tsv:2: label id 0 appears twice"):
        read_label_map(tmp_path / "dup.tsv")
    (tmp_path / "bad.tsv").write_text("0 a\n")
    with pytest.raises(ListFormatError, match=r"bad.tsv:1"):
        read_label_map(tmp_path / "bad.tsv")


# --------------------------------------------------------------------------------------------------
# official-split converters, each on a tiny fake of the official layout
# --------------------------------------------------------------------------------------------------
def test_ucf101(tmp_path: Path) -> None:
    (tmp_path / "classInd.txt").write_bytes(b"1 ApplyEyeMakeup\r\n2 HandstandPushups\r\n")
    (tmp_path / "trainlist01.txt").write_bytes(
        b"ApplyEyeMakeup/v_ApplyEyeMakeup_g08_c01.avi 1\r\nHandstandPushups/v_HandStandPushups_g09_c01.avi 2\r\n"
    )
    (tmp_path / "testlist01.txt").write_bytes(b"HandstandPushups/v_HandStandPushups_g01_c01.avi\r\n")
    train, test, names = splits.ucf101_split(tmp_path, split=1, keep_ext=False)
    assert train == [("ApplyEyeMakeup/v_ApplyEyeMakeup_g08_c01", 0), ("HandstandPushups/v_HandStandPushups_g09_c01", 1)]
    assert test == [("HandstandPushups/v_HandStandPushups_g01_c01", 1)] and names == {0: "ApplyEyeMakeup", 1: "HandstandPushups"}


def test_hmdb51_uses_ppma_label_order(tmp_path: Path) -> None:
    (tmp_path / "talk_test_split1.txt").write_text("a.avi 1 \nb.avi 2 \nc.avi 0 \n")
    (tmp_path / "laugh_test_split1.txt").write_text(f"{HMDB.split('/')[1]}.avi 1 \n")
    train, test = splits.hmdb51_split(tmp_path, split=1, keep_ext=False)
    assert sorted(train) == sorted([(HMDB, 25), ("talk/a", 0)]) and test == [("talk/b", 0)]
    assert benchmark_label_map("hmdb51")[25] == "laugh"


def test_ssv2_and_mini(tmp_path: Path) -> None:
    mini = splits.mini_ssv2_classes()
    assert len(mini) == 87
    labels = {"Approaching something with your camera": "0", mini[1]: "3", "Not in mini": "5"}
    (tmp_path / "labels.json").write_text(json.dumps(labels))
    (tmp_path / "val.json").write_text(json.dumps([
        {"id": "7", "template": "Approaching [something] with your camera"},
        {"id": "9", "template": "Not in mini"},
        {"id": "11", "template": mini[1].replace("something", "[something]", 1)},
    ]))
    assert splits.ssv2_split(tmp_path / "labels.json", tmp_path / "val.json") == [("7.webm", 0), ("9.webm", 5), ("11.webm", 3)]
    assert splits.ssv2_split(tmp_path / "labels.json", tmp_path / "val.json", mini) == [("7.webm", 0), ("11.webm", 1)]


def test_diving48(tmp_path: Path) -> None:
    (tmp_path / "test.json").write_text(json.dumps([{"vid_name": "-mmq0PT-u8k_00155", "label": 0, "start_frame": 0,
                                                      "end_frame": 48}]))
    assert splits.diving48_split(tmp_path / "test.json") == [("-mmq0PT-u8k_00155.mp4", 0)]


def test_uav_and_ikea_reproduce_ppma_splits() -> None:
    for task, convert in [("uav", splits.uav_human_split), ("ikea_furniture", splits.ikea_fa_split)]:
        train, val = read_list(benchmark_list(task, "train")), read_list(benchmark_list(task, "val"))
        out = convert(p for p, _ in train + val)  # the file names alone carry label and split
        assert sorted(out[0]) == sorted(train) and sorted(out[1]) == sorted(val)
    with pytest.raises(ListFormatError, match="UAV-Human"):
        splits.uav_human_split(["x.avi"])


def test_kinetics_csv_and_150_subset(tmp_path: Path) -> None:
    (tmp_path / "validate.csv").write_text(
        "label,youtube_id,time_start,time_end,split\nriding scooter,abc,10,20,validate\n"
        "abseiling,def,0,10,validate\npeeling apples,ghi,1,11,validate\n"
    )
    assert splits.kinetics_split(tmp_path / "validate.csv") == [
        ("validate/riding scooter/abc_000010_000020.mp4", 2), ("validate/abseiling/def_000000_000010.mp4", 0),
        ("validate/peeling apples/ghi_000001_000011.mp4", 1)]
    k150 = splits.kinetics_split(tmp_path / "validate.csv", splits.kinetics150_classes(), "{label}/{youtube_id}.mp4")
    assert k150 == [("riding scooter/abc.mp4", 1), ("peeling apples/ghi.mp4", 0)]  # PPMA ids; abseiling not in K150


def test_synapt_kinetics150_reproduces_ppma_val() -> None:
    out = splits.synapt_kinetics150(benchmark_dir() / "kinetics150_synapt" / "kinetics150_val.txt", prefix="val/")
    assert out == read_list(benchmark_list("kinetics150", "val"))


def test_shipped_benchmark_lists() -> None:
    rows = {("ucf101", "train"): 9537, ("ucf101", "val"): 3783, ("hmdb51", "val"): 1530, ("diving48", "train"): 15027,
            ("mini_ssv2", "val"): 11799, ("uav", "val"): 6191, ("ikeafa", "train"): 1781, ("sim150", "val"): 12547}
    for (task, split), n in rows.items():
        items = read_list(benchmark_list(task, split))
        assert len(items) == n and max(label for _, label in items) < TASKS[ALIASES.get(task, task)].num_classes
    assert len(benchmark_label_map("kinetics150")) == 150
    with pytest.raises(KeyError, match="synapt_kinetics150"):
        benchmark_list("kinetics150", "train")
    with pytest.raises(KeyError, match="unknown benchmark"):
        benchmark_list("kinetics700", "val")

