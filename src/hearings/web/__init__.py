"""The web app (`hearings.web.app.create_app`) and the full-text index it searches
(`hearings.web.search`). Kept import-light: the sync imports the index functions."""
