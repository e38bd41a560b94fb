"""Our results beside the papers': collect summaries, fill the papers' tables, compare, find, plot."""
from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from ppma_lib.report import TASKS, paper_numbers, paper_table
from ppma_lib.report.findings import contrast, curve_facts, findings, fmt, label, pick
from ppma_lib.report.results import (
    COLUMNS,
    beyond_data_free,
    collect,
    curves,
    ours_table,
    parse_run_name,
    protocol,
    side_by_side,
    stage_ablation,
    styled,
)

ALL_TABLES = [(p, t) for p in ("ppma", "pmg") for t in paper_numbers()[p]]
PPMA_FT = {"ucf_like": 90.0, "hmdb_like": 70.0, "ssv2_like": 60.0, "diving_like": 50.0, "ikea_like": 40.0,
           "uav_like": 30.0}  # mean 56.667


def write_runs(root, runs: dict[str, dict], profile: str = "mini"):
    for name, summary in runs.items():
        d = root / "outputs" / profile / name
        d.mkdir(parents=True)
        (d / "summary.json").write_text(json.dumps(summary))
    return collect(profile, root=root)


def evals(model: str, ev: str, scores: dict[str, float], **extra) -> dict[str, dict]:
    return {f"{model}__{ev}__{t}": {"task": ev, "top1": v, **extra} for t, v in scores.items()}


# ------------------------------------------------------------------ names and collect
@pytest.mark.parametrize("name,expect", [
    ("ppma__finetune__ucf_like", ("ppma", "finetune", "ucf_like", None, None)),
    ("scratch__scratch__k400", ("scratch", "scratch", "k400", None, None)),
    ("pmg_shaders_100k__finetune__hmdb_like__vpc5", ("pmg_shaders_100k", "finetune", "hmdb_like", "videos_per_class", 5)),
    ("pmg_frames__finetune__hmdb_like__ep400", ("pmg_frames", "finetune", "hmdb_like", "epochs", 400)),
    ("mae_nohuman", ("mae_nohuman", None, None, None, None)),  # a pre-training run
    ("ppma__pretrain__ucf_like", ("ppma__pretrain__ucf_like", None, None, None, None)),  # unknown eval
    ("ppma__finetune__ucf_like__zz3", ("ppma__finetune__ucf_like__zz3", None, None, None, None)),  # unknown sweep
])
def test_parse_run_name(name, expect):
    got = parse_run_name(name)
    assert (got["model"], got["eval"], got["task"], got["sweep"], got["x"]) == expect


def test_collect_parses_names_and_summaries(tmp_path):
    runs = write_runs(tmp_path, {
        "ppma": {"task": "align", "top1": 55.0, "wall_time_s": 12.0},
        "ppma__linear_probe__ucf_like": {"task": "linear_probe", "top1": 81.25, "top5": 99.0, "clips_per_s": 40.0},
        "mix_beta__mix_probe__ucf_like": {"task": "mix_probe", "top1": 70.0, "beta": 0.25},
        "mix_beta__mix_probe__hmdb_like": {"task": "mix_probe", "top1": 60.0, "mix_weights": [[0.2, 0.8], [0.4, 0.6]]},
    })
    assert list(runs.columns) == COLUMNS and len(runs) == 4
    row = runs.set_index("run").loc["ppma__linear_probe__ucf_like"]
    assert (row["model"], row["eval"], row["task"], row["top1"], row["top5"]) == ("ppma", "linear_probe", "ucf_like", 81.25, 99.0)
    pre = runs.set_index("run").loc["ppma"]
    assert pre["model"] == "ppma" and pd.isna(pre["eval"]) and pre["train_task"] == "align"
    beta = runs.set_index("run")["beta"]
    assert beta["mix_beta__mix_probe__ucf_like"] == 0.25
    assert beta["mix_beta__mix_probe__hmdb_like"] == pytest.approx(0.7)  # mean of the per-tensor rows, last trunk
    assert runs["top1"].dtype == np.float64


def test_collect_empty_and_unreadable(tmp_path):
    empty = collect("mini", root=tmp_path)
    assert empty.empty and list(empty.columns) == COLUMNS
    bad = tmp_path / "outputs" / "mini" / "broken__finetune__ucf_like"
    bad.mkdir(parents=True)
    (bad / "summary.json").write_text("{not json")
    with pytest.warns(UserWarning, match="unreadable"):
        assert collect("mini", root=tmp_path).empty


