"""Importing regions, units, cadres, targets and allocation tables from xlsx and csv: all rows or none."""

from zoufang.registry.imports.base import ImportReport, ImportSpec, RowError
from zoufang.registry.imports.runner import KINDS, run_import, write_template

__all__ = ["KINDS", "ImportReport", "ImportSpec", "RowError", "run_import", "write_template"]
