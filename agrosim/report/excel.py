"""The Excel workbook results.xlsx: targets, indicators by year (medians for Monte Carlo), assumptions, and
when present tracking and allocation."""
from __future__ import annotations

from pathlib import Path
from typing import Mapping

import pandas as pd
from openpyxl.utils import get_column_letter

SHEETS = ("targets", "indicators by year", "assumptions", "provenance", "metadata")


def write_workbook(path: Path, targets: pd.DataFrame, indicators: pd.DataFrame, assumptions: pd.DataFrame,
                   provenance: pd.DataFrame, metadata: dict, extra: Mapping[str, pd.DataFrame] | None = None) -> None:
    """One sheet per table, header row frozen, columns sized to their content; `extra` sheets (tracking,
    allocation) come before the metadata."""
    meta = pd.DataFrame({"key": list(metadata), "value": list(metadata.values())}, dtype=object)
    frames = dict(zip(SHEETS[:-1], (targets, indicators, assumptions, provenance)))
    frames.update(extra or {})
    frames[SHEETS[-1]] = meta
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, frame in frames.items():
            frame.to_excel(writer, sheet_name=name, index=False)
            sheet = writer.sheets[name]
            sheet.freeze_panes = "A2"
            for k, column in enumerate(frame.columns, start=1):
                longest = max([len(str(column))] + [len(str(v)) for v in frame[column].head(200)])
                sheet.column_dimensions[get_column_letter(k)].width = min(max(longest + 2, 8), 60)
