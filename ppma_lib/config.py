"""Typed, frozen run configuration built from layered YAML parameter files.

Layering (later wins): dataclass defaults -> the files named by ``extends:`` (recursively, in order)
-> the params file itself -> overrides (a papermill parameters cell or CLI ``key=value``).

Every key is checked against the dataclass that owns it: an unknown key, a value of the wrong type
or a missing required value raises one :class:`ConfigError` that names the dotted key and the file
that set it (or that should have set it). Derived quantities are computed in one place,
:func:`derive`, never in notebooks.
"""
from __future__ import annotations

import dataclasses
import difflib
import re
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Mapping, Sequence

import yaml

from ppma_lib.atomic import write_text_atomic
from ppma_lib.sections import (
    DataConfig,
    EvalConfig,
    MiniSynAPTConfig,
    ModelConfig,
    OptimConfig,
    PMGConfig,
    PrivacyConfig,
    SoupConfig,
    SuiteConfig,
    TrainConfig,
)

MISSING = dataclasses.MISSING
OVERRIDE_SOURCE = "<overrides>"


class ConfigError(ValueError):
    """A parameter problem, always naming the dotted key and the file it came from."""


# --------------------------------------------------------------------------------------------------
# the top-level config
# --------------------------------------------------------------------------------------------------
Task = Literal["mae", "align", "finetune", "linear_probe", "mix_probe", "scratch", "job"]


@dataclass(frozen=True)
class RunConfig:
    name: str  # run directory name under outputs/<profile>/ (required)
    task: Task = "job"  # what fit() does; "job" = a data/privacy/report job that trains nothing
    profile: Literal["smoke", "mini", "paper"] = "smoke"
    seed: int = 0  # every random choice derives from this seed
    out_root: str = "outputs"  # run dirs live in <out_root>/<profile>/<name>
    device: str = "auto"  # auto | cpu | cuda | cuda:N
    inputs: tuple[str, ...] = ()  # names of runs (same profile) this run reads from, e.g. the MAE run
    notes: str = ""  # one line shown in the book next to the run


