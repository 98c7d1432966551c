"""Hostile input for the tests of issue 8, item 4: malformed uploads (``archivos``) and text
payloads for PDFs, pages and exports (``cargas``)."""
