"""Sortition: pools, features and quotas, selection runs and replacements."""
