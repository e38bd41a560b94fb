"""ppma: pre-training video action-recognition models without real humans (PPMA + PMG)."""
__version__ = "0.1.0"
