"""Config sections: one frozen dataclass per component, in its own file, free of heavy imports.

A component receives only its own section (never the whole params dict); ``ppma_lib.config``
assembles them into the top-level ``Experiment``.
"""
from ppma_lib.sections.data import DataConfig
from ppma_lib.sections.eval import EvalConfig
from ppma_lib.sections.minisynapt import MiniSynAPTConfig
from ppma_lib.sections.model import ModelConfig
from ppma_lib.sections.optim import OptimConfig
from ppma_lib.sections.pmg import PMGConfig
from ppma_lib.sections.privacy import PrivacyConfig
from ppma_lib.sections.soup import SoupConfig
from ppma_lib.sections.suite import SuiteConfig
from ppma_lib.sections.train import TrainConfig

__all__ = [
    "DataConfig", "EvalConfig", "MiniSynAPTConfig", "ModelConfig", "OptimConfig", "PMGConfig",
    "PrivacyConfig", "SoupConfig", "SuiteConfig", "TrainConfig",
]