def test_protocol_maps_ft_lp_to_the_runs_evals():
    assert protocol("FT", ["finetune", "linear_probe"]) == "finetune"
    assert protocol("FT", ["scratch"]) == "scratch"
    assert protocol("LP", ["mix_probe"]) == "mix_probe"
    assert protocol("LP", ["scratch"]) == "linear_probe"  # nothing to read: stays NaN
    assert protocol(None, ["scratch"]) == "scratch"  # PMG tables have no FT/LP column


# ------------------------------------------------------------------ ours_table
@pytest.mark.parametrize("paper,table", ALL_TABLES)
def test_ours_table_has_the_papers_shape(paper, table):
    ours = ours_table(paper, table, runs=pd.DataFrame(columns=COLUMNS))
    ref = paper_table(paper, table)
    assert ours.shape == ref.shape and list(ours.columns) == list(ref.columns)
    info = paper_numbers()[paper][table]
    assert ours[info["values"]].isna().all().all()  # nothing ran
    pd.testing.assert_frame_equal(ours[info["keys"]], ref[info["keys"]])


@pytest.mark.parametrize("paper,table", ALL_TABLES)
def test_findings_of_every_table_without_runs(paper, table):
    f = findings(side_by_side(paper, table, runs=pd.DataFrame(columns=COLUMNS)))
    assert f["n_ours"] == 0 and f["n_cells"] == 0 and f["mean_diff"] == "—"
    assert f["n_rerun"] == paper_table(paper, table)["run"].notna().sum()
    assert f["not_reproduced"].startswith("At the smoke profile") and "no run yet: `" in f["not_reproduced"]
    assert all(isinstance(v, (str, int)) for v in f.values())


def test_tab1_cells_and_average_only_with_all_six(tmp_path):
    five = {k: v for k, v in PPMA_FT.items() if k != "uav_like"}
    runs = write_runs(tmp_path, {**evals("ppma", "finetune", PPMA_FT), **evals("ppma", "linear_probe", five),
                                 **evals("scratch", "scratch", {"ucf_like": 12.0}),
                                 "ppma__finetune__ucf_like__ep5": {"task": "finetune", "top1": 1.0}})  # a sweep point
    ours = ours_table("ppma", "tab1", runs=runs).set_index(["method", "eval"])
    ft, lp = ours.loc[("PPMA (ours)", "FT")], ours.loc[("PPMA (ours)", "LP")]
    assert [ft[t] for t in TASKS] == [PPMA_FT[t] for t in TASKS]
    assert ft["average"] == pytest.approx(np.mean(list(PPMA_FT.values())))
    assert lp["ucf_like"] == 90.0 and math.isnan(lp["uav_like"]) and math.isnan(lp["average"])
    assert ours.loc[("Scratch", "FT"), "ucf_like"] == 12.0  # scratch row reads the scratch protocol
    assert ours.loc[("TimeSformer Kinetics", "FT")].loc[list(TASKS)].isna().all()  # quoted, never ours


def test_tab2_delta_is_to_alignment_only_on_the_same_data(tmp_path):
    align = {t: 20.0 for t in TASKS}
    mae = {t: 50.0 for t in TASKS}
    runs = write_runs(tmp_path, {**evals("align_nohuman", "finetune", align), **evals("mae_nohuman", "finetune", mae)})
    ours = ours_table("ppma", "tab2", runs=runs).set_index(["stage1_mae", "stage2_align", "eval"])
    assert ours.loc[("none", "NH Kinetics", "FT"), "average"] == 20.0
    assert math.isnan(ours.loc[("none", "NH Kinetics", "FT"), "delta"])  # the baseline itself
    assert ours.loc[("NH Kinetics", "none", "FT"), "delta"] == pytest.approx(30.0)
    assert math.isnan(ours.loc[("Kinetics", "none", "FT"), "delta"])  # no real-data runs


