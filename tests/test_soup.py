"""ppma_lib.models soups: weighted averaging of state dicts and the learned mixture of frozen trunks."""
from __future__ import annotations

import pytest
import torch

from ppma_lib.models import LearnedMixture, LinearProbe, average_state_dicts, count_flops, create_model, param_groups

X = torch.randn(2, 3, 4, 32, 32, generator=torch.Generator().manual_seed(0))


def _trunk_state(seed: int) -> dict[str, torch.Tensor]:
    """A distinct random trunk per seed."""
    g = torch.Generator().manual_seed(seed)
    return {k: torch.randn(v.shape, generator=g) * 0.1 for k, v in create_model("vit_tiny_test").state_dict().items()}


def test_soup_of_identical_models_is_the_model():
    model = create_model("vit_tiny_test", num_classes=3).eval()
    soup = average_state_dicts([model.state_dict()] * 3)
    other = create_model("vit_tiny_test", num_classes=3).eval()
    other.load_state_dict(soup)
    with torch.no_grad():
        torch.testing.assert_close(other(X), model(X))


def test_soup_weights():
    a, b = _trunk_state(0), _trunk_state(1)
    soup = average_state_dicts([a, b], alpha=[0.25, 0.75])
    for k in a:
        torch.testing.assert_close(soup[k], 0.25 * a[k] + 0.75 * b[k])
    key = "blocks.0.attn.qkv.weight"
    assert torch.equal(average_state_dicts([a, b], [1.0, 0.0])[key], a[key])


@pytest.mark.parametrize("alpha, match", [
    ([0.5, 0.6], "sum to 1"),
    ([1.5, -0.5], ">= 0"),
    ([1.0], "need 2 weights"),
    ([float("nan"), 1.0], "finite"),
])
def test_soup_alpha_validation(alpha, match):
    with pytest.raises(ValueError, match=match):
        average_state_dicts([_trunk_state(0), _trunk_state(1)], alpha)


def test_soup_layout_validation():
    a, b = _trunk_state(0), _trunk_state(1)
    with pytest.raises(ValueError, match="different keys"):
        average_state_dicts([a, {k: v for k, v in b.items() if k != "norm.bias"}])
    wide = create_model("vit_tiny_test", embed_dim=32).state_dict()
    with pytest.raises(ValueError, match="shape"):
        average_state_dicts([a, wide])


def test_learned_mixture_trains_only_head_and_logits():
    states = [_trunk_state(0), _trunk_state(1)]
    mix = LearnedMixture(create_model("vit_tiny_test", drop_path_rate=0.1), states, num_classes=4)
    mix.train()
    assert not mix.trunk.training
    torch.testing.assert_close(mix.mixing_weights(), torch.full((1, 2), 0.5))  # beta starts at 1/2
    mix(X).logsumexp(1).sum().backward()
    with_grad = sorted(n for n, p in mix.named_parameters() if p.grad is not None)
    assert with_grad == ["head.bias", "head.weight", "mixing_logits"]
    assert mix.mixing_logits.grad.abs().sum() > 0
    trainable = [n for g in param_groups(mix, 1e-4, mix_lr_factor=10.0) for n in g["param_names"]]
    assert sorted(trainable) == with_grad
    assert count_flops(mix, tuple(X.shape)) > count_flops(LinearProbe(create_model("vit_tiny_test"), 4), tuple(X.shape))


def test_learned_mixture_matches_the_soup_it_represents():
    states = [_trunk_state(0), _trunk_state(1)]
    mix = LearnedMixture(create_model("vit_tiny_test"), states, num_classes=4, mode="per_tensor").eval()
    assert mix.mixing_logits.shape == (len(list(mix.trunk.parameters())), 2)
    with torch.no_grad():
        mix.mixing_logits[:, 0] = torch.log(torch.tensor(3.0))  # softmax -> (0.75, 0.25) everywhere
    probe = LinearProbe(create_model("vit_tiny_test"), 4).eval()
    probe.trunk.load_state_dict(average_state_dicts(states, [0.75, 0.25]))
    probe.head.load_state_dict(mix.head.state_dict())
    with torch.no_grad():
        torch.testing.assert_close(mix(X), probe(X), atol=1e-5, rtol=1e-5)


def test_learned_mixture_validation():
    with pytest.raises(ValueError, match="missing"):
        LearnedMixture(create_model("vit_tiny_test"), [_trunk_state(0), {}], num_classes=2)
    with pytest.raises(ValueError, match="no head"):
        LearnedMixture(create_model("vit_tiny_test", num_classes=3), [_trunk_state(0)], num_classes=2)
