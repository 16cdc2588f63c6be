"""Juries: the jury, its jurors, rounds, evidence, questions, straw polls and recommendations."""

from flask import Blueprint

bp = Blueprint("juries", __name__, url_prefix="/juries")