def test_mix_probe_rows_and_tab6_beta_in_percent(tmp_path):
    scores = {t: 50.0 + i for i, t in enumerate(TASKS)}
    runs = write_runs(tmp_path, {f"mix_beta__mix_probe__{t}": {"task": "mix_probe", "top1": scores[t], "beta": 0.1 * (i + 1)}
                                 for i, t in enumerate(TASKS)})
    tab5 = ours_table("ppma", "tab5", runs=runs).set_index(["model", "eval"])
    assert tab5.loc[("learned beta", "LP"), "hmdb_like"] == 51.0
    tab6 = ours_table("ppma", "tab6", runs=runs).set_index("quantity")
    assert tab6.loc["synthetic: beta", "ucf_like"] == pytest.approx(10.0)
    assert tab6.loc["real: 1 - beta", "uav_like"] == pytest.approx(40.0)
    assert (tab6.loc["synthetic: beta", list(TASKS)] + tab6.loc["real: 1 - beta", list(TASKS)]).tolist() == pytest.approx([100.0] * 6)


def test_pmg_k400_top5_and_tab5_reuses_pmg_frames(tmp_path):
    runs = write_runs(tmp_path, {
        "videomae_k400__finetune__k400": {"task": "finetune", "top1": 40.0, "top5": 70.0},
        "pmg_frames__finetune__hmdb_like": {"task": "finetune", "top1": 33.0},
        "pmg_frames_of_hmdb_like__finetune__ucf_like": {"task": "finetune", "top1": 44.0},
    })
    tab12 = ours_table("pmg", "tab12", runs=runs).set_index("method")
    assert (tab12.loc["VideoMAE", "k400_top1"], tab12.loc["VideoMAE", "k400_top5"]) == (40.0, 70.0)
    tab5 = ours_table("pmg", "tab5", runs=runs).set_index("pretrain")
    assert tab5.loc["hmdb_like frames", "hmdb_like"] == 33.0  # read from pmg_frames on hmdb_like
    assert tab5.loc["hmdb_like frames", "ucf_like"] == 44.0
    assert math.isnan(tab5.loc["ucf_like frames", "ucf_like"])


# ------------------------------------------------------------------ side by side, findings, styling
def test_side_by_side_differences_and_findings(tmp_path):
    runs = write_runs(tmp_path, {**evals("ppma", "finetune", PPMA_FT),
                                 **evals("mae_synthetic_align_synthetic", "finetune", {t: 30.0 for t in TASKS})})
    sbs = side_by_side("ppma", "tab1", "mini", runs=runs)
    assert sbs.attrs["keys"] == ["method", "eval"] and sbs.attrs["profile"] == "mini"
    assert list(sbs["method"]) == list(paper_table("ppma", "tab1")["method"])  # the paper's row order
    row = sbs[(sbs["method"] == "PPMA (ours)") & (sbs["eval"] == "FT")].iloc[0]
    assert row["run"] == "ppma" and row["ucf_like_paper"] == 92.5
    assert row["ucf_like_diff"] == pytest.approx(90.0 - 92.5)
    assert row["average_diff"] == pytest.approx(np.mean(list(PPMA_FT.values())) - 67.0)

    f = findings(sbs)
    assert (f["n_ours"], f["n_rerun"], f["n_cells"]) == (2, 7, 14)
    assert f["best_ours"] == "PPMA (ours) · FT" and f["best_paper"] == "MAE-Align w/ real humans · FT"
    assert f["mean_diff"].startswith("-") and f["rank_corr"] == "—"  # two rows: no rank correlation
    assert "mae_real_align_real" in f["not_reproduced"] and "TimeSformer Kinetics · FT" in f["not_reproduced"]
    assert "Scratch · LP" not in f["not_reproduced"]  # the paper has no numbers there: nothing to reproduce
    claim = contrast(sbs, ("average", {"method": "PPMA (ours)", "eval": "FT"}),
                     ("average", {"method": "MAE-Align w/ Synthetic", "eval": "FT"}))
    assert claim["claim_gap_paper"] == "+2.5" and claim["claim_agree"] == "yes"
    assert claim["claim_a_ours"] == fmt(np.mean(list(PPMA_FT.values())))
    flipped = contrast(sbs, ("average", {"method": "MAE-Align w/ Synthetic", "eval": "FT"}),
                       ("average", {"method": "PPMA (ours)", "eval": "FT"}))
    assert flipped["claim_agree"] == "yes" and flipped["claim_gap_ours"].startswith("-")
    nothing = contrast(sbs, ("average", {"method": "MAE-Align w/ real humans", "eval": "FT"}),
                       ("average", {"method": "PPMA (ours)", "eval": "FT"}))
    assert nothing["claim_agree"] == "not measured yet" and nothing["claim_a_ours"] == "—"
    tie = contrast(sbs, ("average", {"method": "PPMA (ours)", "eval": "FT"}),
                   ("average", {"method": "PPMA (ours)", "eval": "FT"}))  # a cell against itself
    assert tie["claim_gap_ours"] == "+0.0" and tie["claim_agree"] == "no, ours is a tie"


