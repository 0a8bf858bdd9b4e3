"""The shipped catalog is complete and valid; a broken one lists every problem at file:line."""

from __future__ import annotations

import pytest

from callkpi.errors import CatalogError
from callkpi.metrics.catalog import load_catalog, parse_catalog

ISSUE_2_KPIS = [
    "calls", "contact_rate", "hit_rate", "conversion_rate", "lead_conversion_rate",
    "inconclusive_calls", "aht", "sales_per_hour", "response_rate", "cost", "cpl",
    "cost_per_call", "cost_per_contact", "cost_per_sale", "cac", "revenue", "revenue_per_call",
    "revenue_per_lead", "revenue_per_customer", "roi",
]  # fmt: skip
ISSUE_2_DIMENSIONS = [
    "campaign", "agent", "team", "channel", "source", "segment", "sector", "region", "outcome",
]  # fmt: skip


def test_shipped_catalog_has_every_campaign_kpi_and_dimension() -> None:
    catalog = load_catalog()
    assert set(ISSUE_2_KPIS) <= set(catalog.kpis)
    assert set(ISSUE_2_DIMENSIONS) <= set(catalog.dimensions)


def test_every_kpi_has_french_and_english_labels_and_a_formula() -> None:
    catalog = load_catalog()
    for kpi in catalog.kpis.values():
        assert kpi.label.fr and kpi.label.en and kpi.label.fr != ""
        assert kpi.description.fr and kpi.description.en
        assert catalog.formula(kpi.id)


def test_proportions_have_wilson_intervals() -> None:
    catalog = load_catalog()
    for kpi_id in ["contact_rate", "hit_rate", "conversion_rate", "lead_conversion_rate"]:
        assert getattr(catalog.kpi(kpi_id), "interval", None) == "wilson"
    for kpi_id in ["cpl", "aht", "sales_per_hour"]:  # not proportions
        assert getattr(catalog.kpi(kpi_id), "interval", None) is None


def test_generated_formulas_read_like_the_catalog_spec() -> None:
    catalog = load_catalog()
    assert catalog.formula("contact_rate") == "contacts / calls"
    assert catalog.formula("roi") == "(revenue - cost) / cost"
    assert catalog.formula("contacts") == "count(*) of calls where outcome in contact_outcomes"


BROKEN = """\
version: 1
dimensions:
  campaign:
    label: {fr: Campagne, en: Campaign}
    column: campaign_id
kpis:
  calls:
    type: simple
    label: {fr: Appels, en: Calls}
    description: {fr: x, en: x}
    unit: count
    source: calls
    agg: count
  bad_unit:
    type: simple
    label: {fr: X, en: X}
    description: {fr: x, en: x}
    unit: parsecs
    source: calls
    agg: count
  bad_source:
    type: simple
    label: {fr: X, en: X}
    description: {fr: x, en: x}
    unit: count
    source: nowhere
    agg: count
  bad_where:
    type: simple
    label: {fr: X, en: X}
    description: {fr: x, en: x}
    unit: count
    source: calls
    agg: count
    where: __import__('os').system('rm -rf /')
  bad_ratio:
    type: ratio
    label: {fr: X, en: X}
    description: {fr: x, en: x}
    unit: percent
    numerator: calls
    denominator: callz
  loop_a:
    type: derived
    label: {fr: X, en: X}
    description: {fr: x, en: x}
    unit: ratio
    expr: loop_b + 1
  loop_b:
    type: derived
    label: {fr: X, en: X}
    description: {fr: x, en: x}
    unit: ratio
    expr: loop_a * 2
"""


def test_a_broken_catalog_reports_every_problem_with_its_line() -> None:
    with pytest.raises(CatalogError) as info:
        parse_catalog(BROKEN, "my.yaml")
    problems = info.value.problems
    text = "\n".join(problems)
    assert "my.yaml:18: 'bad_unit': unit: Input should be 'count'" in text  # the field's line
    assert "my.yaml:21: kpi 'bad_source': unknown source 'nowhere'" in text  # the KPI's line
    assert "my.yaml:28: kpi 'bad_where': only these functions may be called" in text
    assert "my.yaml:36: kpi 'bad_ratio': unknown KPI 'callz'" in text
    assert "circular definition: loop_a -> loop_b -> loop_a" in text
    assert len(problems) == 5


def test_invalid_yaml_names_the_line() -> None:
    with pytest.raises(CatalogError, match=r"my.yaml:3: not valid YAML"):
        parse_catalog("kpis:\n  a: {\n  b: ]\n", "my.yaml")


def test_a_model_kpi_cannot_feed_a_formula() -> None:
    text = """\
kpis:
  calls:
    type: simple
    label: {fr: A, en: A}
    description: {fr: a, en: a}
    unit: count
    source: calls
    agg: count
  cycle:
    type: model
    label: {fr: C, en: C}
    description: {fr: c, en: c}
    unit: days
    source: deals
    function: km_median
    duration: age_days
    event: won
  bad:
    type: derived
    label: {fr: B, en: B}
    description: {fr: b, en: b}
    unit: ratio
    expr: cycle / calls
"""
    with pytest.raises(CatalogError, match=r"x.yaml:18: kpi 'bad': 'cycle' is a model KPI"):
        parse_catalog(text, "x.yaml")
