"""ppma_lib.models checkpoints: atomic save, our layouts, VideoMAE and OmniMAE/PPMA conversion."""
from __future__ import annotations

import argparse

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from ppma_lib.models import (
    LinearProbe,
    MultiSourceClassifier,
    create_model,
    detect_source,
    encoder_state,
    load_checkpoint,
    load_encoder,
    read_checkpoint,
    save_checkpoint,
    to_omnimae,
    to_videomae,
)

X = torch.randn(2, 3, 4, 32, 32, generator=torch.Generator().manual_seed(0))


def _randomise(model: torch.nn.Module, seed: int = 0) -> torch.nn.Module:
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.randn(p.shape, generator=g) * 0.1)
    return model


def _same(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


# --------------------------------------------------------------------------------------------------
# saving
# --------------------------------------------------------------------------------------------------
def test_save_is_atomic(tmp_path, monkeypatch):
    model = create_model("vit_tiny_test")
    path = save_checkpoint(tmp_path / "ckpt" / "last.pt", model, epoch=3)
    ckpt = read_checkpoint(path)
    assert ckpt["epoch"] == 3 and ckpt["format"] == "ppma_lib" and _same(ckpt["model"], model.state_dict())

    def broken_save(obj, f):
        f.write(b"partial")
        raise RuntimeError("disk full")

    monkeypatch.setattr(torch, "save", broken_save)
    with pytest.raises(RuntimeError, match="disk full"):
        save_checkpoint(path, _randomise(create_model("vit_tiny_test")), epoch=4)
    assert read_checkpoint(path)["epoch"] == 3  # the old file survives a failed write
    assert [p.name for p in path.parent.iterdir()] == ["last.pt"]  # no temp file left behind


def test_read_checkpoint_allows_namespace_only_when_plain(tmp_path):
    path = tmp_path / "upstream.pth"
    torch.save({"model": create_model("vit_tiny_test").state_dict(), "args": argparse.Namespace(lr=1e-3)}, path)
    assert read_checkpoint(path)["args"].lr == 1e-3  # VideoMAE files pickle their argparse args
    torch.save({"model": {}, "obj": np.random.default_rng(0)}, path)
    with pytest.raises(ValueError, match="trusted=True"):
        read_checkpoint(path)


# --------------------------------------------------------------------------------------------------
# our own layouts: MAE -> classifier -> probe
# --------------------------------------------------------------------------------------------------
def test_mae_to_classifier_keeps_only_the_encoder(tmp_path):
    mae = _randomise(create_model("mae_vit_tiny_test"))
    path = save_checkpoint(tmp_path / "mae.pt", mae)
    clf = MultiSourceClassifier(create_model("vit_tiny_test"), {"real": 4, "synth": 6})
    report = load_encoder(clf, path)
    assert report.source == "native"
    own = clf.state_dict()
    for k, v in mae.encoder.state_dict().items():
        if not k.startswith("norm."):
            assert torch.equal(own["trunk." + k], v), k
    assert not torch.equal(own["trunk.norm.weight"], mae.encoder.norm.weight)  # fresh final norm, as PPMA
    assert set(report.missing) == {"trunk.norm.weight", "trunk.norm.bias", "heads.real.weight", "heads.real.bias",
                                   "heads.synth.weight", "heads.synth.bias"}
    assert "mask_token" in report.unexpected and "decoder_pred.weight" in report.unexpected
    assert "missing (6)" in str(report)


def test_classifier_heads_by_name_and_shape_mismatch(tmp_path):
    src = _randomise(MultiSourceClassifier(create_model("vit_tiny_test"), {"real": 4, "synth": 6}))
    path = save_checkpoint(tmp_path / "align.pt", src)
    dst = MultiSourceClassifier(create_model("vit_tiny_test"), {"synth": 6, "real": 4})
    report = load_checkpoint(dst, path)
    assert report.missing == [] and report.unexpected == []
    assert _same(dst.state_dict(), src.state_dict())
    ft = create_model("vit_tiny_test", num_classes=101)  # downstream: a new label space
    report = load_checkpoint(ft, path)  # two named heads cannot fill one: left unused, not guessed
    assert report.missing == ["head.bias", "head.weight"] and report.unexpected == ["heads.real", "heads.synth"]
    single = save_checkpoint(tmp_path / "one.pt", _randomise(create_model("vit_tiny_test", num_classes=5)))
    with pytest.raises(ValueError, match=r"shape mismatch \(heads=False"):
        load_checkpoint(ft, single)
    report = load_checkpoint(ft, single, heads=False)
    assert report.missing == ["head.bias", "head.weight"] and report.unexpected == ["head"]
    probe = LinearProbe(create_model("vit_tiny_test"), 5)
    load_checkpoint(probe, single)
    assert torch.equal(probe.head.weight, read_checkpoint(single)["model"]["head.weight"])


# --------------------------------------------------------------------------------------------------
# VideoMAE
# --------------------------------------------------------------------------------------------------
def _videomae_finetune_state(depth=2, dim=64, classes=7, seed=0) -> dict:
    """A stand-in of VideoMAE's fine-tuning state dict: same key names, q/v biases, fc_norm, head."""
    g = torch.Generator().manual_seed(seed)

    def r(*shape):
        return torch.randn(*shape, generator=g) * 0.1

    sd = {"patch_embed.proj.weight": r(dim, 3, 2, 8, 8), "patch_embed.proj.bias": r(dim)}
    for i in range(depth):
        b = f"blocks.{i}."
        sd.update({
            b + "norm1.weight": 1 + r(dim), b + "norm1.bias": r(dim),
            b + "attn.q_bias": r(dim), b + "attn.v_bias": r(dim), b + "attn.qkv.weight": r(3 * dim, dim),
            b + "attn.proj.weight": r(dim, dim), b + "attn.proj.bias": r(dim),
            b + "norm2.weight": 1 + r(dim), b + "norm2.bias": r(dim),
            b + "mlp.fc1.weight": r(4 * dim, dim), b + "mlp.fc1.bias": r(4 * dim),
            b + "mlp.fc2.weight": r(dim, 4 * dim), b + "mlp.fc2.bias": r(dim),
        })
    sd.update({"fc_norm.weight": 1 + r(dim), "fc_norm.bias": r(dim), "head.weight": r(classes, dim),
               "head.bias": r(classes)})
    return sd


def _videomae_reference_forward(sd: dict, x: torch.Tensor, depth: int, heads: int) -> torch.Tensor:
    """VideoMAE's fine-tuning forward, written out: tubelets + sin-cos, pre-norm blocks with a q/v-only
    bias, mean pooling, fc_norm, head."""
    tokens = F.conv3d(x, sd["patch_embed.proj.weight"], sd["patch_embed.proj.bias"], stride=(2, 8, 8))
    tokens = tokens.flatten(2).transpose(1, 2)
    n, L, D = tokens.shape
    pos, j = np.arange(L)[:, None], np.arange(D)[None, :]
    angle = pos / np.power(10000, 2 * (j // 2) / D)
    tokens = tokens + torch.tensor(np.where(j % 2 == 0, np.sin(angle), np.cos(angle)), dtype=torch.float32)
    hd = D // heads
    for i in range(depth):
        b = f"blocks.{i}."
        h = F.layer_norm(tokens, (D,), sd[b + "norm1.weight"], sd[b + "norm1.bias"], eps=1e-6)
        bias = torch.cat([sd[b + "attn.q_bias"], torch.zeros(D), sd[b + "attn.v_bias"]])
        q, k, v = F.linear(h, sd[b + "attn.qkv.weight"], bias).reshape(n, L, 3, heads, hd).permute(2, 0, 3, 1, 4)
        attn = ((q * hd**-0.5) @ k.transpose(-2, -1)).softmax(-1)
        tokens = tokens + F.linear((attn @ v).transpose(1, 2).reshape(n, L, D), sd[b + "attn.proj.weight"],
                                   sd[b + "attn.proj.bias"])
        h = F.layer_norm(tokens, (D,), sd[b + "norm2.weight"], sd[b + "norm2.bias"], eps=1e-6)
        h = F.linear(F.gelu(F.linear(h, sd[b + "mlp.fc1.weight"], sd[b + "mlp.fc1.bias"])),
                     sd[b + "mlp.fc2.weight"], sd[b + "mlp.fc2.bias"])
        tokens = tokens + h
    pooled = F.layer_norm(tokens.mean(1), (D,), sd["fc_norm.weight"], sd["fc_norm.bias"], eps=1e-6)
    return F.linear(pooled, sd["head.weight"], sd["head.bias"])


def test_videomae_finetune_checkpoint_gives_the_same_logits(tmp_path):
    sd = _videomae_finetune_state()
    path = tmp_path / "videomae_ft.pth"
    torch.save({"module": sd, "args": argparse.Namespace(model="vit_base_patch16_224")}, path)
    model = create_model("vit_tiny_test", num_classes=7).eval()
    report = load_checkpoint(model, path)
    assert report.source == "videomae" and report.missing == [] and report.unexpected == []
    with torch.no_grad():
        torch.testing.assert_close(model(X), _videomae_reference_forward(sd, X, depth=2, heads=2),
                                   atol=1e-5, rtol=1e-4)


def test_videomae_round_trip():
    src = _randomise(create_model("vit_tiny_test", num_classes=7))
    with torch.no_grad():  # VideoMAE has no k bias; ours must be 0 for an exact round trip of the tensors
        for blk in src.blocks:
            blk.attn.qkv.bias[64:128] = 0
    sd = to_videomae(src)
    assert "blocks.0.attn.q_bias" in sd and "blocks.0.attn.qkv.bias" not in sd and "fc_norm.weight" in sd
    assert detect_source(sd) == "videomae"
    dst = create_model("vit_tiny_test", num_classes=7)
    assert load_checkpoint(dst, sd).unexpected == []
    assert _same(dst.state_dict(), src.state_dict())


def test_videomae_k_bias_drop_is_exact():
    src = _randomise(create_model("vit_tiny_test", num_classes=7)).eval()  # nonzero k bias
    dst = create_model("vit_tiny_test", num_classes=7).eval()
    load_checkpoint(dst, to_videomae(src))
    with torch.no_grad():
        torch.testing.assert_close(dst(X), src(X), atol=1e-5, rtol=1e-5)


def test_videomae_pretrain_checkpoint_loads_the_encoder():
    enc = _videomae_finetune_state()
    sd = {"encoder." + k: v for k, v in enc.items() if not k.startswith(("fc_norm", "head"))}
    sd.update({"encoder.norm.weight": torch.ones(64), "encoder.norm.bias": torch.zeros(64),
               "encoder_to_decoder.weight": torch.randn(32, 64), "mask_token": torch.zeros(1, 1, 32),
               "decoder.head.weight": torch.randn(384, 32)})
    vit = create_model("vit_tiny_test")
    report = load_encoder(vit, {"model": sd})
    assert report.source == "videomae"
    assert torch.equal(vit.blocks[1].attn.qkv.bias[:64], enc["blocks.1.attn.q_bias"])
    assert torch.equal(vit.blocks[1].attn.qkv.bias[64:128], torch.zeros(64))
    assert {"encoder_to_decoder.weight", "mask_token", "norm.weight"} <= set(report.unexpected)
    assert any("decoder not imported" in n for n in report.notes)
    bad = dict(sd, **{"encoder.blocks.0.gamma_1": torch.ones(64)})
    with pytest.raises(ValueError, match="layer scale"):
        load_encoder(vit, bad)


# --------------------------------------------------------------------------------------------------
# OmniMAE / PPMA
# --------------------------------------------------------------------------------------------------
def test_ppma_mae_round_trip_keeps_decoder_and_loss():
    src = _randomise(create_model("mae_vit_tiny_test"))
    sd = to_omnimae(src)
    assert sd["trunk.mask_token"].shape == (1, 64)
    assert {"trunk.patch_embed.proj.1.weight", "trunk.pos_embed", "trunk.decoder.pos_embed",
            "trunk.decoder.norm.weight",
            "trunk.decoder.decoder_blocks.0.attn.qkv.weight", "heads.0.projector.weight"} <= set(sd)
    assert detect_source({"model": sd}) == "ppma"
    dst = create_model("mae_vit_tiny_test")
    report = load_checkpoint(dst, {"model": sd, "epoch": 199}, source="omnimae")
    assert report.missing == [] and report.unexpected == []
    assert _same(dst.state_dict(), src.state_dict())
    mask = src.draw_masks(2, torch.Generator().manual_seed(0))
    torch.testing.assert_close(dst(X, mask=mask).loss, src(X, mask=mask).loss)


def test_ppma_align_checkpoint_into_heads_and_downstream():
    src = _randomise(MultiSourceClassifier(create_model("vit_tiny_test"), {"inpk150": 5, "sim150": 5}))
    sd = to_omnimae(src)
    assert {"heads.0.0.weight", "heads.1.0.weight"} <= set(sd)
    dst = MultiSourceClassifier(create_model("vit_tiny_test"), {"nh": 5, "synth": 5})
    report = load_checkpoint(dst, sd)
    assert report.missing == [] and any("by position" in n for n in report.notes)
    assert torch.equal(dst.heads["synth"].weight, src.heads["sim150"].weight)
    trunk = encoder_state(sd)  # what soups average: trunk only, our names
    assert "norm.weight" in trunk and not any(k.startswith("head") for k in trunk)
    assert torch.equal(trunk["patch_embed.proj.weight"], src.trunk.patch_embed.proj.weight)


def test_learned_position_table_is_rejected():
    sd = to_omnimae(create_model("vit_tiny_test"))
    sd["trunk.pos_embed"] = torch.randn_like(sd["trunk.pos_embed"])
    with pytest.raises(ValueError, match="learned position table"):
        load_checkpoint(create_model("vit_tiny_test"), sd)
