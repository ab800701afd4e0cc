"""The service layer: what the routes ask of the database and the spatial core."""
