"""Procedural image sources (shaders, FractalDB, VisualAtom), image folders and `ppma make-data images`."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from ppma_lib.cli import main
from ppma_lib.pmg.sources import (
    SHADERS,
    FractalDB,
    ImageFolderSource,
    ShaderImages,
    VisualAtom,
    build_image_source,
    fractaldb,
)
from ppma_lib.pmg.sources.shaders import NUM_CONSTANTS, render_shaders


@pytest.mark.parametrize("name", list(SHADERS))
def test_each_shader_is_finite_and_not_constant(name):
    g = torch.Generator().manual_seed(0)
    n = 3
    images = render_shaders(
        [name] * n, torch.rand(n, NUM_CONSTANTS, generator=g), torch.randint(0, 2**20, (n,), generator=g),
        torch.rand(n, generator=g) * 10, (24, 40),
    )
    assert images.shape == (n, 3, 24, 40)
    assert torch.isfinite(images).all() and images.min() >= 0 and images.max() <= 1
    assert (images.flatten(1).std(1) > 0.02).all(), name  # textured, not flat
    assert not torch.allclose(images[0], images[1])  # other constants, other picture


def test_shader_source_is_balanced_and_deterministic():
    src = ShaderImages(25, num_classes=10, size=(16, 24), seed=3)
    images, labels = src.batch(range(25))
    assert images.shape == (25, 3, 16, 24) and images.dtype == torch.uint8
    assert labels.bincount().tolist() == [3] * 5 + [2] * 5  # image i has label i % classes
    again, _ = ShaderImages(25, num_classes=10, size=(16, 24), seed=3).batch([7])
    assert torch.equal(again[0], images[7]) and torch.equal(src[7][0], images[7])
    assert not torch.equal(images[7], images[17])  # same class (same program), another time
    assert not torch.equal(images[7], ShaderImages(25, 10, (16, 24), seed=4)[7][0])


def test_fractal_categories_fill_at_least_twenty_percent():
    categories = fractaldb.search_categories(2, seed=0)
    for params in categories:
        assert 2 <= len(params) <= 7 and params.shape[1] == 7
        assert np.isclose(params[:, 6].sum(), 1.0)
        assert fractaldb.filling_rate(params, np.random.default_rng(123)) >= 0.2 - 0.01  # another chaos-game draw


def test_fractal_filling_rate_rejects_a_contracted_system():
    tiny = np.array([[0.1, 0, 0, 0.1, 0, 0, 0.5], [0.1, 0, 0, 0.1, 1, 1, 0.5]])  # two far-apart specks
    assert fractaldb.filling_rate(tiny, np.random.default_rng(0)) < 0.05


def test_fractal_instances():
    src = FractalDB(4, num_classes=1, size=32, seed=0)
    images, labels = src.batch(range(4))
    assert images.shape == (4, 3, 32, 32) and labels.tolist() == [0] * 4
    assert set(images.unique().tolist()) == {0, fractaldb.GRAY}  # grey patches on black
    assert all((im > 0).float().mean() > 0.05 for im in images)
    assert not torch.equal(images[0], images[1])  # another weight variant
    base = fractaldb.variant(src.categories[0], 0)
    assert np.array_equal(base, src.categories[0])
    assert not np.array_equal(fractaldb.variant(base, 1), base)


def test_visual_atom():
    src = VisualAtom(6, num_classes=3, size=(32, 48), seed=0)
    images, labels = src.batch(range(6))
    assert images.shape == (6, 3, 32, 48) and images.dtype == torch.uint8
    assert labels.tolist() == [0, 1, 2, 0, 1, 2]
    assert torch.equal(images, VisualAtom(6, 3, (32, 48), seed=0).batch(range(6))[0])
    assert images.flatten(1).float().std(1).min() > 0  # contours drawn
    cat = src.categories[0]
    assert 200 <= cat.vertices < 1000 and 1 <= cat.orbits < 200 and (cat.n1 == 0 or cat.n1 != cat.n2)


def test_build_image_source_and_errors(tmp_path):
    assert isinstance(build_image_source("shaders", 4, 2, 16), ShaderImages)
    with pytest.raises(ValueError, match="unknown image source"):
        build_image_source("imagenet", 4, 2, 16)
    with pytest.raises(FileNotFoundError):
        build_image_source(f"folder:{tmp_path / 'missing'}", 4, 2, 16)


def test_make_data_images_cli_writes_images_and_list(tmp_path, capsys):
    out = tmp_path / "shaders"
    assert main(["make-data", "images", "--source", "shaders", "--n", "7", "--out", str(out),
                 "--size", "20", "--classes", "3"]) == 0
    pngs = sorted(out.rglob("*.png"))
    lines = (out / "list.txt").read_text().splitlines()
    assert len(pngs) == 7 and len(lines) == 7
    assert sorted(int(line.split()[1]) for line in lines) == [0, 0, 0, 1, 1, 2, 2]
    assert all((out / line.split()[0]).is_file() for line in lines)
    # the list reads back through the folder source, pixels intact (PNG is lossless)
    folder = ImageFolderSource(out / "list.txt", size=20)
    image, label = folder[4]
    assert image.shape == (3, 20, 20) and label == 1
    assert torch.equal(image, ShaderImages(7, 3, 20)[4][0])
    # and as class folders, resized and centre-cropped to any size
    assert ImageFolderSource(out, size=(12, 16))[0][0].shape == (3, 12, 16)


def test_a_capped_folder_source_keeps_classes_balanced(tmp_path):
    out = tmp_path / "shaders"
    assert main(["make-data", "images", "--n", "9", "--out", str(out), "--size", "8", "--classes", "3",
                 "--workers", "1"]) == 0
    lines = (out / "list.txt").read_text().splitlines()
    (out / "sorted.txt").write_text("\n".join(sorted(lines, key=lambda ln: int(ln.split()[1]))) + "\n")
    capped = ImageFolderSource(out / "sorted.txt", size=8, max_images=6)  # by label: 0 0 0 1 1 1 2 2 2
    assert sorted(label for _, label in capped.items) == [0, 0, 1, 1, 2, 2]
    two = ImageFolderSource(out / "sorted.txt", size=8, max_images=4, max_classes=2)  # PMG Fig. 3c
    assert sorted(label for _, label in two.items) == [0, 0, 1, 1]
    with pytest.raises(ValueError, match="fewer than the 4"):
        ImageFolderSource(out / "sorted.txt", size=8, max_classes=4)
