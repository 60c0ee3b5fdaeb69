#!/usr/bin/env bash
# Rewrites the key table of docs/configuration.md from `wormwatch --list-config-keys`
# (the binary is the source of truth; unit_config checks every key is documented).
#   scripts/gen-config-doc.sh [path/to/wormwatch]
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${1:-build/sensor/wormwatch}"
"$bin" --list-config-keys | python3 -c '
import sys
rows = [l.rstrip("\n").split("\t") for l in sys.stdin if l.strip()]
table = ["| key | type | default | meaning |", "|---|---|---|---|"]
table += ["| `%s` | %s | `%s` | %s |" % (k, t, d, m.replace("|", "\\|")) for k, t, d, m in rows]
doc = open("docs/configuration.md").read().split("\n")
start = doc.index("| key | type | default | meaning |")
end = start
while end < len(doc) and doc[end].startswith("|"):
    end += 1
doc[start:end] = table
open("docs/configuration.md", "w").write("\n".join(doc))
'
echo "docs/configuration.md: key table regenerated"
