"""(being written)"""

from flask import Blueprint

bp = Blueprint("qdpx", __name__)
