"""Video I/O: frame-exact readers (decord, PyAV, frame folders) and atomic writers.

Every reader answers the same three questions — how many frames (``len``), at what rate
(``fps``), and which pixels (``get(indices)`` -> uint8 ``(T, H, W, C)`` RGB) — so clip sampling
(:mod:`ppma_lib.data.clips`) is independent of how a video is stored. A file that cannot be
decoded raises :class:`VideoReadError` naming the path and the cause; nothing returns a silent
black clip.

Backends:
- ``decord`` (default; VideoMAE's decoder), one thread per reader since DataLoader workers already
  run in parallel;
- ``pyav`` (PPMA's decoder), frame-exact by presentation timestamps collected once by demuxing
  (no decoding) at open, then seek-to-keyframe + decode forward;
- frame folders (``00001.jpg``, ``img_00001.jpg``, ``000001.png``...; PPMA / HAT layouts) read with
  OpenCV, at an assumed 25 fps as PPMA's ``EncodedFrames``.
``auto`` tries decord and falls back to PyAV when decord cannot open or decode the file.
"""
from __future__ import annotations

import os
import re
import shutil
import tempfile
from fractions import Fraction
from pathlib import Path
from typing import Literal, Sequence

import cv2
import numpy as np
import torch

from ppma_lib.atomic import atomic_path

Backend = Literal["auto", "decord", "pyav"]
VIDEO_EXTENSIONS = (".mp4", ".avi", ".webm", ".mkv", ".mov", ".m4v", ".mpg", ".mpeg", ".flv")
IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".webp")
FRAME_FOLDER_FPS = 25.0  # PPMA's EncodedFrames assumes 25 fps for frame folders


class VideoReadError(RuntimeError):
    """A video that is missing, empty, truncated or undecodable; the message names path and cause."""

    def __init__(self, path: str | os.PathLike, cause: str | BaseException) -> None:
        self.path = str(path)
        self.cause = cause if isinstance(cause, str) else f"{type(cause).__name__}: {cause}"
        super().__init__(f"cannot read video {self.path}: {self.cause}")


class VideoReader:
    """Random access to the frames of one video. Use as a context manager or call :meth:`close`."""

    path: Path
    fps: float

    def __len__(self) -> int:
        raise NotImplementedError

    def get(self, indices: Sequence[int]) -> torch.Tensor:
        """Frames at ``indices`` (any order, repeats allowed) -> uint8 ``(T, H, W, C)`` RGB."""
        idx = np.asarray(indices, dtype=np.int64).reshape(-1)
        if idx.size == 0:
            raise ValueError("get() needs at least one frame index")
        n = len(self)
        if idx.min() < 0 or idx.max() >= n:
            raise IndexError(f"{self.path}: frame indices must lie in [0, {n}), got {idx.min()}..{idx.max()}")
        try:
            frames = self._get(idx)
        except VideoReadError:
            raise
        except Exception as e:  # decoder errors come in many types; all mean "unreadable"
            raise VideoReadError(self.path, e) from e
        if frames.shape[0] != idx.size:
            raise VideoReadError(self.path, f"decoded {frames.shape[0]} of {idx.size} requested frames")
        return torch.from_numpy(np.ascontiguousarray(frames))

    def _get(self, idx: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def close(self) -> None:
        pass

    def __enter__(self) -> "VideoReader":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self.path)!r}, frames={len(self)}, fps={self.fps:g})"


# --------------------------------------------------------------------------------------------------
# decord
# --------------------------------------------------------------------------------------------------
class DecordReader(VideoReader):
    def __init__(self, path: str | os.PathLike, num_threads: int = 1) -> None:
        self.path = Path(path)
        try:
            import decord
        except ImportError as e:  # decord has no wheels for aarch64 / macOS arm
            raise VideoReadError(path, f"decord is not installed ({e}); use backend='pyav'") from e
        try:
            self._vr = decord.VideoReader(str(path), ctx=decord.cpu(0), num_threads=num_threads)
            self._len = len(self._vr)
            self.fps = float(self._vr.get_avg_fps()) or FRAME_FOLDER_FPS
        except Exception as e:
            raise VideoReadError(path, e) from e
        if self._len == 0:
            raise VideoReadError(path, "no video frames")

    def __len__(self) -> int:
        return self._len

    def _get(self, idx: np.ndarray) -> np.ndarray:
        return self._vr.get_batch(idx.tolist()).asnumpy()

    def close(self) -> None:
        self._vr = None


