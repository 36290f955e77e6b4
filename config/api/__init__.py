"""API conventions written once for every app (SPEC §2): errors, pagination, sorting, field
selection, user references, datetimes, ETags and the OpenAPI description of all of them."""
