"""No-weights fallback: OpenCV's shipped people detectors give boxes, GrabCut turns boxes into masks.

Boxes come from the HOG pedestrian detector (Dalal & Triggs; full standing bodies, 64x128 window),
Haar upper-body cascades and Haar faces (expanded to head and shoulders). Each box seeds GrabCut
(box = "probably foreground", outside = background), whose foreground becomes probability 1.
Much weaker than a learned segmenter: sitting, small or partly visible people are often missed.
"""
from __future__ import annotations

import cv2
import numpy as np


def load_cascade(name: str) -> cv2.CascadeClassifier:
    c = cv2.CascadeClassifier(cv2.data.haarcascades + name)
    if c.empty():
        raise RuntimeError(f"OpenCV cascade {name} could not be loaded from {cv2.data.haarcascades}")
    return c


def detect_faces(gray: np.ndarray, frontal: cv2.CascadeClassifier, profile: cv2.CascadeClassifier,
                 min_size: int = 20, scale: float = 1.1) -> np.ndarray:
    """gray uint8 (H,W) -> boxes int (K,4) x,y,w,h of frontal and profile faces (both profiles)."""
    kw = dict(scaleFactor=scale, minNeighbors=5, minSize=(min_size, min_size))
    boxes = [frontal.detectMultiScale(gray, **kw), profile.detectMultiScale(gray, **kw)]
    flipped = profile.detectMultiScale(gray[:, ::-1].copy(), **kw)  # the cascade sees left profiles only
    if len(flipped):
        flipped = np.asarray(flipped)
        flipped[:, 0] = gray.shape[1] - flipped[:, 0] - flipped[:, 2]
    boxes.append(flipped)
    boxes = [np.asarray(b, int).reshape(-1, 4) for b in boxes]
    return np.concatenate(boxes)


class OpenCVSegmenter:
    def __init__(self, work_height: int = 480, hog_threshold: float = 0.3, faces: bool = True,
                 grabcut_iters: int = 3) -> None:
        """work_height: frames are resized to this height for detection (HOG needs 128 px people)."""
        self.hog = cv2.HOGDescriptor()
        self.hog.setSVMDetector(cv2.HOGDescriptor_getDefaultPeopleDetector())
        self.upper = load_cascade("haarcascade_upperbody.xml")
        self.frontal = load_cascade("haarcascade_frontalface_default.xml")
        self.profile = load_cascade("haarcascade_profileface.xml")
        self.work_height, self.hog_threshold = work_height, hog_threshold
        self.faces, self.grabcut_iters = faces, grabcut_iters

    def boxes(self, frame: np.ndarray) -> np.ndarray:
        """frame uint8 (H,W,3) RGB -> person boxes int (K,4) x,y,w,h in frame pixels."""
        H, W = frame.shape[:2]
        s = self.work_height / H
        gray = cv2.cvtColor(cv2.resize(frame, (round(W * s), self.work_height)), cv2.COLOR_RGB2GRAY)
        found = []
        rects, scores = self.hog.detectMultiScale(gray, winStride=(8, 8), padding=(8, 8), scale=1.05)
        if len(rects):
            found.append(np.asarray(rects)[np.ravel(scores) > self.hog_threshold])
        found.append(self.upper.detectMultiScale(gray, 1.1, 4, minSize=(48, 48)))
        if self.faces:
            f = detect_faces(gray, self.frontal, self.profile, min_size=24)
            # a face implies a head and shoulders: 3 face widths wide, 4 face heights tall
            found.append(np.stack([f[:, 0] - f[:, 2], f[:, 1] - f[:, 3] // 2, 3 * f[:, 2], 4 * f[:, 3]], 1))
        b = np.concatenate([np.asarray(x, int).reshape(-1, 4) for x in found]) / s
        x0, y0 = np.clip(b[:, 0], 0, W), np.clip(b[:, 1], 0, H)
        x1, y1 = np.clip(b[:, 0] + b[:, 2], 0, W), np.clip(b[:, 1] + b[:, 3], 0, H)
        b = np.stack([x0, y0, x1 - x0, y1 - y0], 1).round().astype(int)
        return b[(b[:, 2] >= 4) & (b[:, 3] >= 4)]

    def __call__(self, frames: np.ndarray, video: str | None = None) -> np.ndarray:
        out = np.zeros(frames.shape[:3], np.float32)
        for t, frame in enumerate(frames):  # detectors and GrabCut are per image
            for x, y, w, h in self.boxes(frame):
                out[t] = np.maximum(out[t], self._grabcut(frame, x, y, w, h))
        return out

    def _grabcut(self, frame: np.ndarray, x: int, y: int, w: int, h: int) -> np.ndarray:
        """GrabCut on a crop around one box -> (H,W) float, 1 = person."""
        H, W = frame.shape[:2]
        cx0, cy0 = max(0, x - w // 4), max(0, y - h // 8)
        cx1, cy1 = min(W, x + w + w // 4), min(H, y + h + h // 8)
        crop = np.ascontiguousarray(frame[cy0:cy1, cx0:cx1, ::-1])
        gc = np.zeros(crop.shape[:2], np.uint8)
        rect = (x - cx0, y - cy0, max(1, min(w, crop.shape[1] - (x - cx0) - 1)),
                max(1, min(h, crop.shape[0] - (y - cy0) - 1)))
        prob = np.zeros((H, W), np.float32)
        try:
            cv2.grabCut(crop, gc, rect, np.zeros((1, 65)), np.zeros((1, 65)), self.grabcut_iters,
                        cv2.GC_INIT_WITH_RECT)
            fg = (gc == cv2.GC_FGD) | (gc == cv2.GC_PR_FGD)
        except cv2.error:  # degenerate box (e.g. one colour): keep the box itself
            fg = np.zeros(crop.shape[:2], bool)
            fg[rect[1]:rect[1] + rect[3], rect[0]:rect[0] + rect[2]] = True
        prob[cy0:cy1, cx0:cx1] = fg
        return prob
