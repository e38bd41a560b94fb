"""The papers' reported numbers (``paper_numbers.yaml``), the runs each table needs
(``experiments.yaml``), and helpers that put the papers' numbers beside ours."""
from ppma_lib.report.papers import (
    PAPERS,
    TASKS,
    compare,
    experiments,
    list_tables,
    paper_numbers,
    paper_table,
    table_info,
    task_names,
    unique_runs,
)

__all__ = [
    "PAPERS", "TASKS", "compare", "experiments", "list_tables", "paper_numbers", "paper_table",
    "table_info", "task_names", "unique_runs",
]
