"""What each task trains, on what, with which loss: model + loaders + step + optimizer groups.

| task           | model                                   | init (``model.init``)                 | trains           |
|----------------|-----------------------------------------|---------------------------------------|------------------|
| mae            | masked autoencoder (``mae_*`` name)     | optional: a full MAE checkpoint       | everything       |
| align          | trunk + one head per source (PPMA A.1.2)| encoder only (no heads/decoder/norm)  | everything       |
| finetune       | trunk + one head                        | encoder only                          | everything       |
| scratch        | trunk + one head                        | none (random)                         | everything       |
| linear_probe   | frozen trunk + head (PPMA A.2)          | encoder only                          | the head         |
| mix_probe      | K frozen trunks mixed by softmax(beta)  | ``model.mix_inits``, whole trunks     | head + beta      |

``train.quirk_unfrozen_lp`` turns linear_probe into the released "LP", which trains the whole network.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from torch import nn
from torch.utils.data import DataLoader, Dataset

from ppma_lib.config import ConfigError, Experiment
from ppma_lib.data.datasets import MultiSourceDataset, VideoDataset
from ppma_lib.data.lists import read_list
from ppma_lib.data.loaders import eval_loader, make_loader
from ppma_lib.data.samplers import SourceBatchSampler
from ppma_lib.data.transforms import BatchMix
from ppma_lib.models.build import build_model
from ppma_lib.models.checkpoints import encoder_state, load_checkpoint, load_encoder
from ppma_lib.models.heads import LinearProbe
from ppma_lib.models.param_groups import param_groups
from ppma_lib.models.soup import LearnedMixture
from ppma_lib.sections import DataConfig
from ppma_lib.train.state import resolve_init
from ppma_lib.train.steps import ClassifyStep, MAEStep

CLASSIFY = ("align", "finetune", "scratch", "linear_probe", "mix_probe")


@dataclass
class EvalSet:
    name: str  # report name (the source name)
    loader: DataLoader
    num_classes: int
    source: str | None  # passed to a multi-source model


@dataclass
class TaskParts:
    model: nn.Module
    train: DataLoader
    step: Callable
    num_samples: int  # training videos (or images), for ppma_lib.config.derive
    evals: list[EvalSet]
    groups: list[dict[str, Any]]  # optimizer param groups with lr_scale
    init_report: str  # what was loaded from model.init / mix_inits
    find_unused: bool  # DDP: some parameters get no gradient in a step (separate heads)


def build_task(cfg: Experiment, rank: int = 0, world_size: int = 1) -> TaskParts:
    """Everything the fit loop needs for ``cfg.run.task``, on CPU (the loop moves the model)."""
    task = cfg.run.task
    if task == "mae":
        return _mae(cfg, rank, world_size)
    if task in CLASSIFY:
        return _classify(cfg, rank, world_size)
    raise ConfigError(f"run.task={task!r} trains nothing; fit() runs mae, {', '.join(CLASSIFY)}")


RANDOM_INIT = "random initialisation (model.init is empty)"


def _init_path(cfg: Experiment, spec: str) -> Path | None:
    return resolve_init(spec, cfg.run.out_root, cfg.run.profile)


def _groups(model: nn.Module, cfg: Experiment) -> list[dict[str, Any]]:
    o = cfg.optim
    groups = param_groups(model, o.weight_decay, o.layer_decay, off_by_one=o.quirk_layer_decay_off_by_one)
    out = []
    for g in groups:  # mixing logits (mix_probe) get their own lr factor (upstream mixing_lr_factor)
        mix = [i for i, n in enumerate(g["param_names"]) if n.endswith("mixing_logits")]
        rest = [i for i in range(len(g["params"])) if i not in mix]
        for keep, scale in ((rest, 1.0), (mix, o.mix_lr_factor)):
            if keep:
                out.append({**g, "params": [g["params"][i] for i in keep],
                            "param_names": [g["param_names"][i] for i in keep], "lr_scale": g["lr_scale"] * scale})
    return out


# --------------------------------------------------------------------------------------------------
# stage 1: masked autoencoding, on real clips or on pseudo-motion clips (PMG)
# --------------------------------------------------------------------------------------------------
def _mae(cfg: Experiment, rank: int, world_size: int) -> TaskParts:
    m, t, d = cfg.model, cfg.train, cfg.data
    if not m.name.startswith("mae_"):
        raise ConfigError(f"run.task=mae needs a masked-autoencoder model (model.name mae_*), got '{m.name}'")
    k = m.repeat_masks
    if t.batch_size % k:
        raise ConfigError(f"train.batch_size={t.batch_size} counts samples (clips x repeat_masks={k}): "
                          "make it a multiple of model.repeat_masks")
    # the k copies of a clip: own crop and own mask (OmniMAE/PPMA: views from the loader, one mask
    # each), or one crop and k masks (the MAE embeds the clip once)
    crops = t.repeat_views == "crops" and not cfg.pmg.enabled
    if cfg.pmg.enabled and (cfg.pmg.image_size, cfg.pmg.num_frames) != (d.crop_size, d.num_frames):
        raise ConfigError(f"pseudo-motion clips are {cfg.pmg.num_frames} x {cfg.pmg.image_size}^2 (pmg.num_frames, "
                          f"pmg.image_size) but the model is built for data.num_frames={d.num_frames}, "
                          f"data.crop_size={d.crop_size}: make them equal")
    model = build_model(dataclasses.replace(m, repeat_masks=1) if crops else m,
                        num_frames=d.num_frames, img_size=d.crop_size)
    report = RANDOM_INIT
    if path := _init_path(cfg, m.init):
        report = str(load_checkpoint(model, path, m.init_source, heads=False))
    pmg = None
    if cfg.pmg.enabled or cfg.pmg.aug_ratio > 0:
        from ppma_lib.pmg import PseudoMotionGenerator

        pmg = PseudoMotionGenerator(cfg.pmg)
    if cfg.pmg.enabled:
        loader = _image_loader(cfg, t.batch_size // k, rank, world_size)
    else:
        loader = _train_loader(cfg, _source_names(d), t.batch_size // k, k if crops else 1, rank, world_size)
    banks = []
    if cfg.pmg.aug_ratio > 0:
        from ppma_lib.pmg.stills import still_banks

        banks = still_banks(cfg.pmg, d.crop_size, cfg.run.seed, progress=t.progress and rank == 0)
    step = MAEStep(pmg, cfg.pmg.aug_ratio, d.mean, d.std, d.num_frames, banks)
    # an epoch = len(dataset) samples, counting each of the k copies (OmniMAE's repeat factor 1/k)
    return TaskParts(model, loader, step, len(loader.dataset), [], _groups(model, cfg), report, False)


class _Keyed(Dataset):
    """A ``(x, label)`` dataset addressed by the sampler's ``(index, seed)`` keys -> the loop's dict samples."""

    def __init__(self, dataset: Dataset, field: str) -> None:
        self.dataset, self.field = dataset, field

    def __len__(self) -> int:
        return len(self.dataset)

    def __getitem__(self, key: int | tuple[int, int]) -> dict[str, Any]:
        index = key[0] if isinstance(key, tuple) else key
        x, label = self.dataset[index]
        return {self.field: x if self.field == "image" else x[None], "label": label, "index": index}

    def set_epoch(self, epoch: int) -> None:
        if hasattr(self.dataset, "set_epoch"):
            self.dataset.set_epoch(epoch)


def _image_loader(cfg: Experiment, batch_size: int, rank: int, world_size: int) -> DataLoader:
    """PMG input: still images (``pmg.on_device``, motion made in the step) or videos made in the workers."""
    from ppma_lib.pmg.dataset import PseudoMotionDataset
    from ppma_lib.pmg.sources import build_image_source

    p = cfg.pmg
    images = build_image_source(p.image_source, p.num_images, p.num_classes, p.image_size, cfg.run.seed,
                                p.folder_classes)
    dataset = _Keyed(images, "image") if p.on_device else _Keyed(PseudoMotionDataset(images, p, cfg.run.seed), "video")
    sampler = SourceBatchSampler([len(dataset)], batch_size, cfg.train.drop_last, True, cfg.run.seed, rank, world_size)
    return make_loader(dataset, sampler, cfg.data)


def _list_data(d: DataConfig, list_path: str) -> DataConfig:
    """The data section for one list: entries resolve under ``data.root``, or under the list's own folder
    when ``data.root`` is empty (MiniSynAPT and PPMA's splits: ``<set>/train.csv`` next to ``<set>/videos``)."""
    return d if d.root else dataclasses.replace(d, root=str(Path(list_path).parent))


def _train_loader(cfg: Experiment, names: list[str], batch_size: int, num_views: int, rank: int,
                  world_size: int) -> DataLoader:
    """All ``data.train_lists``, one source per batch (``ppma_lib.data.loaders.train_loader``, per-list roots)."""
    d = cfg.data
    if not d.train_lists:
        raise ConfigError(f"run.task={cfg.run.task} needs data.train_lists")
    sources = [VideoDataset.from_list(p, _list_data(d, p).root, _list_data(d, p), mode="train", num_views=num_views,
                                      source=s, seed=cfg.run.seed) for s, p in enumerate(d.train_lists)]
    dataset = MultiSourceDataset(sources, names)
    sampler = SourceBatchSampler(dataset.sizes, batch_size, cfg.train.drop_last, True, cfg.run.seed, rank, world_size)
    return make_loader(dataset, sampler, d)


# --------------------------------------------------------------------------------------------------
# classification: align (several sources), finetune / scratch, linear and mixing probes
# --------------------------------------------------------------------------------------------------
SPLIT_STEMS = ("train", "val", "test", "trainlist", "testlist")


def _source_names(d: DataConfig) -> list[str]:
    """``data.source_names``, else each train list's stem, or its folder for ``<set>/train.csv`` layouts."""
    if d.source_names:
        names = list(d.source_names)
    else:
        names = [Path(p).parent.name if Path(p).stem.lower() in SPLIT_STEMS else Path(p).stem for p in d.train_lists]
    if len(set(names)) != len(names):
        raise ConfigError(f"sources need distinct names (one head each), got {names}; set data.source_names")
    return names


def _num_classes(d: DataConfig, train_list: str, val_list: str | None) -> int:
    """K of a source: 1 + the largest label of its train and val lists (list paths as given, not under root)."""
    lists = [train_list] + ([val_list] if val_list else [])
    return 1 + max(label for p in lists for _, label in read_list(p, d.list_format))


def _classify(cfg: Experiment, rank: int, world_size: int) -> TaskParts:
    m, t, d, task = cfg.model, cfg.train, cfg.data, cfg.run.task
    if not d.train_lists:
        raise ConfigError(f"run.task={task} needs data.train_lists")
    if d.val_lists and len(d.val_lists) != len(d.train_lists):
        raise ConfigError(f"data.val_lists must pair with data.train_lists ({len(d.train_lists)}), got {len(d.val_lists)}")
    if m.name.startswith("mae_"):
        raise ConfigError(f"run.task={task} classifies: model.name must be a trunk (vit_*), got '{m.name}'; "
                          "the MAE checkpoint goes in model.init")
    names = _source_names(d)
    vals = list(d.val_lists) or [None] * len(names)
    classes = {n: _num_classes(d, tl, vl) for n, tl, vl in zip(names, d.train_lists, vals)}
    if task != "align" and len(names) > 1:
        raise ConfigError(f"run.task={task} trains on one source; data.train_lists has {len(names)} (use task=align)")
    if task == "scratch" and m.init:
        raise ConfigError(f"run.task=scratch trains from random weights; model.init must be empty, got '{m.init}'")

    kw = dict(num_frames=d.num_frames, img_size=d.crop_size)
    report = RANDOM_INIT
    if task == "align":
        model = build_model(m, num_classes=classes, **kw)
    elif task == "mix_probe":
        if len(m.mix_inits) < 2:
            raise ConfigError("run.task=mix_probe needs model.mix_inits: two or more trunks to mix")
        paths = [_init_path(cfg, s) for s in m.mix_inits]
        states = [encoder_state(p, m.init_source) for p in paths]
        model = LearnedMixture(build_model(m, **kw), states, classes[names[0]], m.mix_mode)
        report = f"mixing {len(paths)} trunks: " + ", ".join(map(str, paths))
    elif task == "linear_probe" and not t.quirk_unfrozen_lp:
        model = LinearProbe(build_model(m, **kw), classes[names[0]])
    else:  # finetune, scratch, and the released unfrozen "LP"
        model = build_model(m, num_classes=classes[names[0]], **kw)
    if task != "mix_probe" and (path := _init_path(cfg, m.init)):
        report = str(load_encoder(model, path, m.init_source))  # PPMA no_heads_no_decoder: fresh norm + heads

    loader = _train_loader(cfg, names, t.batch_size, 1, rank, world_size)
    mixers = [BatchMix(d, classes[n]) for n in names]
    step = ClassifyStep(mixers, names, multi_source=task == "align")
    evals = []
    if cfg.eval.enabled:
        for s, (n, vl) in enumerate(zip(names, d.val_lists)):
            el = eval_loader(_list_data(d, vl), vl, cfg.eval.batch_size, cfg.eval.num_clips, cfg.eval.num_crops,
                             rank, world_size, source=s)
            evals.append(EvalSet(n, el, classes[n], n if task == "align" else None))
    separate = task == "align" and m.head == "separate" and len(names) > 1
    return TaskParts(model, loader, step, len(loader.dataset), evals, _groups(model, cfg), report, separate)