def test_findings_rank_correlation_and_extended_tables(tmp_path):
    # PMG Tab. 2 order on UCF101 reproduced exactly -> Spearman 1
    ref = paper_table("pmg", "tab2")
    runs = write_runs(tmp_path, {f"{r}__finetune__ucf_like": {"task": "finetune", "top1": v - 10}
                                 for r, v in zip(ref["run"], ref["ucf_like"])})
    f = findings(side_by_side("pmg", "tab2", "mini", runs=runs))
    assert f["headline"] == "UCF101" and f["rank_corr"] == "1.00" and f["mean_diff"] == "-10.0"
    assert "8 rows are incomplete" in f["not_reproduced"] and "`" not in f["not_reproduced"]  # no HMDB51 runs
    empty = findings(side_by_side("pmg", "tab3", "mini", runs=pd.DataFrame(columns=COLUMNS)))
    assert "extended" in empty["not_reproduced"] and empty["n_ours"] == 0


def test_styled_groups_ours_paper_delta(tmp_path):
    runs = write_runs(tmp_path, evals("pmg_frames", "finetune", {"hmdb_like": 50.04, "ucf_like": 90.0}))
    html = styled(side_by_side("pmg", "tab8", "mini", runs=runs)).to_html()
    for text in ("HMDB51", "ours", "paper", "Δ", "50.0", "—", "-5.9", "✓"):
        assert text in html, text
    assert "50.04" not in html


def test_styled_ticks_every_row(tmp_path):
    """PMG Tab. 9's yes/no source columns are a cell per row (not a sparsified index spanning rows)."""
    runs = write_runs(tmp_path, evals("videomae_pmgaug_frames_pass", "finetune", {"hmdb_like": 61.0}))
    sbs = side_by_side("pmg", "tab9", "mini", runs=runs)
    html = styled(sbs).to_html()
    assert "rowspan" not in html and "61.0" in html
    assert html.count("✓") == int(sbs[["videos", "frames", "pass_images", "shaders1k_images"]].to_numpy().sum())


def test_pick_and_contrast_across_columns(tmp_path):
    runs = write_runs(tmp_path, {f"mix_beta__mix_probe__{t}": {"task": "mix_probe", "top1": 50.0, "beta": b}
                                 for t, b in (("ucf_like", 0.2), ("uav_like", 0.7))})
    sbs = side_by_side("ppma", "tab6", "mini", runs=runs)
    claim = contrast(sbs, ("uav_like", {"quantity": "synthetic: beta"}), ("ucf_like", {"quantity": "synthetic: beta"}))
    assert (claim["claim_a_ours"], claim["claim_b_ours"], claim["claim_agree"]) == ("70.0", "20.0", "yes")
    tab6 = side_by_side("pmg", "tab6", "mini", runs=pd.DataFrame(columns=COLUMNS))
    assert pick(tab6, "hmdb_like", "paper", pretrain="FT data", n_images=None) == 55.9
    with pytest.raises(KeyError, match="matches 2 rows"):
        pick(tab6, "hmdb_like", "paper", pretrain="PASS")


def test_label_of_boolean_and_numeric_keys():
    assert label({"videos": True, "frames": True, "pass_images": False}, ["videos", "frames", "pass_images"]) == "videos + frames"
    assert label({"pretrain": "ImageNet", "n_images": 10000.0}, ["pretrain", "n_images"]) == "ImageNet · 10k"


