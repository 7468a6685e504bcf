"""The synthetic demo data set (``flask --app app demo``)."""
