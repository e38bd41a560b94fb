"""ppma_lib.models: registry, video ViT, masking, MAE, heads, param groups, FLOPs, reconstructions."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from torch.utils.flop_counter import FlopCounterMode

from ppma_lib.models import (
    LinearProbe,
    MaskedVideoAutoencoder,
    MultiSourceClassifier,
    VideoViT,
    build_model,
    count_flops,
    create_model,
    list_models,
    make_masking,
    param_groups,
    patchify,
    render_reconstruction,
    sincos_table,
    unpatchify,
)
from ppma_lib.models.param_groups import layer_id
from ppma_lib.models.patches import norm_pix_target
from ppma_lib.sections import ModelConfig

TINY = [n for n in list_models() if "tiny_test" in n]
N, C, T, S = 2, 3, 4, 32  # tiny inputs: 4 frames of 32x32, patches 2x8x8 -> grid (2, 4, 4), L = 32


def clips(n: int = N, seed: int = 0) -> torch.Tensor:
    return torch.randn(n, C, T, S, S, generator=torch.Generator().manual_seed(seed))


def gen(seed: int = 0) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


# --------------------------------------------------------------------------------------------------
# registry
# --------------------------------------------------------------------------------------------------
def test_registry_has_the_sizes():
    for name in ("vit_t", "vit_s", "vit_b", "mae_vit_t", "mae_vit_s", "mae_vit_b", "vit_tiny_test",
                 "mae_vit_tiny_test"):
        assert name in list_models()
    assert list_models("mae_*") == [n for n in list_models() if n.startswith("mae_")]
    with pytest.raises(KeyError, match="did you mean"):
        create_model("vit_bb")


@pytest.mark.parametrize("name", list_models())
def test_every_model_builds_on_meta(name):
    with torch.device("meta"):  # structure only: no memory, no init cost
        model = create_model(name)
    vit = model.encoder if isinstance(model, MaskedVideoAutoencoder) else model
    assert vit.num_tokens == vit.grid[0] * vit.grid[1] * vit.grid[2]
    assert vit.embed_dim % vit.num_heads == 0
    if name == "vit_b":  # ViT-B with a 2x16x16 Conv3d stem: 86.2 M parameters (VideoMAE's ViT-B)
        assert sum(p.numel() for p in model.parameters()) == 86_236_416


# --------------------------------------------------------------------------------------------------
# building blocks
# --------------------------------------------------------------------------------------------------
def test_sincos_table_matches_the_formula():
    L, D = 50, 24
    pos, j = np.arange(L)[:, None], np.arange(D)[None, :]
    angle = pos / np.power(10000, 2 * (j // 2) / D)
    ref = np.where(j % 2 == 0, np.sin(angle), np.cos(angle))
    table = sincos_table(L, D)
    assert table.shape == (1, L, D) and table.dtype == torch.float32
    np.testing.assert_allclose(table[0].numpy(), ref, atol=1e-6)


def test_patchify_roundtrip_and_layout():
    video = torch.randn(2, 3, 4, 16, 24)
    patches = patchify(video, tubelet=2, patch_size=8)
    assert patches.shape == (2, 2 * 2 * 3, 2 * 8 * 8 * 3)
    torch.testing.assert_close(unpatchify(patches, (2, 2, 3), 2, 8), video, rtol=0, atol=0)
    # token 1 is (t=0, h=0, w=1); its patch is laid out (u, p, p, C)
    want = video[0, :, 0:2, 0:8, 8:16].permute(1, 2, 3, 0).reshape(-1)
    torch.testing.assert_close(patches[0, 1], want, rtol=0, atol=0)
    with pytest.raises(ValueError, match="not divisible"):
        patchify(torch.randn(1, 3, 3, 16, 16), 2, 8)


def test_norm_pix_target_is_normalised_per_patch_and_channel():
    patches = patchify(torch.rand(2, 3, 4, 16, 16) * 5 + 2, 2, 8)
    target = norm_pix_target(patches, 3).unflatten(-1, (-1, 3))  # (N, L, u*p*p, C)
    torch.testing.assert_close(target.mean(2), torch.zeros(2, 8, 3), atol=1e-5, rtol=0)
    torch.testing.assert_close(target.std(2), torch.ones(2, 8, 3), atol=1e-3, rtol=0)


# --------------------------------------------------------------------------------------------------
# masking (1 = masked)
# --------------------------------------------------------------------------------------------------
def test_random_mask_exact_count_and_seeded():
    masking = make_masking("random", (8, 14, 14), 0.9)
    mask = masking(5, gen(1))
    assert mask.shape == (5, 1568) and mask.dtype == torch.bool
    assert (mask.sum(1) == 1411).all()  # int(0.9 * 1568), as OmniMAE/PPMA
    assert torch.equal(mask, masking(5, gen(1)))
    assert not torch.equal(mask, masking(5, gen(2)))
    assert not torch.equal(mask[0], mask[1])  # independent per sample
    # masked slices differ over time: random masking is not tube masking
    assert not (mask.view(5, 8, 196) == mask.view(5, 8, 196)[:, :1]).all()


def test_tube_mask_constant_over_time():
    masking = make_masking("tube", (8, 14, 14), 0.75)
    mask = masking(3, gen(0)).view(3, 8, 196)
    assert (mask == mask[:, :1]).all()
    assert (mask[:, 0].sum(1) == int(0.75 * 196)).all()
    assert masking.num_visible == 8 * (196 - 147)


def test_masking_rejects_degenerate_ratios():
    with pytest.raises(ValueError, match="at least one masked"):
        make_masking("random", (1, 2, 2), 0.1)
    with pytest.raises(ValueError, match="mask_type"):
        make_masking("block", (2, 4, 4), 0.5)


# --------------------------------------------------------------------------------------------------
# video ViT
# --------------------------------------------------------------------------------------------------
def test_vit_shapes_any_size_and_grad():
    model = create_model("vit_tiny_test", num_classes=7, img_size=48, num_frames=6, patch_size=16, tubelet=3)
    assert model.grid == (2, 3, 3) and model.pos_embed.shape == (1, 18, 64)
    x = torch.randn(2, 3, 6, 48, 48)
    feats = model.forward_features(x)
    assert feats.shape == (2, 18, 64)
    logits = model.forward_head(feats)
    assert logits.shape == (2, 7) and torch.isfinite(logits).all()
    logits.square().sum().backward()
    no_grad = [n for n, p in model.named_parameters() if p.grad is None or not p.grad.abs().sum() > 0]
    assert no_grad == []
    with pytest.raises(ValueError, match="position table"):
        model(torch.randn(1, 3, 4, 48, 48))
    assert "pos_embed" not in model.state_dict()  # fixed: recomputed, never saved


def test_vit_drop_path_rises_linearly_and_pooled_features():
    model = create_model("vit_tiny_test", drop_path_rate=0.2, depth=3)
    probs = [getattr(b.drop_path1, "drop_prob", 0.0) for b in model.blocks]
    assert probs == pytest.approx([0.0, 0.1, 0.2])
    model.eval()
    assert model(clips()).shape == (N, 64)  # no head: pooled, normalised features
    # grad checkpointing changes memory, not values
    with torch.no_grad():
        ref = model(clips())
    model.set_grad_checkpointing(True)
    model.train()
    model.blocks.apply(lambda m: setattr(m, "drop_prob", 0.0) if hasattr(m, "drop_prob") else None)
    torch.testing.assert_close(model(clips()), ref)


# --------------------------------------------------------------------------------------------------
# MAE
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("mask_type", ["random", "tube"])
def test_mae_forward_backward(mask_type):
    model = create_model("mae_vit_tiny_test", mask_type=mask_type, mask_ratio=0.75)
    loss, pred, mask = model(clips(), generator=gen())
    assert pred.shape == (N, 32, 2 * 8 * 8 * 3) and mask.shape == (N, 32)
    assert torch.isfinite(loss) and loss.ndim == 0
    loss.backward()
    no_grad = [n for n, p in model.named_parameters() if p.grad is None or not p.grad.abs().sum() > 0]
    assert no_grad == []


def test_mae_same_generator_same_result():
    model = create_model("mae_vit_tiny_test").eval()
    a, b = model(clips(), generator=gen(3)), model(clips(), generator=gen(3))
    assert torch.equal(a.mask, b.mask) and torch.equal(a.loss, b.loss)
    assert not torch.equal(a.mask, model(clips(), generator=gen(4)).mask)


def test_mae_loss_ignores_visible_predictions():
    model = create_model("mae_vit_tiny_test")
    x = clips()
    target = model.target(x)
    mask = model.draw_masks(N, gen())
    pred = torch.randn(N, 32, target.shape[-1])
    loss = model.forward_loss(target, pred, mask)
    changed_visible = torch.where(mask[..., None], pred, pred + 100.0)
    assert torch.equal(model.forward_loss(target, changed_visible, mask), loss)
    changed_masked = torch.where(mask[..., None], pred + 1.0, pred)
    assert model.forward_loss(target, changed_masked, mask) > loss
    # the value: MSE per token, mean over masked tokens
    ref = ((pred - target) ** 2).mean(-1)[mask].mean()
    torch.testing.assert_close(loss, ref)


def test_mae_target_uses_unnormalised_pixels():
    model = create_model("mae_vit_tiny_test", norm_pix_loss=False, pixel_mean=(0.5, 0.4, 0.3),
                         pixel_std=(0.2, 0.1, 0.3))
    pixels = torch.rand(1, C, T, S, S)
    x = (pixels - torch.tensor([0.5, 0.4, 0.3]).view(1, 3, 1, 1, 1)) / torch.tensor([0.2, 0.1, 0.3]).view(1, 3, 1, 1, 1)
    torch.testing.assert_close(model.target(x), patchify(pixels, 2, 8))


def test_mae_encoder_sees_visible_tokens_only():
    model = create_model("mae_vit_tiny_test", mask_ratio=0.75).eval()
    x = clips(1)
    mask = model.draw_masks(1, gen())
    latent = model.forward_encoder(model.encoder.embed(x), mask)
    assert latent.shape == (1, 8, 64)  # 32 - int(0.75 * 32) visible tokens
    # scribbling over masked tubelets does not change what the encoder computes
    patches = patchify(x, 2, 8)
    noisy = unpatchify(torch.where(mask[..., None], torch.randn_like(patches), patches), (2, 4, 4), 2, 8)
    torch.testing.assert_close(model.forward_encoder(model.encoder.embed(noisy), mask), latent)


def test_mae_repeat_masks_embeds_once_and_differs():
    k = 4
    model = create_model("mae_vit_tiny_test", repeat_masks=k).eval()
    calls = []
    model.encoder.patch_embed.register_forward_hook(lambda m, i, o: calls.append(o.shape[0]))
    x = clips(1)
    out = model(x, generator=gen())
    assert calls == [1]  # one patch embedding for the clip, k masks index into it
    assert out.mask.shape == (k, 32) and out.pred.shape[0] == k
    assert len({tuple(m.nonzero().flatten().tolist()) for m in out.mask}) == k  # k different masks
    latent = model.forward_encoder(model.encoder.embed(x), out.mask)
    assert all(not torch.allclose(latent[0], latent[i]) for i in range(1, k))
    # copy i equals running the clip alone with mask i
    alone = model.forward_encoder(model.encoder.embed(x), out.mask[2:3])
    torch.testing.assert_close(latent[2:3], alone)
    # the loss averages over all k copies
    single = create_model("mae_vit_tiny_test", repeat_masks=1).eval()
    single.load_state_dict(model.state_dict())
    losses = [single(x, mask=out.mask[i:i + 1]).loss for i in range(k)]
    torch.testing.assert_close(out.loss, torch.stack(losses).mean())


def test_mae_rejects_bad_masks():
    model = create_model("mae_vit_tiny_test")
    bad = torch.zeros(N, 32, dtype=torch.bool)
    with pytest.raises(ValueError, match="exactly"):
        model(clips(), mask=bad)
    with pytest.raises(ValueError, match="shape"):
        model(clips(), mask=torch.zeros(N + 1, 32, dtype=torch.bool))


def test_render_reconstruction():
    model = create_model("mae_vit_tiny_test", repeat_masks=2)
    pixels = torch.rand(1, C, T, S, S)
    mean, std = model.pixel_mean, model.pixel_std
    rec = render_reconstruction(model, (pixels - mean) / std, generator=gen())
    assert model.training  # mode restored
    for v in (rec.original, rec.masked, rec.reconstruction):
        assert v.shape == (2, C, T, S, S) and v.min() >= 0 and v.max() <= 1
    torch.testing.assert_close(rec.original[0], pixels[0], atol=1e-5, rtol=0)
    m = rec.mask[..., None]
    orig, masked, recon = (patchify(v, 2, 8) for v in rec[:3])
    assert torch.equal(torch.where(m, 0, recon), torch.where(m, 0, orig))  # visible pasted from the input
    assert (masked[m.expand_as(masked)] == 0.5).all()
    assert not torch.allclose(recon[0, rec.mask[0]], orig[0, rec.mask[0]])  # masked: predicted


# --------------------------------------------------------------------------------------------------
# heads and probes
# --------------------------------------------------------------------------------------------------
def test_multi_source_heads():
    trunk = create_model("vit_tiny_test")
    model = MultiSourceClassifier(trunk, {"real": 5, "synth": 3})
    assert model(clips(), "real").shape == (N, 5) and model(clips(), "synth").shape == (N, 3)
    with pytest.raises(KeyError, match="unknown source"):
        model(clips(), "other")
    shared = MultiSourceClassifier(create_model("vit_tiny_test"), {"real": 5, "synth": 5}, shared=True)
    assert list(shared.heads) == ["shared"] and shared.head_for("real") is shared.head_for("synth")
    with pytest.raises(ValueError, match="one number of classes"):
        MultiSourceClassifier(create_model("vit_tiny_test"), {"real": 5, "synth": 3}, shared=True)


def test_linear_probe_freezes_trunk():
    probe = LinearProbe(create_model("vit_tiny_test", drop_path_rate=0.1), num_classes=4)
    before = {k: v.clone() for k, v in probe.trunk.state_dict().items()}
    probe.train()
    assert probe.training and not probe.trunk.training
    assert all(not m.training for m in probe.trunk.modules())
    head_before = probe.head.weight.clone()
    opt = torch.optim.AdamW(probe.parameters(), lr=0.1, weight_decay=0.5)
    probe(clips()).logsumexp(1).sum().backward()
    opt.step()
    assert all(torch.equal(before[k], v) for k, v in probe.trunk.state_dict().items())
    assert not torch.equal(head_before, probe.head.weight)


# --------------------------------------------------------------------------------------------------
# parameter groups
# --------------------------------------------------------------------------------------------------
def _scales(groups):
    return {n: g["lr_scale"] for g in groups for n in g["param_names"]}


def test_layer_decay_scales_beit_and_off_by_one():
    model = create_model("vit_tiny_test", depth=3, num_classes=5)
    d = 0.5
    s = _scales(param_groups(model, 0.05, layer_decay=d))
    assert s["patch_embed.proj.weight"] == pytest.approx(d ** 4)
    assert s["blocks.0.attn.qkv.weight"] == pytest.approx(d ** 3)
    assert s["blocks.2.mlp.fc2.bias"] == pytest.approx(d ** 1)
    assert s["head.weight"] == 1.0 and s["norm.weight"] == 1.0
    s = _scales(param_groups(model, 0.05, layer_decay=d, off_by_one=True))  # PPMA's released modifier
    assert s["head.weight"] == pytest.approx(d)
    assert s["blocks.0.attn.qkv.weight"] == pytest.approx(d ** 4)
    assert s["patch_embed.proj.weight"] == pytest.approx(d ** 5)
    assert layer_id("trunk.blocks.1.norm1.weight", 3) == 2 and layer_id("encoder.patch_embed.proj.bias", 3) == 0


def test_param_groups_weight_decay_split():
    model = create_model("mae_vit_tiny_test")
    groups = param_groups(model, weight_decay=0.05)
    names = [n for g in groups for n in g["param_names"]]
    assert sorted(names) == sorted(n for n, _ in model.named_parameters())  # each exactly once
    wd = {n: g["weight_decay"] for g in groups for n in g["param_names"]}
    assert wd["mask_token"] == 0.0
    assert wd["encoder.blocks.0.norm1.weight"] == 0.0 and wd["encoder.blocks.0.attn.qkv.bias"] == 0.0
    assert wd["decoder_norm.weight"] == 0.0
    assert wd["encoder.blocks.0.attn.qkv.weight"] == 0.05 and wd["decoder_pred.weight"] == 0.05
    assert not any("pos_embed" in n for n in names)  # fixed tables are buffers, never optimised
    assert all(len(g["params"]) == len(g["param_names"]) for g in groups)
    torch.optim.AdamW(groups, lr=1e-3)  # extra keys are accepted by torch optimizers


# --------------------------------------------------------------------------------------------------
# FLOPs
# --------------------------------------------------------------------------------------------------
def _measured_flops(model, *args, **kwargs) -> int:
    for m in model.modules():  # unfused attention, so the flop counter sees the two matmuls
        if hasattr(m, "fused_attn"):
            m.fused_attn = False
    with FlopCounterMode(display=False) as counter:
        model(*args, **kwargs)
    return counter.get_total_flops()


def test_count_flops_matches_the_flop_counter():
    x = clips()
    vit = create_model("vit_tiny_test", num_classes=6)
    assert count_flops(vit, tuple(x.shape)) == _measured_flops(vit, x)
    mae = create_model("mae_vit_tiny_test", repeat_masks=3)
    assert count_flops(mae, tuple(x.shape)) == _measured_flops(mae, x, generator=gen())
    probe = LinearProbe(create_model("vit_tiny_test"), 5)
    assert count_flops(probe, tuple(x.shape)) == _measured_flops(probe, x)


def test_count_flops_vit_b_reference():
    with torch.device("meta"):
        vit_b, mae_b = create_model("vit_b"), create_model("mae_vit_b")
    # 24 L D^2 + 4 L^2 D per block at L = 1568, D = 768: VideoMAE's 180 GMACs = 360 GFLOPs
    assert count_flops(vit_b, (1, 3, 16, 224, 224)) == pytest.approx(360.7e9, rel=1e-3)
    assert count_flops(mae_b, (1, 3, 16, 224, 224)) == pytest.approx(71.4e9, rel=1e-2)
    assert count_flops(mae_b, (2, 3, 16, 224, 224)) == 2 * count_flops(mae_b, (1, 3, 16, 224, 224))


# --------------------------------------------------------------------------------------------------
# config -> model
# --------------------------------------------------------------------------------------------------
def test_build_model_from_config():
    cfg = ModelConfig(name="mae_vit_tiny_test", patch_size=8, mask_type="tube", mask_ratio=0.5, repeat_masks=2,
                      decoder_heads=4)
    mae = build_model(cfg, num_frames=4, img_size=32, mean=(0.5, 0.5, 0.5), std=(0.25, 0.25, 0.25))
    assert mae.pixel_mean.flatten().tolist() == [0.5] * 3 and mae.pixel_std.flatten().tolist() == [0.25] * 3
    assert isinstance(mae, MaskedVideoAutoencoder)
    assert mae.mask_type == "tube" and mae.repeat_masks == 2 and mae.masking.num_masked == 2 * 8
    assert mae.decoder_heads == 4 and mae.decoder_dim == 32  # dim from the registry, heads from the config
    cfg = ModelConfig(name="vit_tiny_test", patch_size=8, head="shared", drop_path=0.1)
    multi = build_model(cfg, num_frames=4, img_size=32, num_classes={"a": 3, "b": 3})
    assert isinstance(multi, MultiSourceClassifier) and multi.shared
    vit = build_model(ModelConfig(name="vit_tiny_test", patch_size=8), num_frames=4, img_size=32, num_classes=9)
    assert isinstance(vit, VideoViT) and vit(clips()).shape == (N, 9)
    with pytest.raises(ValueError, match="divisible"):
        ModelConfig(decoder_dim=30, decoder_heads=4)
