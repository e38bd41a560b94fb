"""Person-segmentation backends; build them with :func:`ppma_lib.privacy.segment.make_segmenter`."""
