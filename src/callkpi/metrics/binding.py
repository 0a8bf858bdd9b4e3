"""Bound parameters: user values never enter SQL text.

The compiler puts a sentinel literal wherever a value goes (`placeholder(name)`); once the
SQL tree is built, `bind` swaps each sentinel for a named placeholder of the dialect ($name
for DuckDB, %(name)s for PostgreSQL, :name for Spark SQL) and the driver receives the values
separately.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import sqlglot.expressions as sge

_SENTINEL = "__callkpi_param_{}__"


def placeholder(name: str) -> ir.StringValue:
    """A literal that `bind` turns into the placeholder `name`."""
    return ibis.literal(_SENTINEL.format(name))


def bind(tree: sge.Expression) -> sge.Expression:
    """Swap every sentinel literal for a named placeholder."""
    prefix, suffix = _SENTINEL.split("{}")

    def swap(node: sge.Expression) -> sge.Expression:
        if isinstance(node, sge.Literal) and node.is_string:
            text = node.this
            if text.startswith(prefix) and text.endswith(suffix):
                return sge.Placeholder(this=text[len(prefix) : -len(suffix)])
        return node

    return tree.transform(swap)


class _PySparkOptions(ibis.config.Config):
    """The options Ibis's PySpark compiler reads, which only its PySpark backend (never
    loaded here: it needs extras we do not use) registers; Ibis's defaults."""

    treat_nan_as_null: bool = False


def to_sql(table: ir.Table, dialect: str, pretty: bool = False) -> str:
    """Compile an Ibis expression over unbound tables to SQL with bound placeholders."""
    import ibis.backends.sql.compilers as sql_compilers

    compiler = getattr(sql_compilers, dialect).compiler
    if dialect == "pyspark" and ibis.options.pyspark is None:
        ibis.options.pyspark = _PySparkOptions()
    return bind(compiler.to_sqlglot(table.unbind())).sql(dialect=compiler.dialect, pretty=pretty)
