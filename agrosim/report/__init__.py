"""Reporting: tables, charts, report.html and results.xlsx written into reports/<name>/, all or nothing.

`writer` (report folders, atomic), `charts` (matplotlib figures from tidy tables), `tables` (the tidy
tables), `html` + `templates/` (self-contained HTML), `excel` (workbook), `lang` (en/zh wording, CJK font).
"""
