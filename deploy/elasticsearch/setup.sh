#!/usr/bin/env bash
# Installs the Vigil log ILM policy and index template (a data stream per day of container logs).
# Run once by the compose service elasticsearch-setup; safe to re-run (PUT is idempotent).
set -euo pipefail
dir="$(dirname "$0")"
put() {
  curl -fsS -X PUT "$ES_URL/$1" -H 'content-type: application/json' --data-binary "@$dir/$2" >/dev/null
  echo "PUT $1"
}
put _ilm/policy/vigil-logs vigil-logs-ilm.json
put _index_template/vigil-logs vigil-logs-template.json
