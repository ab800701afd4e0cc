"""sijie's two faces: the HTTP service and the ``sijie`` command line (``api/cli.py``)."""
