"""The seed's allocation tables (附件1 … 附件4-2) read in their own layout: rows, continuation rows, 合计.

A table from a file here; its columns and header in `header`, the lines and sums every table shares in `lines`,
each layout in `allocation`, `leaders` and `departments`."""

from pathlib import Path
from typing import IO

from zoufang.core.tabular import RowError, SheetRow, TabularError, read_rows
from zoufang.planning.tables.allocation import AllocationTable, parse_allocation_table
from zoufang.planning.tables.departments import DepartmentTable, parse_department_table
from zoufang.planning.tables.leaders import LeaderTable, parse_leader_table

__all__ = ["parse_allocation_table", "parse_department_table", "parse_leader_table", "read_allocation_table",
           "read_department_table", "read_leader_enterprise_table", "read_leader_household_table"]


def read_department_table(source: Path | IO[bytes], filename: str | None = None) -> DepartmentTable:
    """附件4-1 or 附件4-2 from a csv or xlsx file; unreadable files come back with one issue."""
    rows = _read(source, filename)
    return DepartmentTable(issues=[rows]) if isinstance(rows, RowError) else parse_department_table(rows)


def _read(source: Path | IO[bytes], filename: str | None) -> list[SheetRow] | RowError:
    try:
        return read_rows(source, filename)
    except TabularError as exc:
        return RowError(None, "", str(exc))


def read_allocation_table(source: Path | IO[bytes], filename: str | None = None) -> AllocationTable:
    """附件1 or 附件2 from a csv or xlsx file."""
    rows = _read(source, filename)
    return AllocationTable(issues=[rows]) if isinstance(rows, RowError) else parse_allocation_table(rows)


def read_leader_household_table(source: Path | IO[bytes], filename: str | None = None) -> LeaderTable:
    """附件3-1 from a csv or xlsx file."""
    rows = _read(source, filename)
    return LeaderTable(issues=[rows]) if isinstance(rows, RowError) else parse_leader_table(rows, with_villages=True)


def read_leader_enterprise_table(source: Path | IO[bytes], filename: str | None = None) -> LeaderTable:
    """附件3-2 from a csv or xlsx file."""
    rows = _read(source, filename)
    return LeaderTable(issues=[rows]) if isinstance(rows, RowError) else parse_leader_table(rows, with_villages=False)
