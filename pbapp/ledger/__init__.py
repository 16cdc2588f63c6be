"""The budget-setting record: budget books, lines, changes, council responses and delivery."""

from flask import Blueprint

bp = Blueprint("ledger", __name__, url_prefix="/ledger")