# --------------------------------------------------------------------------------------------------
# PyAV
# --------------------------------------------------------------------------------------------------
class PyAVReader(VideoReader):
    def __init__(self, path: str | os.PathLike, num_threads: int = 1) -> None:
        import av

        self.path = Path(path)
        try:
            self._container = av.open(str(path))
        except Exception as e:
            raise VideoReadError(path, e) from e
        try:
            if not self._container.streams.video:
                raise VideoReadError(path, "no video stream")
            self._stream = self._container.streams.video[0]
            self._stream.thread_count = num_threads
            # demux once, decode nothing: the presentation timestamp of every frame, in display order
            pts, key = [], []
            for packet in self._container.demux(self._stream):
                t = packet.pts if packet.pts is not None else packet.dts
                if t is None or packet.size == 0:  # flush packets
                    continue
                pts.append(t)
                key.append(packet.is_keyframe)
            order = np.argsort(pts, kind="stable")
            self._pts = np.asarray(pts, dtype=np.int64)[order]
            self._key_pts = self._pts[np.asarray(key, dtype=bool)[order]]
            rate = self._stream.average_rate or self._stream.guessed_rate
            self.fps = float(rate) if rate else FRAME_FOLDER_FPS
        except VideoReadError:
            self.close()
            raise
        except Exception as e:
            self.close()
            raise VideoReadError(path, e) from e
        if len(self._pts) == 0:
            self.close()
            raise VideoReadError(path, "no video frames")
        if len(self._key_pts) == 0:  # containers that do not flag keyframes: seek to the start
            self._key_pts = self._pts[:1]

    def __len__(self) -> int:
        return len(self._pts)

    def _get(self, idx: np.ndarray) -> np.ndarray:
        wanted = np.unique(idx)
        found: dict[int, np.ndarray] = {}
        pos = 0  # next position in `wanted`
        while pos < len(wanted):
            # seek to the last keyframe at or before the next wanted frame, then decode forward
            target = self._pts[wanted[pos]]
            key = self._key_pts[np.searchsorted(self._key_pts, target, side="right") - 1]
            self._container.seek(int(key), stream=self._stream, backward=True, any_frame=False)
            pos = self._decode_run(wanted, pos, found)
        return np.stack([found[i] for i in idx.tolist()])

    def _decode_run(self, wanted: np.ndarray, pos: int, found: dict[int, np.ndarray]) -> int:
        """Decode forward from the current seek point; stop where a later keyframe would be faster."""
        for frame in self._container.decode(self._stream):
            target = self._pts[wanted[pos]]
            if frame.pts is None or frame.pts > target:  # the wanted frame was skipped: corrupt data
                break
            if frame.pts < target:
                continue
            found[int(wanted[pos])] = frame.to_ndarray(format="rgb24")
            pos += 1
            if pos == len(wanted):
                return pos
            # a keyframe after this frame and at or before the next target: seeking there is cheaper
            nxt = self._pts[wanted[pos]]
            if self._key_pts[np.searchsorted(self._key_pts, nxt, side="right") - 1] > frame.pts:
                return pos
        raise VideoReadError(self.path, f"frame {int(wanted[pos])} could not be decoded (truncated file?)")

    def close(self) -> None:
        container = getattr(self, "_container", None)
        if container is not None:
            container.close()
            self._container = None


# --------------------------------------------------------------------------------------------------
# frame folders
# --------------------------------------------------------------------------------------------------
_LAST_INT = re.compile(r"(\d+)(?!.*\d)")


def list_frames(directory: str | os.PathLike) -> list[Path]:
    """Image files of a frame folder in frame order (by the last number in the name: ``img_00012.jpg``)."""
    files = [p for p in Path(directory).iterdir() if p.suffix.lower() in IMAGE_EXTENSIONS and p.is_file()]

    def key(p: Path) -> tuple[int, str]:
        m = _LAST_INT.search(p.stem)
        return (int(m.group(1)) if m else -1, p.name)

    return sorted(files, key=key)