# ------------------------------------------------------------------ figure frames
def test_stage_ablation_long_frame(tmp_path):
    runs = write_runs(tmp_path, evals("mae_nohuman", "linear_probe", PPMA_FT))
    df = stage_ablation("LP", "mini", runs=runs)
    assert set(df["source"]) == {"ours", "paper"} and set(df["strategy"]) == {"Align only", "MAE only", "MAE+Align"}
    mine = df[(df["source"] == "ours") & df["top1"].notna()]
    assert set(mine["pretrain"]) == {"NH Kinetics"} and set(mine["strategy"]) == {"MAE only"}
    assert len(mine) == 7 and "Average" in set(mine["task"])
    paper = df[(df["source"] == "paper") & (df["task"] == "Average")]
    assert paper["top1"].notna().all() and len(paper) == 9


def test_curves_fig4_sweep_and_fig3_paper_points(tmp_path):
    runs = write_runs(tmp_path, {
        **{f"pmg_shaders_100k__finetune__hmdb_like__vpc{n}": {"task": "finetune", "top1": float(n)} for n in (1, 5, 50)},
        **{f"videomae_ft_videos__finetune__hmdb_like__vpc{n}": {"task": "finetune", "top1": 2.0} for n in (1, 5)},
        "pmg_pass_10k__finetune__hmdb_like": {"task": "finetune", "top1": 30.0},
        "pmg_frames__finetune__hmdb_like__ep100": {"task": "finetune", "top1": 20.0},
        # Fig. 3a's last point: the fine-tuning from the finished pre-training (its epochs from the init run)
        "pmg_frames__finetune__hmdb_like": {"task": "finetune", "top1": 99.0, "init": "run:pmg_frames_of_hmdb_like"},
        "pmg_frames_of_hmdb_like": {"task": "mae", "epochs": 200},
        "pmg_shaders_10k__finetune__hmdb_like": {"task": "finetune", "top1": 7.0},  # init unknown: not a point
    })
    fig4 = curves("fig4", "mini", runs=runs)
    pmg = fig4[fig4["series"] == "PMG"]
    assert pmg["x"].tolist() == [1.0, 5.0, 50.0] and (fig4["panel"] == "hmdb_like").all()
    facts = curve_facts(fig4, above=("PMG", "VideoMAE"))
    assert facts["wins"] == "1 of 2"  # 1.0 vs 2.0 at one video per class, 5.0 vs 2.0 at five
    assert "hmdb, PMG: 1.0 at 1 to 50.0 at 50 videos per class" in facts["curves"]
    assert curve_facts(fig4.iloc[:0])["curves"] == "no points yet at this profile."
    fig3 = curves("fig3", "mini", runs=runs)
    a = fig3[fig3["panel"] == "a"]
    assert a[["x", "top1", "source"]].values.tolist() == [[100.0, 20.0, "ours"], [200.0, 99.0, "ours"]]
    b = fig3[(fig3["panel"] == "b") & (fig3["series"] == "PASS")]
    assert b[b["source"] == "ours"][["x", "top1"]].values.tolist() == [[10000.0, 30.0]]
    assert b[b["source"] == "paper"]["top1"].tolist() == [58.3, 60.0]  # PMG Tab. 6, HMDB51


def test_beyond_data_free_reads_tab1_for_known_rows(tmp_path):
    runs = write_runs(tmp_path, evals("dcf_ppma", "finetune", PPMA_FT))
    sbs = beyond_data_free("mini", runs=runs).set_index(["method", "eval"])
    assert sbs.loc[("Data-collection-free PPMA", "FT"), "average_ours"] == pytest.approx(np.mean(list(PPMA_FT.values())))
    assert math.isnan(sbs.loc[("Data-collection-free PPMA", "FT"), "average_paper"])
    assert sbs.loc[("PPMA (ours)", "LP"), "average_paper"] == 47.9
    assert ("Scratch", "LP") not in sbs.index