@dataclass(frozen=True)
class Experiment:
    run: RunConfig
    model: ModelConfig = field(default_factory=ModelConfig)
    data: DataConfig = field(default_factory=DataConfig)
    optim: OptimConfig = field(default_factory=OptimConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    eval: EvalConfig = field(default_factory=EvalConfig)
    pmg: PMGConfig = field(default_factory=PMGConfig)
    privacy: PrivacyConfig = field(default_factory=PrivacyConfig)
    minisynapt: MiniSynAPTConfig = field(default_factory=MiniSynAPTConfig)
    suite: SuiteConfig = field(default_factory=SuiteConfig)  # task=job: the downstream suite of a model
    soup: SoupConfig = field(default_factory=SoupConfig)  # task=job: weights of a model soup
    source: str = ""  # the params file this was resolved from (set by resolve)

    @property
    def run_dir(self) -> Path:
        return Path(self.run.out_root) / self.run.profile / self.run.name

    def to_dict(self) -> dict[str, Any]:
        return to_plain(self)


# --------------------------------------------------------------------------------------------------
# YAML layering with provenance
# --------------------------------------------------------------------------------------------------
class _Loader(yaml.SafeLoader):
    """SafeLoader that reads ``1e-3`` as a float (YAML 1.1 wants ``1.0e-3``, which nobody writes)."""


_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
        |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
        |\.[0-9_]+(?:[eE][-+][0-9]+)?
        |[-+]?\.(?:inf|Inf|INF)
        |\.(?:nan|NaN|NAN))$""",
        re.X,
    ),
    list("-+0123456789."),
)


def load_yaml(text: str) -> Any:
    return yaml.load(text, Loader=_Loader)


def _read_yaml(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise ConfigError(f"params file not found: {path}")
    try:
        data = load_yaml(path.read_text()) or {}
    except yaml.YAMLError as e:
        raise ConfigError(f"{path}: not valid YAML: {e}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: top level must be a mapping, got {type(data).__name__}")
    return data


def _merge(dst: dict, src: Mapping, origin: dict[str, str], where: str, prefix: str = "") -> None:
    """Deep-merge ``src`` into ``dst``; record in ``origin`` which file set each dotted key."""
    for k, v in src.items():
        key = f"{prefix}{k}"
        if isinstance(v, Mapping) and isinstance(dst.get(k), dict):
            _merge(dst[k], v, origin, where, key + ".")
        else:
            dst[k] = _copy(v)
            for sub in _dotted_keys(v, key):
                origin[sub] = where
        origin.setdefault(key, where)


def _copy(v: Any) -> Any:
    return {k: _copy(x) for k, x in v.items()} if isinstance(v, Mapping) else v


def _dotted_keys(v: Any, key: str) -> list[str]:
    if isinstance(v, Mapping):
        return [key] + [s for k, x in v.items() for s in _dotted_keys(x, f"{key}.{k}")]
    return [key]


def load_layers(path: str | Path, _seen: tuple[Path, ...] = ()) -> tuple[dict, dict[str, str]]:
    """Read a params file and the chain of files it ``extends`` (relative to itself).

    Returns the merged mapping and, for every dotted key, the file that last set it.
    """
    path = Path(path)
    if path.resolve() in _seen:
        raise ConfigError(f"{path}: 'extends' cycle through {' -> '.join(map(str, _seen))}")
    raw = _read_yaml(path)
    parents = raw.pop("extends", [])
    parents = [parents] if isinstance(parents, str) else parents
    merged: dict[str, Any] = {}
    origin: dict[str, str] = {}
    for parent in parents:
        data, org = load_layers(path.parent / parent, _seen + (path.resolve(),))
        _merge(merged, data, origin, "")
        origin.update(org)
    _merge(merged, raw, origin, str(path))
    return merged, origin


def parse_overrides(items: Sequence[str] | Mapping[str, Any] | None) -> dict[str, Any]:
    """``["optim.lr=1e-3", "run.name=x"]`` or ``{"optim.lr": 1e-3}`` -> nested dict.

    String values are parsed as YAML scalars/lists, so ``1e-3`` is a float and ``[1,2]`` a list.
    """
    if not items:
        return {}
    if isinstance(items, Mapping):
        pairs = list(items.items())
    else:
        pairs = []
        for item in items:
            if "=" not in item:
                raise ConfigError(f"override '{item}' is not of the form key=value")
            k, v = item.split("=", 1)
            pairs.append((k.strip(), load_yaml(v) if v.strip() else ""))
    nested: dict[str, Any] = {}
    for dotted, value in pairs:
        node = nested
        *parents, leaf = dotted.split(".")
        for p in parents:
            node = node.setdefault(p, {})
        node[leaf] = value
    return nested


# --------------------------------------------------------------------------------------------------
# strict, typed construction
# --------------------------------------------------------------------------------------------------
def _type_name(tp: Any) -> str:
    return getattr(tp, "__name__", None) or str(tp).replace("typing.", "")


def _coerce(value: Any, tp: Any, key: str, where: str) -> Any:
    """Check ``value`` against the annotation ``tp`` and return it in canonical form."""
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)

    def fail(expected: str) -> typing.NoReturn:
        raise ConfigError(
            f"{where}: key '{key}' expects {expected}, got {value!r} ({type(value).__name__})"
        )

    if tp is Any:
        return value
    if dataclasses.is_dataclass(tp):
        if not isinstance(value, Mapping):
            fail(f"a mapping of {tp.__name__} fields")
        return build(tp, value, where, prefix=key + ".")
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        errors = []
        for a in (a for a in args if a is not type(None)):
            try:
                return _coerce(value, a, key, where)
            except ConfigError as e:
                errors.append(str(e))
        fail(" or ".join(_type_name(a) for a in args))
    if origin is Literal:
        if value not in args:
            fail("one of " + ", ".join(repr(a) for a in args))
        return value
    if origin in (tuple, list):
        if not isinstance(value, (list, tuple)):
            fail(f"a list ({_type_name(tp)})")
        if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
            return tuple(_coerce(v, args[0], f"{key}[{i}]", where) for i, v in enumerate(value))
        if origin is tuple and args:
            if len(value) != len(args):
                fail(f"a list of {len(args)} items")
            return tuple(_coerce(v, a, f"{key}[{i}]", where) for i, (v, a) in enumerate(zip(value, args)))
        inner = args[0] if args else Any
        return origin(_coerce(v, inner, f"{key}[{i}]", where) for i, v in enumerate(value))
    if origin is dict:
        if not isinstance(value, Mapping):
            fail("a mapping")
        vt = args[1] if args else Any
        return {str(k): _coerce(v, vt, f"{key}.{k}", where) for k, v in value.items()}
    if tp is bool:
        if not isinstance(value, bool):
            fail("a bool (true/false)")
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            fail("an int")
        return value
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            fail("a number")
        return float(value)
    if tp is str:
        if not isinstance(value, str):
            fail("a string")
        return value
    raise ConfigError(f"{where}: key '{key}' has an unsupported annotation {tp!r}")


def build(cls: type, data: Mapping[str, Any], where: str | Mapping[str, str] = "<dict>", prefix: str = "") -> Any:
    """Construct the frozen dataclass ``cls`` from ``data``, strictly.

    ``where`` is a file name, or a mapping dotted-key -> file (the provenance from :func:`load_layers`).
    """
    origin = where if isinstance(where, Mapping) else None

    def source(key: str) -> str:
        if origin is None:
            return str(where)
        while key:
            if key in origin:
                return origin[key] or OVERRIDE_SOURCE
            key = key.rpartition(".")[0]
        return origin.get("", "<params>")

    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if f.init}
    for k in data:
        if k not in fields:
            close = difflib.get_close_matches(str(k), list(fields), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise ConfigError(
                f"{source(prefix + str(k))}: unknown key '{prefix}{k}'{hint}; "
                f"{cls.__name__} accepts: {', '.join(sorted(fields))}"
            )
    kwargs = {}
    for name, f in fields.items():
        key = prefix + name
        if name in data:
            sub_where: Any = origin if origin is not None else where
            tp = hints[name]
            if dataclasses.is_dataclass(tp):
                if not isinstance(data[name], Mapping):
                    raise ConfigError(f"{source(key)}: key '{key}' expects a mapping of {tp.__name__} fields")
                kwargs[name] = build(tp, data[name], sub_where, prefix=key + ".")
            else:
                kwargs[name] = _coerce(data[name], tp, key, source(key))
        elif f.default is MISSING and f.default_factory is MISSING:
            tp = hints[name]
            if dataclasses.is_dataclass(tp):
                kwargs[name] = build(tp, {}, origin if origin is not None else where, prefix=key + ".")
            else:
                raise ConfigError(f"{source(prefix.rstrip('.') or '')}: missing required key '{key}'")
    try:
        return cls(**kwargs)
    except (TypeError, ValueError) as e:  # __post_init__ checks raise ValueError
        if isinstance(e, ConfigError):
            raise
        raise ConfigError(f"{source(prefix.rstrip('.'))}: {prefix.rstrip('.') or cls.__name__}: {e}") from None


def to_plain(obj: Any) -> Any:
    """Dataclasses/tuples -> plain dicts/lists, for YAML and JSON."""
    if dataclasses.is_dataclass(obj):
        return {f.name: to_plain(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, (list, tuple)):
        return [to_plain(v) for v in obj]
    if isinstance(obj, dict):
        return {k: to_plain(v) for k, v in obj.items()}
    return obj


# --------------------------------------------------------------------------------------------------
# resolve + derived values
# --------------------------------------------------------------------------------------------------
def resolve(
    params_file: str | Path,
    overrides: Sequence[str] | Mapping[str, Any] | None = None,
    **kw: Any,
) -> Experiment:
    """Resolve a params file + overrides into a validated :class:`Experiment`.

    ``overrides`` is a list of ``key=value`` strings or a mapping of dotted keys; keyword arguments
    with ``__`` for dots (``optim__lr=1e-3``) are accepted too, for notebooks.
    """
    data, origin = load_layers(params_file)
    extra = parse_overrides(overrides)
    extra = _deep_update(extra, parse_overrides({k.replace("__", "."): v for k, v in kw.items()}))
    _merge(data, extra, origin, OVERRIDE_SOURCE)
    for written_by_us in ("source", "derived"):  # keys of params.resolved.yaml, so it resolves again
        data.pop(written_by_us, None)
    cfg = build(Experiment, data, origin)
    return dataclasses.replace(cfg, source=str(params_file))


def _deep_update(a: dict, b: Mapping) -> dict:
    for k, v in b.items():
        a[k] = _deep_update(a.get(k, {}), v) if isinstance(v, Mapping) and isinstance(a.get(k), dict) else v
    return a


@dataclass(frozen=True)
class Derived:
    """Quantities computed from a config (and the dataset size, when known)."""

    effective_batch: int  # batch_size x grad_accum x world_size
    lr: float  # absolute peak lr = base lr x effective batch / 256
    tokens_per_clip: int  # L = (T/u) (H/p) (W/p)
    visible_tokens: int  # tokens the MAE encoder sees
    steps_per_epoch: int | None  # None until the dataset size is known
    total_steps: int | None


def derive(cfg: Experiment, num_samples: int | None = None, world_size: int = 1) -> Derived:
    m, t = cfg.model, cfg.train
    eff = t.batch_size * t.grad_accum * world_size
    grid_t = cfg.data.num_frames // m.tubelet
    grid_s = (cfg.data.crop_size // m.patch_size) ** 2
    tokens = grid_t * grid_s
    if m.mask_type == "tube":
        visible = grid_t * (grid_s - int(m.mask_ratio * grid_s))
    else:
        visible = tokens - int(m.mask_ratio * tokens)
    steps = None
    if num_samples is not None:
        per_step = t.batch_size * world_size
        steps = max(1, num_samples // per_step) // t.grad_accum if t.drop_last else -(-num_samples // per_step) // t.grad_accum
        steps = max(1, steps)
        if t.max_steps_per_epoch:
            steps = min(steps, t.max_steps_per_epoch)
    return Derived(
        effective_batch=eff,
        lr=cfg.optim.base_lr * eff / 256,
        tokens_per_clip=tokens,
        visible_tokens=visible,
        steps_per_epoch=steps,
        total_steps=None if steps is None else steps * t.epochs,
    )


def resolved_doc(cfg: Experiment) -> dict[str, Any]:
    """What ``params.resolved.yaml`` holds: the config plus derived values, as plain data."""
    return {**cfg.to_dict(), "derived": dataclasses.asdict(derive(cfg))}


def write_resolved(cfg: Experiment, run_dir: str | Path | None = None) -> Path:
    """Write ``params.resolved.yaml`` (the config plus derived values) into the run directory."""
    run_dir = Path(run_dir) if run_dir is not None else cfg.run_dir
    run_dir.mkdir(parents=True, exist_ok=True)
    path = run_dir / "params.resolved.yaml"
    return write_text_atomic(path, yaml.safe_dump(resolved_doc(cfg), sort_keys=False))


def run_ref(spec: str) -> tuple[str, int | None]:
    """``"run:<name>"`` -> (name, None); ``"run:<name>@ep<N>"`` -> (name, N), that run's checkpoint of epoch N."""
    name, _, epoch = spec.removeprefix("run:").partition("@")
    if epoch and not (epoch.startswith("ep") and epoch[2:].isdigit()):
        raise ValueError(f"model.init={spec!r}: write run:<name> or run:<name>@ep<N>")
    return name, int(epoch[2:]) if epoch else None


