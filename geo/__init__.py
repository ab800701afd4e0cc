"""sijie's pure spatial core."""