class FrameFolderReader(VideoReader):
    def __init__(self, path: str | os.PathLike, fps: float = FRAME_FOLDER_FPS) -> None:
        self.path = Path(path)
        self.fps = float(fps)
        try:
            self._files = list_frames(path)
        except OSError as e:
            raise VideoReadError(path, e) from e
        if not self._files:
            raise VideoReadError(path, f"frame folder holds no images ({', '.join(IMAGE_EXTENSIONS)})")

    def __len__(self) -> int:
        return len(self._files)

    def _get(self, idx: np.ndarray) -> np.ndarray:
        unique, inverse = np.unique(idx, return_inverse=True)
        frames = []
        for i in unique.tolist():  # one file per frame: the read itself is the unit of work
            bgr = cv2.imread(str(self._files[i]), cv2.IMREAD_COLOR)
            if bgr is None:
                raise VideoReadError(self._files[i], "not a decodable image")
            frames.append(bgr)
        if len({f.shape for f in frames}) > 1:
            raise VideoReadError(self.path, f"frames differ in size: {sorted({f.shape for f in frames})}")
        rgb = np.stack(frames)[..., ::-1]  # OpenCV decodes to BGR
        return rgb[inverse.reshape(-1)]


# --------------------------------------------------------------------------------------------------
# opening
# --------------------------------------------------------------------------------------------------
class _FallbackReader(VideoReader):
    """decord first; PyAV when decord fails to decode (``auto``)."""

    def __init__(self, primary: VideoReader, num_threads: int) -> None:
        self._primary, self._num_threads = primary, num_threads
        self.path, self.fps = primary.path, primary.fps
        self._fallback: VideoReader | None = None

    def __len__(self) -> int:
        return len(self._primary)

    def _get(self, idx: np.ndarray) -> np.ndarray:
        try:
            return self._primary._get(idx)
        except Exception as first:
            try:
                if self._fallback is None:
                    self._fallback = PyAVReader(self.path, self._num_threads)
                return self._fallback.get(idx).numpy()
            except Exception as second:
                raise VideoReadError(self.path, f"decord: {first}; pyav: {second}") from second

    def close(self) -> None:
        self._primary.close()
        if self._fallback is not None:
            self._fallback.close()


def find_video(path: str | os.PathLike) -> Path:
    """``path`` if it exists, else the same entry stored the other way: ``path`` + a video extension,
    or ``path`` minus its video extension (a frame folder).

    PPMA's lists name UCF101/HMDB51 frame folders without extension and Diving48/IKEA/UAV videos
    with one, while PPMA itself read pre-extracted frames of all five; this lets one list serve both
    storages. Returns ``path`` unchanged when nothing matches.
    """
    p = Path(path)
    if p.exists():
        return p
    if p.suffix.lower() in VIDEO_EXTENSIONS and p.with_suffix("").is_dir():
        return p.with_suffix("")
    for ext in VIDEO_EXTENSIONS + tuple(e.upper() for e in VIDEO_EXTENSIONS):
        q = p.with_name(p.name + ext)
        if q.exists():
            return q
    return p


def open_video(
    path: str | os.PathLike, backend: Backend = "auto", fps: float = FRAME_FOLDER_FPS, num_threads: int = 1
) -> VideoReader:
    """Open a video file or frame folder for frame-exact random access.

    Args:
        path: a video file (mp4/avi/webm/...) or a folder of frame images.
        backend: ``decord``, ``pyav`` or ``auto`` (decord, then PyAV if decord fails). Ignored for folders.
        fps: frame rate assumed for frame folders (files carry their own).
        num_threads: decoder threads per reader; 1 suits DataLoader workers.
    """
    if backend not in ("auto", "decord", "pyav"):
        raise ValueError(f"backend must be 'auto', 'decord' or 'pyav', got {backend!r}")
    path = find_video(path)
    if path.is_dir():
        return FrameFolderReader(path, fps=fps)
    if not path.exists():
        raise VideoReadError(path, "no such file or folder")
    if path.stat().st_size == 0:
        raise VideoReadError(path, "empty file")
    if backend == "pyav":
        return PyAVReader(path, num_threads)
    if backend == "decord":
        return DecordReader(path, num_threads)
    try:
        return _FallbackReader(DecordReader(path, num_threads), num_threads)
    except VideoReadError as first:
        try:
            return PyAVReader(path, num_threads)
        except VideoReadError as second:
            raise VideoReadError(path, f"decord: {first.cause}; pyav: {second.cause}") from second


def declared_frames(path: str | os.PathLike) -> int | None:
    """Frames the container header promises (index count, else duration x fps); None if unknown.

    A WebM/MKV cut short carries no frame index, so it reads as the shorter video it now is;
    comparing with the header's duration finds it (``ppma data check`` does).
    """
    import av

    try:
        with av.open(str(path)) as container:
            s = container.streams.video[0]
            if s.frames:
                return int(s.frames)
            rate = s.average_rate or s.guessed_rate
            seconds = float(s.duration * s.time_base) if s.duration else (container.duration or 0) / 1e6
            return round(seconds * float(rate)) if seconds and rate else None
    except Exception:
        return None


