"""Reporting: tables and charts written into reports/<name>/, all or nothing."""
