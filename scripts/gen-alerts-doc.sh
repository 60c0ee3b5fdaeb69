#!/usr/bin/env bash
# Rewrites the table of docs/alerts.md from `wormwatch --list-events` (the event
# catalogue rules/events.def is the only place alert ids are defined).
#   scripts/gen-alerts-doc.sh [path/to/wormwatch]
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${1:-build/sensor/wormwatch}"
"$bin" --list-events | python3 -c '
import sys
rows = [l.rstrip("\n").split("\t") for l in sys.stdin if l.strip()]
table = ["| id | name | severity | category | signature | when |", "|---|---|---|---|---|---|"]
table += ["| %s | `%s` | %s | %s | %s | %s |" % tuple(c.replace("|", "\\|") for c in r) for r in rows]
doc = open("docs/alerts.md").read().split("\n")
start = doc.index("| id | name | severity | category | signature | when |")
end = start
while end < len(doc) and doc[end].startswith("|"):
    end += 1
doc[start:end] = table
open("docs/alerts.md", "w").write("\n".join(doc))
'
echo "docs/alerts.md: table regenerated"