# --------------------------------------------------------------------------------------------------
# writing
# --------------------------------------------------------------------------------------------------
_DEFAULT_CODEC = {".mp4": "libx264", ".mkv": "libx264", ".mov": "libx264", ".m4v": "libx264",
                  ".avi": "mpeg4", ".webm": "libvpx-vp9"}


def _as_frames(frames: np.ndarray | torch.Tensor) -> np.ndarray:
    if isinstance(frames, torch.Tensor):
        frames = frames.detach().cpu().numpy()
    frames = np.asarray(frames)
    if frames.dtype != np.uint8 or frames.ndim != 4 or frames.shape[-1] != 3:
        raise ValueError(f"frames must be uint8 (T, H, W, 3) RGB, got {frames.dtype} {tuple(frames.shape)}")
    if frames.shape[0] == 0:
        raise ValueError("frames must hold at least one frame")
    return np.ascontiguousarray(frames)


def write_video(
    path: str | os.PathLike,
    frames: np.ndarray | torch.Tensor,
    fps: float = 25.0,
    codec: str | None = None,
    crf: int = 18,
    gop: int | None = None,
    options: dict[str, str] | None = None,
) -> Path:
    """Encode uint8 ``(T, H, W, C)`` RGB frames to a video file, atomically (temp file + rename).

    Args:
        codec: default by extension: ``libx264`` (mp4/mkv/mov, yuv420p: H and W must be even),
            ``mpeg4`` (avi), ``libvpx-vp9`` (webm).
        crf: quality for libx264 / libvpx-vp9 (lower = better; 18 is visually lossless for x264).
            mpeg4 maps it to a fixed quantiser ``max(1, crf // 6)``.
        gop: keyframe interval; short GOPs make random clip access cheap (VideoMAE issue #81).
        options: extra encoder options, passed to FFmpeg as is.
    """
    import av

    path = Path(path)
    x = _as_frames(frames)
    codec = codec or _DEFAULT_CODEC.get(path.suffix.lower(), "libx264")
    _, h, w, _ = x.shape
    if codec in ("libx264", "libvpx-vp9", "mpeg4") and (h % 2 or w % 2):
        raise ValueError(f"{codec} with yuv420p needs even sizes, got H={h} W={w}: crop or pad first")
    with atomic_path(path) as tmp, av.open(str(tmp), "w") as container:
        stream = container.add_stream(codec, rate=Fraction(fps).limit_denominator(1001))
        stream.width, stream.height, stream.pix_fmt = w, h, "yuv420p"
        opts = {"libx264": {"crf": str(crf)}, "libvpx-vp9": {"crf": str(crf), "b": "0"}}.get(codec, {})
        if codec == "mpeg4":
            stream.codec_context.qscale = max(1, crf // 6)
        if gop:
            stream.codec_context.gop_size = gop
        stream.options = {**opts, **(options or {})}
        for frame in x:  # the encoder API takes one frame at a time
            container.mux(stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")))
        container.mux(stream.encode())
    return path


def write_frames(
    directory: str | os.PathLike,
    frames: np.ndarray | torch.Tensor,
    ext: Literal["jpg", "png"] = "jpg",
    quality: int = 95,
    start: int = 1,
    digits: int = 5,
) -> Path:
    """Write a frame folder ``00001.jpg, 00002.jpg, ...`` (PPMA/SynAPT layout), atomically.

    ``quality`` is the JPEG quality (png is lossless). The folder is written next to its final
    place and renamed over it, so a reader never sees half a clip.
    """
    x = _as_frames(frames)
    directory = Path(directory)
    directory.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", dir=directory.parent))
    params = [cv2.IMWRITE_JPEG_QUALITY, int(quality)] if ext == "jpg" else [cv2.IMWRITE_PNG_COMPRESSION, 1]
    try:
        for i, frame in enumerate(x[..., ::-1], start=start):  # OpenCV encodes BGR
            if not cv2.imwrite(str(tmp / f"{i:0{digits}d}.{ext}"), frame, params):
                raise OSError(f"OpenCV could not write {tmp / f'{i:0{digits}d}.{ext}'}")
        if directory.exists():
            shutil.rmtree(directory)
        os.replace(tmp, directory)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return directory
