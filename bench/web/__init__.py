"""Benchmarks of the web paths (issue 7): the case list API against a bare raw-SQL view, the
same list deep in its cursor, the dashboards, and the queries per request of every list."""
