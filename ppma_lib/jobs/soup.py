"""Model soups (PPMA §4.5, Tab. 4-5): a weight average of finished runs' trunks as a run of its own.

theta = sum_i alpha_i theta_i over the trunks of ``model.mix_inits`` (heads and decoders dropped:
the aligned models have different heads), written to this run's ``last.pt`` so downstream runs start
from it with ``model.init: run:<soup name>`` like from any other pre-trained model.
"""
from __future__ import annotations

import json
from typing import Any

from ppma_lib.config import ConfigError, Experiment, make_run_dir


def soup_recipe(alphas: tuple[float, ...], k: int) -> list[float]:
    """``soup.alphas`` normalised to sum 1 (PPMA prints 0.33 x 3); () = equal weights."""
    if not alphas:
        return [1.0 / k] * k
    if len(alphas) != k:
        raise ConfigError(f"soup.alphas has {len(alphas)} weights for {k} model.mix_inits")
    total = sum(alphas)
    return [a / total for a in alphas]


def make_soup(cfg: Experiment) -> dict[str, Any]:
    """Average the trunks of ``cfg.model.mix_inits`` with ``cfg.soup.alphas`` -> ``<run_dir>/last.pt``."""
    from ppma_lib.models.build import build_model
    from ppma_lib.models.checkpoints import encoder_state, save_checkpoint
    from ppma_lib.models.soup import average_state_dicts
    from ppma_lib.train.state import LAST, resolve_init

    refs = cfg.model.mix_inits
    if len(refs) < 2:
        raise ConfigError("a soup needs two or more trunks in model.mix_inits (run:<name> or paths)")
    alphas = soup_recipe(cfg.soup.alphas, len(refs))
    paths = [resolve_init(r, cfg.run.out_root, cfg.run.profile) for r in refs]
    states = [encoder_state(p, cfg.model.init_source) for p in paths]
    trunk = build_model(cfg.model, num_frames=cfg.data.num_frames, img_size=cfg.data.crop_size)
    trunk.load_state_dict(average_state_dicts(states, alphas))  # strict: the ingredients match the trunk
    run_dir = make_run_dir(cfg)
    save_checkpoint(run_dir / LAST, trunk, soup={"of": list(refs), "alphas": alphas})
    summary = {"run": cfg.run.name, "task": "soup", "profile": cfg.run.profile, "of": list(refs),
               "alphas": alphas, "checkpoint": str(run_dir / LAST)}
    (run_dir / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    return summary
