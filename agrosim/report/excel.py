"""The Excel workbook results.xlsx: targets, indicators by year (medians for Monte Carlo), assumptions, and
when present tracking and allocation."""
from __future__ import annotations

from pathlib import Path
from typing import Mapping

import pandas as pd
from openpyxl.utils import get_column_letter

SHEETS = ("targets", "indicators by year", "assumptions", "provenance", "metadata")

#: Chinese sheet names (`lang="zh"`); a sheet not listed keeps its English name
SHEETS_ZH = {"targets": "目标", "indicators by year": "逐年指标", "assumptions": "假设与参数", "provenance": "目标出处",
             "metadata": "运行信息", "tracking": "进度跟踪", "allocation": "资金分配", "allocation P(met)": "资金分配_实现概率",
             "allocation marginal": "资金分配_边际效益", "allocation budget curve": "资金分配_预算曲线",
             "allocation costs ±25 %": "资金分配_成本敏感性", "allocation settings": "资金分配_设置"}

#: Chinese column headers (`lang="zh"`); the CSV files keep the English names, columns not listed (years) stay
HEADERS_ZH = {
    "target": "目标", "indicator": "指标", "label_en": "英文名称", "label_zh": "中文名称", "kind": "类型",
    "aspirational": "力争", "year": "年份", "target_value": "目标值", "unit": "单位", "projected": "预测值",
    "gap": "差距", "gap_pct": "差距 %", "verdict": "结论", "p_met": "实现概率", "p_low": "概率下限",
    "p_high": "概率上限", "runs": "模拟次数", "first_year_reached": "首次达到年份", "source": "出处", "sector": "产业",
    "parameter": "参数", "description": "说明（英文）", "value": "取值", "assumption": "假设", "range": "合理范围",
    "note": "备注", "set_in": "来源层级", "uncertainty": "蒙特卡洛分布", "seed": "文件", "line": "行", "quote": "原文",
    "published": "公开资料", "key": "项目", "observed": "实际值", "implied": "规划路径值", "status": "进度",
    "growth_needed_per_yr": "此后每年所需增速", "lever": "投资项目", "share": "占比", "money_10k_yuan": "金额（万元）",
}


def write_workbook(path: Path, targets: pd.DataFrame, indicators: pd.DataFrame, assumptions: pd.DataFrame,
                   provenance: pd.DataFrame, metadata: dict, extra: Mapping[str, pd.DataFrame] | None = None,
                   lang: str = "en") -> None:
    """One sheet per table, header row frozen, columns sized to their content; `extra` sheets (tracking,
    allocation) come before the metadata. In Chinese (`lang="zh"`) sheet names and headers are Chinese."""
    meta = pd.DataFrame({"key": list(metadata), "value": list(metadata.values())}, dtype=object)
    frames = dict(zip(SHEETS[:-1], (targets, indicators, assumptions, provenance)))
    frames.update(extra or {})
    frames[SHEETS[-1]] = meta
    if lang == "zh":
        frames = {SHEETS_ZH.get(name, name): frame.rename(columns=lambda c: HEADERS_ZH.get(str(c), c))
                  for name, frame in frames.items()}
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, frame in frames.items():
            frame.to_excel(writer, sheet_name=name, index=False)
            sheet = writer.sheets[name]
            sheet.freeze_panes = "A2"
            for k, column in enumerate(frame.columns, start=1):
                longest = max([len(str(column))] + [len(str(v)) for v in frame[column].head(200)])
                sheet.column_dimensions[get_column_letter(k)].width = min(max(longest + 2, 8), 60)