def params_match(cfg: Experiment, root: str | Path = ".") -> bool:
    """Whether ``cfg.run_dir`` (under ``root``) holds a ``params.resolved.yaml`` written for ``cfg``'s
    parameters; where the params file was named from (``source``) is not a parameter."""
    path = Path(root) / cfg.run_dir / "params.resolved.yaml"
    if not path.is_file():
        return False
    old, new = yaml.safe_load(path.read_text()) or {}, resolved_doc(cfg)
    old.pop("source", None), new.pop("source", None)
    return old == new


def clear_stale_run(cfg: Experiment, root: str | Path = ".") -> bool:
    """Remove ``cfg.run_dir`` (under ``root``) when its ``params.resolved.yaml`` was written for other
    parameters, so that ``train.resume=auto`` does not continue (or take as finished) a run of another config;
    an interrupted run of the same config is kept and resumes. -> whether it was removed."""
    import shutil

    run_dir = Path(root) / cfg.run_dir
    if (run_dir / "params.resolved.yaml").is_file() and not params_match(cfg, root):
        shutil.rmtree(run_dir)
        return True
    return False


def make_run_dir(cfg: Experiment) -> Path:
    """Create ``outputs/<profile>/<run>/`` and write ``params.resolved.yaml`` into it."""
    write_resolved(cfg)
    return cfg.run_dir
