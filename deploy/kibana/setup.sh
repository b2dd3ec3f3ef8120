#!/usr/bin/env bash
# Imports the Vigil data view (logs-vigil-*) and the saved search "Vigil logs by trace id"
# into Kibana (compose service kibana-setup; safe to re-run: overwrite=true).
set -euo pipefail
curl -fsS -X POST "$KIBANA_URL/api/saved_objects/_import?overwrite=true" \
  -H 'kbn-xsrf: vigil' --form file=@"$(dirname "$0")/vigil-saved-objects.ndjson"
echo
