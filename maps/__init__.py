"""Folium web maps of sijie's results, for GIS staff, field reviewers and public briefings.

Map builders are functions from ``geo`` results to a ``folium.Map``; they never import ``api``.
"""