# ------------------------------------------------------------------ performance appendix
def test_bench_tables_from_each_layout(tmp_path):
    from ppma_lib.report.performance import BENCHES, bench_table, bench_view

    bench = tmp_path / "outputs" / "bench"
    bench.mkdir(parents=True)
    assert bench_table("data", root=tmp_path) is None
    assert "ppma bench data --json" in bench_view("data", root=tmp_path).data
    docs = {  # the layouts the bench modules write (ppma_lib/*/bench.py)
        "data": {"config": {"clips": 8, "frames": 16, "stride": 4, "size": "320x240", "video_frames": 120},
                 "results": [{"storage": "mp4", "backend": "decord", "bytes": 2e6, "clips_per_s": 20.0,
                              "frames_per_s": 320.0, "ms_per_clip": 50.0, "cpu_ms_per_clip": 45.0}]},
        "pmg": {"frames": 16, "size": 112, "transforms": ["zoom", "affine"], "cpu_videos": 8, "cpu_threads": 2,
                "load_average": 3.0, "cpu": {"naive PIL recursion (uint8)": 10.0, "opencv composed": 40.0},
                "grid_sample": {}},
        "train": {"device": "cpu", "torch": "2.x", "rows": [{"task": "mae", "model": "mae_vit_t", "step_ms": 12.0,
                                                            "clips_per_s": 100.0, "mfu": None}]},
        "privacy": {"height": 240, "width": 426, "frames": 32, "preset": "medium", "threads": 1,
                    "scenes": {"static": {"fps": {"mask": 900.0, "inpaint": 9.0}, "fps_end_to_end": 8.0,
                                          "hole_frac": 0.05, "psnr_ours": 30.0, "psnr_telea": 25.0}}},
    }
    for name, doc in docs.items():
        (bench / f"{name}.json").write_text(json.dumps(doc))
        df = bench_table(name, root=tmp_path)
        assert len(df) >= 1 and df.attrs["context"], name
        assert name in BENCHES
    assert bench_table("data", root=tmp_path)["MB"].tolist() == [2.0]
    assert bench_table("pmg", root=tmp_path)["x_naive_cpu"].tolist() == [1.0, 4.0]
    assert bench_table("privacy", root=tmp_path).loc[0, "hole_%"] == pytest.approx(5.0)
    with pytest.raises(KeyError, match="unknown bench"):
        bench_table("gpu", root=tmp_path)


def test_pipeline_timings_shares(tmp_path):
    from ppma_lib.report.figures import pipeline_bars
    from ppma_lib.report.performance import pipeline_timings

    assert pipeline_timings("mini", root=tmp_path).empty
    path = tmp_path / "outputs" / "mini" / "pipeline.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"profile": "mini", "runs": {
        "mae": {"status": "ran", "seconds": 30.0, "notebook": "book/02_mae.ipynb"},
        "align": {"status": "ran", "seconds": 10.0, "notebook": "book/03_align.ipynb"},
        "soup": {"status": "skipped", "seconds": 0.0}}}))
    df = pipeline_timings("mini", root=tmp_path)
    assert df["run"].tolist() == ["mae", "align", "soup"]
    assert df["share"].tolist() == pytest.approx([0.75, 0.25, 0.0])
    assert len(pipeline_bars(df).axes[0].patches) == 3


# ------------------------------------------------------------------ figures
def test_figures_draw_ours_and_the_papers(tmp_path):
    from ppma_lib.report.figures import curve_panels, headline_bars, stage_ablation_bars

    runs = write_runs(tmp_path, {**evals("mae_nohuman", "finetune", PPMA_FT),
                                 "pmg_pass_10k__finetune__hmdb_like": {"task": "finetune", "top1": 30.0}})
    fig = stage_ablation_bars(stage_ablation("FT", "mini", runs=runs))
    axes = fig.axes
    assert len(axes) == 6
    assert len([p for p in axes[1].patches if p.get_height() > 0]) == 7  # NH Kinetics, ours: MAE only, 6 tasks + avg
    assert any(t.get_text() == "no runs yet" for t in axes[0].texts)  # Kinetics, ours: nothing ran
    fig3 = curve_panels(curves("fig3", "mini", runs=runs), {"a": "a", "b": "b", "c": "c"}, log_x=("b",))
    assert fig3.axes[1].get_xscale() == "log" and len(fig3.axes[1].lines) == 3  # PASS ours, PASS/Shaders paper
    assert fig3.axes[0].texts  # panel a: no points
    bars = headline_bars(side_by_side("ppma", "tab2", "mini", runs=runs))
    assert len([p for p in bars.axes[0].patches if p.get_width() > 0]) == 18 + 1  # the paper's 18 + our MAE only


