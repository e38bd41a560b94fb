"""Write the result chapters ``book/results/*.ipynb`` (one per paper table or figure), then run them.

The chapters share one skeleton (title and claim, a ``parameters`` cell, the side-by-side table,
figures, glued findings, the interpretation); this script is the single place their prose lives, so
a change of the skeleton is made once. Usage, from the repository root::

    .venv/bin/python tools/result_chapters.py            # write every chapter
    .venv/bin/python tools/result_chapters.py ppma_tab1  # only these

The notebooks are written without outputs: ``ppma reproduce`` executes them per profile into the staged
book (``_build/src``) and ``pytest --nbval-lax book/`` executes them at ``smoke``.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from string import Template

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from ppma_lib.report import experiments, paper_numbers  # noqa: E402

OUT = ROOT / "book" / "results"
PAPER = {"ppma": "PPMA", "pmg": "PMG"}
KIND = {"tab": "Table", "fig": "Figure"}

# --------------------------------------------------------------------------------------------------
# the chapters: overview (the paper's claim in words, no numbers), and one claim checked by numbers
# --------------------------------------------------------------------------------------------------
PPMA_FT = {"eval": "FT"}
CHAPTERS: dict[str, dict] = {
    "ppma_tab1": dict(
        overview="PPMA (§4.2) pre-trains a ViT-B with MAE on No-Human Kinetics, then aligns it with labels on No-Human "
                 "Kinetics and synthetic humans. Table 1 sets it against the same two-stage recipe on Kinetics with "
                 "real people (not privacy preserving) and on synthetic videos only, against supervised models "
                 "quoted from SynAPT, and against training from scratch, after fine-tuning (FT) and linear probing "
                 "(LP) on six downstream tasks. The paper's claim: PPMA beats every privacy-preserving baseline and "
                 "comes close to the model that saw real people.",
        claim=("PPMA transfers better than MAE-Align trained on synthetic videos alone (average over six tasks, FT).",
               ("average", {"method": "PPMA (ours)", "eval": "FT"}), "PPMA",
               ("average", {"method": "MAE-Align w/ Synthetic", "eval": "FT"}), "MAE-Align w/ Synthetic")),
    "ppma_tab2": dict(
        overview="§4.3 ablates the two stages on each pre-training set (Kinetics, No-Human Kinetics, Synthetic): "
                 "alignment only, MAE only, and MAE followed by alignment, reported as the six-task average and its "
                 "gain over alignment only. The paper's claim: MAE alone transfers better than supervised alignment "
                 "alone, and aligning after MAE improves further, for FT and even more for LP.",
        claim=("On No-Human Kinetics, MAE followed by alignment beats MAE alone (average, FT).",
               ("average", {"stage1_mae": "NH Kinetics", "stage2_align": "NH Kinetics", **PPMA_FT}), "MAE + align",
               ("average", {"stage1_mae": "NH Kinetics", "stage2_align": "none", **PPMA_FT}), "MAE only")),
    "ppma_tab3": dict(
        overview="After MAE on No-Human Kinetics, §4.4 aligns on No-Human Kinetics (context), on Synthetic (motion) "
                 "or on both (PPMA). The paper's claim: aligning on both gives the most transferable features on "
                 "average.",
        claim=("Aligning on both sets (PPMA) beats aligning on Synthetic alone (average, FT).",
               ("average", {"stage2_align": "NH Kinetics + Synthetic", **PPMA_FT}), "both",
               ("average", {"stage2_align": "Synthetic", **PPMA_FT}), "Synthetic only")),
    "ppma_tab4": dict(
        overview="§4.4 averages the weights of the three models of Table 3 (aligned on No-Human Kinetics, on "
                 "Synthetic, on both) in proportions α1, α2, α3. The paper's claim: the two-model soup lags PPMA, "
                 "and adding PPMA to the soup helps, most with α3 = 0.5.",
        claim=("Adding PPMA to the soup (0.25 / 0.25 / 0.5) beats the two-model soup (0.5 / 0.5 / 0), average FT.",
               ("average", {"alpha1": 0.25, "alpha2": 0.25, "alpha3": 0.5, **PPMA_FT}), "the three-model soup",
               ("average", {"alpha1": 0.5, "alpha2": 0.5, "alpha3": 0.0, **PPMA_FT}), "the two-model soup")),
    "ppma_tab5": dict(
        overview="§4.5 varies the proportions of the two single-set models (α1 No-Human Kinetics, α2 Synthetic) and "
                 "learns the proportion β per task during linear probing (the trunks frozen, β through a softmax). "
                 "The paper's claim: the learned β matches or beats fixed proportions on IkeaFA and UAV-Human, and "
                 "is on par with PPMA on average.",
        claim=("The learned β beats the equal-weight soup on UAV-Human (LP).",
               ("uav_like", {"model": "learned beta", "eval": "LP"}), "learned β",
               ("uav_like", {"model": "average 0.50/0.50", "eval": "LP"}), "0.5 / 0.5")),
    "ppma_tab6": dict(
        overview="Table 6 reads the β learned in Table 5's last row: the share of the Synthetic-aligned model per "
                 "downstream task. The paper's claim: tasks with little scene-object bias (Mini-SSV2, Diving48, "
                 "IkeaFA, UAV-Human) prefer the synthetic model, the scene-biased UCF101 and HMDB51 the real one.",
        claim=("The synthetic share β is larger on UAV-Human (little scene bias) than on UCF101 (much).",
               ("uav_like", {"quantity": "synthetic: beta"}), "β on UAV-Human",
               ("ucf_like", {"quantity": "synthetic: beta"}), "β on UCF101"),
        table_md="**The table.** $coverage Across the six tasks and both rows, our shares correlate with the paper's "
                 "with Spearman $cell_corr ('—' until we have three cells)."),
    "ppma_fig4": dict(
        overview="Figure 4 (§4.3) shows Table 2's ablation per task after fine-tuning: for each pre-training set, "
                 "alignment only, MAE only and MAE followed by alignment. The paper's claim: both stages matter on "
                 "every set. The paper gives per-task values only for MAE+Align (they are Table 1/3 rows) and every "
                 "strategy's average (Table 2).",
        claim=("On Synthetic, MAE followed by alignment beats alignment alone (average, FT).",
               ("average", {"pretrain": "Synthetic", "strategy": "MAE+Align"}), "MAE+Align",
               ("average", {"pretrain": "Synthetic", "strategy": "Align"}), "Align only"),
        figure=("ppma-fig4-bars", 'stage_ablation_bars(stage_ablation("FT", profile))',
                "PPMA Fig. 4 redrawn: fine-tuning accuracy per task; top row ours, bottom row the paper's.")),
    "ppma_fig7": dict(
        overview="Figure 7 (App. C) is Figure 4 with linear probing. The paper's claim: with frozen features MAE "
                 "alone helps little over alignment alone, and alignment after MAE helps a lot.",
        claim=("On No-Human Kinetics, MAE followed by alignment beats MAE alone (average, LP).",
               ("average", {"pretrain": "NH Kinetics", "strategy": "MAE+Align"}), "MAE+Align",
               ("average", {"pretrain": "NH Kinetics", "strategy": "MAE"}), "MAE only"),
        figure=("ppma-fig7-bars", 'stage_ablation_bars(stage_ablation("LP", profile))',
                "PPMA Fig. 7 redrawn: linear-probe accuracy per task; top row ours, bottom row the paper's.")),
    "pmg_tab01": dict(
        overview="PMG's overview table (§1) puts the best UCF101 accuracy of each kind of pre-training data next to "
                 "the issues it resolves (collection cost, privacy and licences, training a ViT). The paper's claim: "
                 "pseudo-motion from synthetic images resolves all three while staying close to real video.",
        claim=("VideoMAE on real video stays ahead of PMG on synthetic images (UCF101), by a margin the paper calls "
               "acceptable.",
               ("ucf_like", {"data_source": "Real Video [56]"}), "real video",
               ("ucf_like", {"data_source": "Ours"}), "PMG on Shaders1k")),
    "pmg_tab02": dict(
        overview="§4.1 pre-trains VideoMAE on pseudo-motion videos made with a single transformation from frames of "
                 "the fine-tuning set. The paper's claim: transformations whose patches stay trackable between "
                 "frames (zoom, affine, perspective, CutMix) help; fades and colour jitter do not help on the "
                 "motion-sensitive HMDB51.",
        claim=("Perspective warps beat the motionless identity baseline (HMDB51).",
               ("hmdb_like", {"transform": "perspective"}), "perspective",
               ("hmdb_like", {"transform": "identity"}), "identity")),
    "pmg_tab03": dict(
        overview="§4.1 then samples the transformation from sets of two to four. The paper's claim: combining helps, "
                 "more is not better (CutMix mostly hurts), and zoom + affine is best; it becomes PMG's default set.",
        claim=("Zoom + affine beats the set of all four transformations (HMDB51).",
               ("hmdb_like", {"transforms": "zoom+affine"}), "zoom + affine",
               ("hmdb_like", {"transforms": "zoom+affine+perspective+cutmix"}), "all four")),
    "pmg_tab04": dict(
        overview="§4.1 adds a video-level augmentation to the zoom + affine videos: Mixup or VideoMix. The paper's "
                 "claim: both diversify the videos, Mixup most; VideoMix's cut regions behave like CutMix.",
        claim=("Mixup beats no video-level augmentation (HMDB51).",
               ("hmdb_like", {"video_aug": "mixup"}), "Mixup", ("hmdb_like", {"video_aug": "none"}), "none")),
    "pmg_tab05": dict(
        overview="§4.2 pre-trains on frames of HMDB51 and fine-tunes on UCF101, and the reverse. The paper's claim: "
                 "the source of the frames matters little, so the features are not domain specific.",
        claim=("Frames of UCF101 itself beat frames of HMDB51 for UCF101, by a small margin.",
               ("ucf_like", {"pretrain": "ucf_like frames"}), "own frames",
               ("ucf_like", {"pretrain": "hmdb_like frames"}), "HMDB51 frames")),
    "pmg_tab06": dict(
        overview="§4.2 makes the pseudo-motion from 10k or 100k images of ImageNet or of PASS (no people) instead of "
                 "frames of the fine-tuning set. The paper's claim: unrelated images work as well or better, more "
                 "images help, and people in the images are not needed.",
        claim=("100k PASS images (no people) beat frames of the fine-tuning set (HMDB51).",
               ("hmdb_like", {"pretrain": "PASS", "n_images": 100000.0}), "PASS 100k",
               ("hmdb_like", {"pretrain": "FT data", "n_images": None}), "FT frames")),
    "pmg_tab07": dict(
        overview="§4.2 makes the pseudo-motion from synthetic images: FractalDB, Shaders1k and VisualAtom. The "
                 "paper's claim: Shaders1k, whose images have distinctive trackable patches, matches real images; "
                 "FractalDB and VisualAtom fall behind.",
        claim=("Shaders1k beats FractalDB at 100k images (HMDB51).",
               ("hmdb_like", {"pretrain": "Shaders1k", "n_images": 100000.0}), "Shaders1k",
               ("hmdb_like", {"pretrain": "FractalDB", "n_images": 100000.0}), "FractalDB")),
    "pmg_tab08": dict(
        overview="§4.4 uses PMG as an augmentation of real-video pre-training (PMG-Aug): VideoMAE on real videos, on "
                 "pseudo-motion videos, or on both. The paper's claim: adding pseudo-motion to real videos helps.",
        claim=("Real videos plus pseudo-motion beat real videos alone (HMDB51).",
               ("hmdb_like", {"real_video": True, "pseudo_motion": True}), "both",
               ("hmdb_like", {"real_video": True, "pseudo_motion": False}), "real only")),
    "pmg_tab09": dict(
        overview="§4.4 adds image sets to PMG-Aug on HMDB51: the frames, 10k PASS images, 10k Shaders1k images. The "
                 "paper's claim: extra images help, PASS most, because VideoMAE lacks data on a small video set.",
        claim=("Adding PASS images beats adding the frames only (HMDB51).",
               ("hmdb_like", {"frames": True, "pass_images": True, "shaders1k_images": False}), "+ PASS",
               ("hmdb_like", {"frames": True, "pass_images": False, "shaders1k_images": False}), "+ frames")),
    "pmg_tab10": dict(
        overview="§4.5 compares with pre-training on real and synthetic videos (top) and on static images (bottom) "
                 "on UCF101, HMDB51 and Diving48. The paper's claim: PMG on synthetic images is comparable on "
                 "UCF101 and better on Diving48 than methods that need real data, and far ahead of other "
                 "image-only methods.",
        claim=("PMG on Shaders1k beats PPMA on Diving48, a task with little scene bias.",
               ("diving_like", {"method": "Ours (ViT-B)", "dataset": "Shaders1k"}), "PMG (Shaders1k)",
               ("diving_like", {"method": "PPMA"}), "PPMA")),
    "pmg_tab11": dict(
        overview="§4.5 evaluates on all six SynAPT tasks. The paper's claim: PMG, without labels or videos, trails "
                 "PPMA on the small, scene-biased sets but beats it on the less biased Mini-SSV2, Diving48 and "
                 "UAV-Human.",
        claim=("PMG on Shaders1k beats PPMA on UAV-Human.",
               ("uav_like", {"method": "Ours", "dataset": "Shaders1k"}), "PMG (Shaders1k)",
               ("uav_like", {"method": "PPMA"}), "PPMA")),
    "pmg_tab12": dict(
        overview="§4.5 fine-tunes on Kinetics-400. The paper's claim: PMG beats training from scratch but stays "
                 "behind VideoMAE on K400 itself, for lack of diversity in pseudo-motion. Our stand-in for K400 is "
                 "MiniSynAPT's real set with its own labels.",
        claim=("PMG on Shaders1k beats training from scratch (K400 top-1).",
               ("k400_top1", {"method": "Ours", "pretrain": "Shaders1k"}), "PMG (Shaders1k)",
               ("k400_top1", {"method": "from scratch"}), "scratch")),
    "pmg_tab13": dict(
        overview="§4.7 pre-trains VideoMAE on halves of the fine-tuning videos grouped by mean frame difference (top 50 %, 25th-75th percentile, bottom 50 %). "
                 "The paper's claim: a medium amount of change is best, supporting the view that VideoMAE learns "
                 "to track patches between frames.",
        claim=("The medium frame-difference subset beats the large one (HMDB51).",
               ("hmdb_like", {"subset": "medium"}), "medium", ("hmdb_like", {"subset": "large"}), "large")),
    "pmg_fig3": dict(
        overview="§4.3 scales PMG pre-training: (a) epochs, for 10k Shaders1k images and for HMDB51 frames; (b) the "
                 "number of PASS and Shaders1k images, 1k to 100k; (c) the number of categories the 10k images "
                 "come from. The paper's claims: both sources improve with epochs and their gap closes; more images "
                 "help; ImageNet saturates beyond about 50 categories and Shaders1k does not care. The figure's "
                 "values are not in the text: paper points below come from Tables 6 and 7.",
        curves=("fig3", {"a": "(a) pre-training epochs", "b": "(b) number of images", "c": "(c) number of categories"},
                ("b",), None),
        figure=("pmg-fig3-curves", None, "PMG Fig. 3 redrawn with our points: HMDB51 accuracy against epochs, "
                "images and categories; dashed open markers are the paper's points from its tables.")),
    "pmg_fig4": dict(
        overview="§4.6 fine-tunes with 1 to 50 videos per class. The paper's claim: PMG pre-training beats VideoMAE "
                 "pre-trained on the real videos when labelled videos are few. Values are not in the text.",
        curves=("fig4", {"hmdb_like": "HMDB51", "ucf_like": "UCF101"}, ("hmdb_like", "ucf_like"), ("PMG", "VideoMAE")),
        figure=("pmg-fig4-curves", None, "PMG Fig. 4 redrawn with our points: accuracy against fine-tuning videos "
                "per class.")),
}

# --------------------------------------------------------------------------------------------------
# cell texts
# --------------------------------------------------------------------------------------------------
PARAMS = 'profile = "smoke"  # whose runs to read: outputs/<profile>/ (smoke | mini | paper)'
CLAIM_MD = ("**The claim.** $claim The paper: $a_desc {glue:text}`claim_a_paper` against $b_desc "
            "{glue:text}`claim_b_paper` ({glue:text}`claim_gap_paper` points). Ours: {glue:text}`claim_a_ours` "
            "against {glue:text}`claim_b_ours` ({glue:text}`claim_gap_ours`). Same direction as the paper: "
            "{glue:text}`claim_agree`. Compared on {glue:text}`claim_basis`.")
TABLE_MD = ("**The table.** $coverage Judged by {glue:text}`headline`, the paper's best row among those we re-run "
            "is {glue:text}`best_paper` ({glue:text}`best_paper_value`) and ours is {glue:text}`best_ours` "
            "({glue:text}`best_ours_value`). Over the rows both have, the rank correlation of that column is "
            "{glue:text}`rank_corr` (Spearman; '—' below three rows), and ours sit {glue:text}`mean_diff` points "
            "from the paper's on average. MiniSynAPT's small models and clips do not reach the papers' absolute "
            "accuracies; the orderings and the signs of the gaps are what this page can confirm or refute.")
GLUED = {"coverage": "{glue:md}`coverage`", "cell_corr": "{glue:text}`cell_corr`"}
CURVES_MD = ("**Our curves.** {glue:md}`curves` The paper's claim is about the shape of each curve; MiniSynAPT's "
             "absolute accuracies are not comparable to the paper's.")
WINS_MD = " Our PMG model is above VideoMAE at {glue:text}`wins` of the points both have."
MISSING_MD = "**Not reproduced.** {glue:md}`not_reproduced`"


def md(text: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_markdown_cell(text)


def code(text: str, tags: tuple[str, ...] = (), **meta) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(text)
    cell.metadata.update(meta)
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def _literal(value: dict | tuple) -> str:
    """Python source of a small dict or tuple of literals, with double quotes."""
    return repr(value).replace("'", '"')


def chapter(name: str, spec: dict) -> nbformat.NotebookNode:
    paper, table = name.split("_")
    key = table.replace("tab0", "tab")
    info, exp = paper_numbers()[paper][key], experiments()[paper][key]
    number = int("".join(c for c in key if c.isdigit()))
    title = f"{PAPER[paper]} {KIND[key[:3]]} {number}: {info['title']}"
    n_runs = len(exp.get("runs", []))
    article = "an" if exp["mini"][0] in "aeiou" else "a"
    header = (f"({paper}-{key})=\n# {title}\n\n{spec['overview']}\n\n*Source:* {PAPER[paper]} {info['source']}. "
              f"*In this book:* {exp['experiment'].rstrip('.')}; {n_runs} runs, {article} `{exp['mini']}` table of "
              "`experiments.yaml`. MiniSynAPT stands in for the papers' datasets (see {doc}`../appendix/fidelity`).")
    cells = [md(header), code(PARAMS, ("parameters",))]
    if "curves" in spec:
        fig_key, panels, log_x, above = spec["curves"]
        cells += [
            code("%matplotlib inline\nfrom ppma_lib.report.figures import curve_panels\n"
                 "from ppma_lib.report.findings import curve_facts, findings, glue_all\n"
                 "from ppma_lib.report.results import curves, side_by_side, styled", ("hide-input",)),
            code(f'points = curves("{fig_key}", profile)\ncurve_panels(\n    points, {_literal(panels)},\n'
                 f'    log_x={_literal(log_x)})',
                 mystnb={"figure": {"caption": spec["figure"][2], "name": spec["figure"][0]}}),
            code(f'sbs = side_by_side("pmg", "{key}", profile)\nstyled(sbs)'),
            code(f"glue_all(findings(sbs) | curve_facts(points{', above=' + _literal(above) if above else ''}))",
                 ("remove-input",)),
            md("## What the numbers say\n\n" + CURVES_MD + (WINS_MD if above else "") + "\n\n" + MISSING_MD),
        ]
        return notebook(cells)
    claim, (col_a, match_a), a_desc, (col_b, match_b), b_desc = spec["claim"]
    imports = ["from ppma_lib.report.findings import contrast, findings, glue_all",
               "from ppma_lib.report.results import side_by_side, styled"]
    if "figure" in spec:
        imports = ["%matplotlib inline", "from ppma_lib.report.figures import stage_ablation_bars"] + imports
        imports[-1] = "from ppma_lib.report.results import side_by_side, stage_ablation, styled"
    cells += [code("\n".join(imports), ("hide-input",)),
              code(f'sbs = side_by_side("{paper}", "{key}", profile)\nstyled(sbs)')]
    if "figure" in spec:
        fig_name, call, caption = spec["figure"]
        cells.append(code(call, mystnb={"figure": {"caption": caption, "name": fig_name}}))
    cells.append(code(f'glue_all(findings(sbs) | contrast(\n    sbs, ("{col_a}", {_literal(match_a)}),\n'
                      f'    ("{col_b}", {_literal(match_b)})))', ("remove-input",)))
    claim_md = Template(CLAIM_MD).substitute(claim=claim, a_desc=a_desc, b_desc=b_desc)
    table_md = Template(spec.get("table_md", TABLE_MD)).substitute(**GLUED)
    cells.append(md("## What the numbers say\n\n" + claim_md + "\n\n" + table_md + "\n\n" + MISSING_MD))
    return notebook(cells)


def beyond() -> nbformat.NotebookNode:
    header = (
        "(beyond-data-free)=\n# Beyond the papers: fully data-collection-free PPMA\n\n"
        "PPMA removes people from real videos but still needs those videos; PMG needs no videos at all but no "
        "labels either. We combine the two: stage 1 is MAE on pseudo-motion videos that PMG makes from procedural "
        "shader images (`dcf_mae_shaders`: no camera, no person), stage 2 aligns it with labels on the synthetic-"
        "human videos only (`dcf_ppma`). Nothing in its training data was ever filmed. We compare it with PPMA "
        "(No-Human real videos in both stages), with MAE-Align w/ Synthetic (synthetic-human videos in both "
        "stages: the same stage 2, a different stage 1) and with training from scratch, after fine-tuning (FT) "
        "and linear probing (LP) on the six tasks. Paper columns hold PPMA Table 1 where it has the row.")
    glue = ('glue_all(findings(sbs)\n'
            '         | contrast(sbs, ("average", {"method": "Data-collection-free PPMA", "eval": "FT"}),\n'
            '                    ("average", {"method": "MAE-Align w/ Synthetic", "eval": "FT"}), prefix="syn_")\n'
            '         | contrast(sbs, ("average", {"method": "Data-collection-free PPMA", "eval": "FT"}),\n'
            '                    ("average", {"method": "PPMA (ours)", "eval": "FT"}), prefix="ppma_")\n'
            '         | contrast(sbs, ("average", {"method": "Data-collection-free PPMA", "eval": "LP"}),\n'
            '                    ("average", {"method": "MAE-Align w/ Synthetic", "eval": "LP"}), prefix="lp_"))')
    text = (
        "## What the numbers say\n\n"
        "**Stage 1 on shaders instead of synthetic humans.** With the same stage 2, the data-collection-free model "
        "averages {glue:text}`syn_a_ours` after FT against {glue:text}`syn_b_ours` for MAE-Align w/ Synthetic "
        "({glue:text}`syn_gap_ours` points), and {glue:text}`lp_a_ours` against {glue:text}`lp_b_ours` after LP "
        "({glue:text}`lp_gap_ours`); compared on {glue:text}`syn_basis`.\n\n"
        "**The price of never filming.** Against PPMA, which sees No-Human real videos, the gap after FT is "
        "{glue:text}`ppma_gap_ours` points ({glue:text}`ppma_a_ours` against {glue:text}`ppma_b_ours`). "
        "{glue:md}`coverage`\n\n" + MISSING_MD)
    cells = [md(header), code(PARAMS, ("parameters",)),
             code("%matplotlib inline\nfrom ppma_lib.report.figures import headline_bars\n"
                  "from ppma_lib.report.findings import contrast, findings, glue_all\n"
                  "from ppma_lib.report.results import beyond_data_free, styled", ("hide-input",)),
             code("sbs = beyond_data_free(profile)\nstyled(sbs)"),
             code("headline_bars(sbs)", mystnb={"figure": {
                 "caption": "Average top-1 after FT and LP (the six tasks, or the tasks run at this profile): ours, "
                            "and PPMA Table 1 where it has the row.",
                 "name": "beyond-data-free-bars"}}),
             code(glue, ("remove-input",)), md(text)]
    return notebook(cells)


def notebook(cells: list) -> nbformat.NotebookNode:
    for i, cell in enumerate(cells):
        cell.id = f"cell-{i}"  # stable ids: re-writing an unchanged chapter changes nothing in git
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                   "language_info": {"name": "python", "pygments_lexer": "ipython3"}}
    return nb


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("names", nargs="*", help="chapters to write (default: all), e.g. ppma_tab1 beyond_data_free")
    args = p.parse_args()
    books = {name: (lambda n=name: chapter(n, CHAPTERS[n])) for name in CHAPTERS} | {"beyond_data_free": beyond}
    for name in args.names or list(books):
        path = OUT / f"{name}.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(books[name](), path)
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
