"""Config layering (defaults -> extends -> file -> overrides) and every validation error."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from ppma_lib.config import ConfigError, Experiment, derive, make_run_dir, parse_overrides, resolve


def write(path: Path, doc: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(doc))
    return path


@pytest.fixture
def layered(tmp_path: Path) -> Path:
    write(tmp_path / "paper" / "mae.yaml", {
        "run": {"name": "mae", "task": "mae", "profile": "paper"},
        "model": {"name": "mae_vit_b", "mask_ratio": 0.9},
        "optim": {"base_lr": 1.6e-3, "betas": [0.9, 0.95]},
        "train": {"batch_size": 16, "epochs": 200},
    })
    return write(tmp_path / "mini" / "mae.yaml", {
        "extends": "../paper/mae.yaml",
        "run": {"profile": "mini"},
        "model": {"name": "mae_vit_t"},
        "train": {"epochs": 3},
    })


def test_layering_later_wins(layered: Path) -> None:
    cfg = resolve(layered)
    assert isinstance(cfg, Experiment)
    assert cfg.run.profile == "mini"  # profile file beats base
    assert cfg.model.name == "mae_vit_t"
    assert cfg.model.mask_ratio == 0.9  # inherited from the base file
    assert cfg.train.epochs == 3 and cfg.train.batch_size == 16
    assert cfg.optim.betas == (0.9, 0.95)  # list -> typed tuple
    assert cfg.data.num_frames == 16  # dataclass default


def test_overrides_win_and_are_typed(layered: Path) -> None:
    cfg = resolve(layered, ["train.epochs=5", "optim.base_lr=1e-3", "run.name=other"])
    assert cfg.train.epochs == 5 and cfg.optim.base_lr == 1e-3 and cfg.run.name == "other"
    cfg2 = resolve(layered, {"train.epochs": 7}, model__mask_ratio=0.75)
    assert cfg2.train.epochs == 7 and cfg2.model.mask_ratio == 0.75


def test_frozen(layered: Path) -> None:
    cfg = resolve(layered)
    with pytest.raises(AttributeError):
        cfg.train.epochs = 1  # type: ignore[misc]


def test_unknown_key_names_key_and_file(layered: Path) -> None:
    doc = yaml.safe_load(layered.read_text())
    doc["model"]["mask_ration"] = 0.5
    layered.write_text(yaml.safe_dump(doc))
    with pytest.raises(ConfigError) as e:
        resolve(layered)
    msg = str(e.value)
    assert "model.mask_ration" in msg and str(layered) in msg and "did you mean 'mask_ratio'" in msg


def test_unknown_key_in_base_names_base_file(layered: Path) -> None:
    base = layered.parent.parent / "paper" / "mae.yaml"
    doc = yaml.safe_load(base.read_text())
    doc["train"]["epochz"] = 1
    base.write_text(yaml.safe_dump(doc))
    with pytest.raises(ConfigError, match=r"paper/mae\.yaml: unknown key 'train\.epochz'"):
        resolve(layered)


def test_unknown_section(layered: Path) -> None:
    with pytest.raises(ConfigError, match="unknown key 'trainer'"):
        resolve(layered, ["trainer.epochs=1"])


@pytest.mark.parametrize(
    "override, expected",
    [
        ("train.epochs=1.5", "train.epochs' expects an int"),
        ("train.epochs=true", "train.epochs' expects an int"),
        ("optim.base_lr=fast", "optim.base_lr' expects a number"),
        ("train.compile=1", "train.compile' expects a bool"),
        ("model.mask_type=cube", "model.mask_type' expects one of 'random', 'tube'"),
        ("optim.betas=[0.9]", "optim.betas' expects a list of 2 items"),
        ("data.train_lists=a.csv", "data.train_lists' expects a list"),
        ("model=3", "model' expects a mapping"),
    ],
)
def test_wrong_types(layered: Path, override: str, expected: str) -> None:
    with pytest.raises(ConfigError) as e:
        resolve(layered, [override])
    assert expected in str(e.value) and "<overrides>" in str(e.value)


def test_wrong_type_in_file_names_file(layered: Path) -> None:
    doc = yaml.safe_load(layered.read_text())
    doc["train"]["epochs"] = "three"
    layered.write_text(yaml.safe_dump(doc))
    with pytest.raises(ConfigError, match=rf"{layered}: key 'train.epochs' expects an int"):
        resolve(layered)


def test_missing_required(tmp_path: Path) -> None:
    f = write(tmp_path / "x.yaml", {"model": {"name": "vit_t"}})
    with pytest.raises(ConfigError, match="missing required key 'run.name'"):
        resolve(f)


def test_post_init_validation_names_file(tmp_path: Path) -> None:
    f = write(tmp_path / "x.yaml", {"run": {"name": "x"}, "model": {"mask_ratio": 1.5}})
    with pytest.raises(ConfigError, match=rf"{f}.*mask_ratio must be in"):
        resolve(f)


def test_missing_file_and_bad_yaml(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="params file not found"):
        resolve(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("run: [unclosed")
    with pytest.raises(ConfigError, match="not valid YAML"):
        resolve(bad)


def test_extends_cycle(tmp_path: Path) -> None:
    write(tmp_path / "a.yaml", {"extends": "b.yaml", "run": {"name": "a"}})
    write(tmp_path / "b.yaml", {"extends": "a.yaml"})
    with pytest.raises(ConfigError, match="cycle"):
        resolve(tmp_path / "a.yaml")


def test_bad_override_syntax(layered: Path) -> None:
    with pytest.raises(ConfigError, match="key=value"):
        resolve(layered, ["train.epochs"])


def test_parse_overrides_yaml_scalars() -> None:
    assert parse_overrides(["a.b=1e-3", "a.c=[1, 2]", "d=hello"]) == {"a": {"b": 1e-3, "c": [1, 2]}, "d": "hello"}


def test_derived_values(layered: Path) -> None:
    cfg = resolve(layered, ["data.num_frames=16", "data.crop_size=224", "train.batch_size=32", "train.grad_accum=2"])
    d = derive(cfg, num_samples=1000, world_size=2)
    assert d.effective_batch == 128
    assert d.lr == pytest.approx(1.6e-3 * 128 / 256)
    assert d.tokens_per_clip == 8 * 14 * 14 == 1568
    assert d.visible_tokens == 1568 - int(0.9 * 1568) == 157  # random masking: exact count
    assert d.steps_per_epoch == (1000 // 64) // 2
    tube = derive(resolve(layered, ["model.mask_type=tube", "model.mask_ratio=0.9"]))
    assert tube.visible_tokens == 8 * (196 - int(0.9 * 196)) == 160  # VideoMAE: 160 visible


def test_run_dir_and_resolved_file(layered: Path, tmp_path: Path) -> None:
    cfg = resolve(layered, [f"run.out_root={tmp_path / 'outputs'}"])
    run_dir = make_run_dir(cfg)
    assert run_dir == tmp_path / "outputs" / "mini" / "mae"
    doc = yaml.safe_load((run_dir / "params.resolved.yaml").read_text())
    assert doc["model"]["name"] == "mae_vit_t" and doc["derived"]["tokens_per_clip"] == 1568
    # the resolved file is itself a valid params file that resolves to the same config
    again = resolve(run_dir / "params.resolved.yaml")
    assert again.to_dict() | {"source": ""} == cfg.to_dict() | {"source": ""}
