"""Sortition: pools, features and quotas, selection runs and replacements."""

from flask import Blueprint

bp = Blueprint("sortition", __name__, url_prefix="/sortition")
