"""Homes: each role's workspace after sign-in, the service's front door and its footer pages.

Homes only read: each role's home is gathered by one service from the domains' tables and
services, and links to the pages where the work is done.
"""

from flask import Blueprint

bp = Blueprint("homes", __name__)
