"""Analyses built on the KPI engine: funnels, cohorts, pipeline stages."""
