"""All public money in a place: the public bodies spending in it, their budgets, and outcome areas across them."""

from flask import Blueprint

bp = Blueprint("places", __name__, url_prefix="/places")
