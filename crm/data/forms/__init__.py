"""Forms of the data screens: the exports' (``forms/exports.py``) and the import wizard's
(``forms/imports.py``)."""
