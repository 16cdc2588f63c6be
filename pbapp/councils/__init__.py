"""Councils: the council, its wards and neighbourhoods, and its public home page."""

from flask import Blueprint

bp = Blueprint("councils", __name__)
