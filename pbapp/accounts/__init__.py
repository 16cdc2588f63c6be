"""Accounts: people, roles per council, sign-in, password resets and invitations."""

from flask import Blueprint

bp = Blueprint("accounts", __name__, url_prefix="/accounts")