def test_average_of_the_tasks_run_when_a_profile_runs_fewer_than_six(tmp_path):
    two = {"ucf_like": 80.0, "uav_like": 20.0}
    runs = write_runs(tmp_path, {**evals("ppma", "finetune", two),
                                 **evals("mae_synthetic_align_synthetic", "finetune", {"ucf_like": 70.0, "uav_like": 10.0}),
                                 **evals("scratch", "scratch", {"ucf_like": 30.0})})  # ucf only: no average_ran
    sbs = side_by_side("ppma", "tab1", "mini", runs=runs)
    assert sbs.attrs["tasks_ran"] == ["ucf_like"]  # the scratch row has one task: the common subset
    runs = runs[runs["model"] != "scratch"]
    sbs = side_by_side("ppma", "tab1", "mini", runs=runs)
    assert sbs.attrs["tasks_ran"] == ["ucf_like", "uav_like"]
    assert sbs.attrs["values"].index("average_ran") == sbs.attrs["values"].index("average") + 1
    row = sbs.set_index(["method", "eval"]).loc[("PPMA (ours)", "FT")]
    assert row["average_ran_ours"] == 50.0 and math.isnan(row["average_ours"])
    assert row["average_ran_paper"] == pytest.approx((row["ucf_like_paper"] + row["uav_like_paper"]) / 2)
    claim = contrast(sbs, ("average", {"method": "PPMA (ours)", "eval": "FT"}),
                     ("average", {"method": "MAE-Align w/ Synthetic", "eval": "FT"}))
    assert (claim["claim_a_ours"], claim["claim_b_ours"], claim["claim_gap_ours"]) == ("50.0", "40.0", "+10.0")
    assert "UCF101" in claim["claim_basis"] and "mini" in claim["claim_basis"]
    assert findings(sbs)["headline"] == "Avg. of tasks run"
    # all six tasks: the paper's own average, no extra column
    runs = write_runs(tmp_path / "six", evals("ppma", "finetune", PPMA_FT))
    six = side_by_side("ppma", "tab1", "mini", runs=runs)
    assert "average_ran" not in six.attrs["values"] and "tasks_ran" not in six.attrs
    assert contrast(six, ("average", {"method": "PPMA (ours)", "eval": "FT"}),
                    ("average", {"method": "MAE-Align w/ Synthetic", "eval": "FT"}))["claim_basis"] == "the six-task average"


def test_an_average_only_table_averages_the_tasks_run(tmp_path):
    """PPMA Tab. 2 gives six-task averages only: ours averages the tasks run, the paper keeps its six."""
    two = {"mae_nohuman": (60.0, 20.0), "mae_nohuman_align_nohuman": (70.0, 30.0), "align_nohuman": (40.0, 10.0)}
    runs = write_runs(tmp_path, {k: v for m, (a, b) in two.items()
                                 for k, v in evals(m, "finetune", {"ucf_like": a, "uav_like": b}).items()})
    sbs = side_by_side("ppma", "tab2", "mini", runs=runs)
    row = sbs.set_index(["stage1_mae", "stage2_align", "eval"]).loc[("NH Kinetics", "NH Kinetics", "FT")]
    assert row["average_ran_ours"] == 50.0 and math.isnan(row["average_ran_paper"]) and math.isnan(row["average_ours"])
    assert row["delta_ours"] == 50.0 - 25.0  # the gain over alignment only, on the same two tasks
    assert not any(c.startswith("ucf_like") for c in sbs.columns)  # per-task numbers stay out of the table
    claim = contrast(sbs, ("average", {"stage1_mae": "NH Kinetics", "stage2_align": "NH Kinetics", "eval": "FT"}),
                     ("average", {"stage1_mae": "NH Kinetics", "stage2_align": "none", "eval": "FT"}))
    assert (claim["claim_a_ours"], claim["claim_b_ours"], claim["claim_gap_paper"]) == ("50.0", "40.0", "+7.6")
    assert claim["claim_agree"] == "yes" and "six-task average" in claim["claim_basis"]
    f = findings(sbs)
    assert (f["best_paper"], f["best_paper_value"]) == ("Kinetics · Kinetics · FT", "68.1")  # its six-task average
    assert (f["best_ours"], f["best_ours_value"]) == ("NH Kinetics · NH Kinetics · FT", "50.0")
