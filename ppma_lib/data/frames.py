"""Still frames of the videos of a list: the images PMG makes pseudo-motion from when it uses the
fine-tuning data itself (PMG §4.1: "we randomly sample one frame of a video and use it as an input image";
Tab. 2-5, 8, 10, 11), and the MiniSynAPT stand-ins for ImageNet / PASS (frames of ``real`` / ``nohuman``).

    ppma make-data frames data/mini/hmdb/train.csv --out data/mini/frames/hmdb_like

writes ``OUT/<label:04d>/<index:06d>.png`` and ``OUT/list.txt`` (``path label`` per line, paths relative
to OUT): the layout of ``ppma make-data images``, read by ``pmg.image_source: folder:OUT/list.txt``.
Which frame of video ``i`` is kept comes from a generator seeded with ``(seed, i)``: the same seed gives
the same frames whatever the number of workers. Unreadable videos are skipped and counted.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from ppma_lib.atomic import atomic_path, write_text_atomic

LIST_NAME = "list.txt"


def frame_index(num_frames: int, seed: int, index: int, per_video: int = 1) -> list[int]:
    """``per_video`` distinct frame indices of video ``index`` (fewer if it is shorter), sorted."""
    rng = np.random.default_rng([seed, index])
    return sorted(rng.choice(num_frames, size=min(per_video, num_frames), replace=False).tolist())


def _write_one(args: tuple[int, str, int, Path, int, int]) -> tuple[int, list[str], str]:
    """Frames of one video -> (index, ["rel label", ...], error or "")."""
    import cv2

    from ppma_lib.data.video import VideoReadError, open_video

    index, path, label, out, seed, per_video = args
    try:
        with open_video(path) as reader:
            picks = frame_index(len(reader), seed, index, per_video)
            frames = reader.get(picks).numpy()  # (K, H, W, C) uint8 RGB
    except VideoReadError as e:
        return index, [], str(e)
    lines = []
    for k, frame in enumerate(frames):
        rel = f"{label:04d}/{index:06d}" + (f"_{k}" if per_video > 1 else "") + ".png"
        with atomic_path(out / rel) as tmp:
            if not cv2.imwrite(str(tmp), np.ascontiguousarray(frame[..., ::-1])):  # OpenCV writes BGR
                raise OSError(f"could not write {out / rel}")
        lines.append(f"{rel} {label}")
    return index, lines, ""


def extract_frames(list_path: str | Path, out: str | Path, root: str | Path | None = None, seed: int = 0,
                   per_video: int = 1, workers: int = 1, progress: bool = True) -> Path:
    """Write ``per_video`` random frames of every video of ``list_path`` under ``out`` -> ``out/list.txt``.

    Args:
        root: the folder the list's paths are relative to (default: the list's own folder).
    Reuses a complete earlier extraction with the same list, seed and ``per_video`` (``out/frames.json``).
    """
    from concurrent.futures import ThreadPoolExecutor

    from tqdm.auto import tqdm

    from ppma_lib.data.lists import list_sha256, read_list

    if per_video < 1:
        raise ValueError(f"per_video must be >= 1, got {per_video}")
    list_path, out = Path(list_path), Path(out)
    root = Path(root) if root is not None else list_path.parent
    stamp = {"list": str(list_path), "root": str(root), "seed": seed, "per_video": per_video,
             "list_sha": list_sha256(list_path)}
    done = out / "frames.json"
    if done.is_file() and (out / LIST_NAME).is_file() and {k: v for k, v in json.loads(done.read_text()).items()
                                                             if k in stamp} == stamp:
        return out / LIST_NAME
    items = read_list(list_path)
    jobs = [(i, str(root / rel), label, out, seed, per_video) for i, (rel, label) in enumerate(items)]
    with ThreadPoolExecutor(max(1, workers)) as pool:  # decoders and PNG encoders release the GIL
        results = list(tqdm(pool.map(_write_one, jobs), total=len(jobs), desc=f"frames of {list_path.name}",
                            unit="video", disable=not progress))
    lines = [line for _, ls, _ in sorted(results) for line in ls]
    errors = {items[i][0]: err for i, _, err in results if err}
    if not lines:
        raise ValueError(f"no readable video in {list_path} (under {root}); first error: {next(iter(errors.values()))}")
    write_text_atomic(out / LIST_NAME, "".join(f"{line}\n" for line in lines))
    write_text_atomic(done, json.dumps(stamp | {"images": len(lines), "skipped": errors}, indent=1) + "\n")
    return out / LIST_NAME


# --------------------------------------------------------------------------------------------------
# ppma make-data frames
# --------------------------------------------------------------------------------------------------
def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("list", type=Path, help="list file of videos (`path label` or `path;label`)")
    p.add_argument("--out", type=Path, required=True, help="output folder")
    p.add_argument("--root", type=Path, default=None, help="folder the list's paths are relative to (default: its own)")
    p.add_argument("--per-video", type=int, default=1, help="frames kept per video (default 1, as PMG)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--workers", type=int, default=4, help="videos decoded in parallel (threads)")


def run(args: argparse.Namespace) -> int:
    path = extract_frames(args.list, args.out, args.root, args.seed, args.per_video, args.workers)
    info = json.loads((path.parent / "frames.json").read_text())
    print(f"{info['images']} frames -> {path} ({len(info['skipped'])} unreadable videos skipped)")
    for rel, err in list(info["skipped"].items())[:10]:
        print(f"  skipped {rel}: {err}")
    return 0
