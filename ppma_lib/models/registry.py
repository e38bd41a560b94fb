"""Models by name: ``@register_model`` on a factory, ``create_model(name, **overrides)``, ``list_models()``.

The idea of timm's registry in a few lines: a params file names the model, tests parametrise
over ``list_models()``. Factories live at the bottom of the file that defines the model.
"""
from __future__ import annotations

import difflib
import fnmatch
from typing import Callable, TypeVar

from torch import nn

_MODELS: dict[str, Callable[..., nn.Module]] = {}
F = TypeVar("F", bound=Callable[..., nn.Module])


def register_model(fn: F) -> F:
    """Register a factory under its function name."""
    if fn.__name__ in _MODELS:
        raise ValueError(f"model '{fn.__name__}' is already registered")
    _MODELS[fn.__name__] = fn
    return fn


def list_models(pattern: str = "*") -> list[str]:
    """Registered names matching the shell-style ``pattern``, sorted."""
    return sorted(n for n in _MODELS if fnmatch.fnmatch(n, pattern))


def create_model(name: str, **overrides) -> nn.Module:
    """Build the registered model ``name``; keyword ``overrides`` replace the factory's defaults."""
    if name not in _MODELS:
        close = difflib.get_close_matches(name, list(_MODELS), n=3)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise KeyError(f"unknown model '{name}'{hint}; known: {', '.join(list_models())}")
    return _MODELS[name](**overrides)
