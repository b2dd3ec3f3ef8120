#!/usr/bin/python3
"""Strict OpenMetrics 1.0 check of a /metrics body read from stdin (exit 0 valid, 1 invalid).

Debian's promtool 2.42 reads only the Prometheus text format (its OpenMetrics parser is not behind
`promtool check metrics`, and it rejects exemplars). This uses the OpenMetrics parser of the
Prometheus Python client (Debian package python3-prometheus-client, Makefile TEST_DEBS): it
enforces the `# EOF` terminator, counters' `_total` samples, exemplars only on counters and
histogram buckets (and their 128-character label limit), label and value syntax, one block per
metric family. Run it with the Debian interpreter: /usr/bin/python3 scripts/check-openmetrics.py
"""
import sys

from prometheus_client.openmetrics.parser import text_string_to_metric_families

text = sys.stdin.read()
try:
    families = list(text_string_to_metric_families(text))
except Exception as err:  # the parser raises ValueError (and a few others) with the offending line
    print(f"invalid OpenMetrics: {err}", file=sys.stderr)
    sys.exit(1)
exemplars = sum(1 for f in families for s in f.samples if s.exemplar is not None)
print(f"{len(families)} families, {sum(len(f.samples) for f in families)} samples, {exemplars} exemplars")
