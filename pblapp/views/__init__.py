"""Thin HTTP views: check who is asking, call the service, render or return JSON."""
