"""Readers and writers keyed by file suffix."""

from llmsynth.io.tables import SUFFIXES, TableWriter, read_table, table_format, write_table

__all__ = ["SUFFIXES", "TableWriter", "read_table", "table_format", "write_table"]
