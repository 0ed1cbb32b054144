"""(being written)"""

from flask import Blueprint

bp = Blueprint("research", __name__)
