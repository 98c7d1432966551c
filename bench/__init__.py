"""``make bench``: benchmarks measured as ratios against a floor in the same run.

One module per benchmark (``bench.minutas``, …), each with a ``medir(opciones) -> Seccion``;
``bench.runner`` prepares the data once, runs them and writes ``docs/benchmarks.md``
(``bench.informe``). Run with ``python -m bench`` (see ``bench/__main__.py``).
"""
