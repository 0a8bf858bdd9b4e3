"""Print an import report: the counts (which always add up) and the first rejects."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from rich.console import Console
from rich.table import Table

MAX_REJECTS_SHOWN = 20


def print_import_report(report: Any, console: Console, *, as_json: bool = False) -> None:
    if as_json:
        data = asdict(report)
        console.print_json(json.dumps(data, default=str, ensure_ascii=False))
        return
    verb = "checked (dry run, nothing written)" if report.dry_run else "imported"
    console.print(
        f"{report.file_name} → {report.table} {verb}: read {report.rows_read:,} = "
        f"inserted {report.inserted:,} + updated {report.updated:,} + "
        f"rejected {report.rejected:,} + duplicates {report.duplicates:,}",
        markup=False,
    )
    if not report.rejects:
        return
    table = Table(title="Rejected rows", title_justify="left")
    for name in ("line", "column", "code", "value", "message"):
        table.add_column(name)
    for reject in report.rejects[:MAX_REJECTS_SHOWN]:
        table.add_row(
            str(reject.line), reject.column or "", reject.code, reject.value or "", reject.message
        )
    console.print(table)
    hidden = len(report.rejects) - MAX_REJECTS_SHOWN
    if hidden > 0:
        console.print(f"… and {hidden:,} more")
