#!/usr/bin/env bash
# Creates the secrets docker-compose.yml mounts (var/secrets/, not in git), each a fresh random
# value; an existing file is kept. Run once before `docker compose up`.
set -euo pipefail
cd "$(dirname "$0")/.."
umask 077
mkdir -p var/secrets
for name in hub-webhook-token grafana-admin-password; do
  file="var/secrets/$name"
  if [ ! -s "$file" ]; then
    head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$file"
    echo "created $file"
  fi
  # Read inside the containers by non-root users (the directory itself stays private).
  chmod 0644 "$file"
done
