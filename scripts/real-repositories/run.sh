#!/bin/bash
# run.sh WORKDIR OUTDIR: lint (json and text), matrix -g namespace and exposure on every line of
# WORKDIR/targets.txt (name|paths|extra options); stdout, stderr and exit codes land in OUTDIR.
# PL overrides the command (e.g. PL="env PYTHONPATH=/path/to/old/tree python -m policylint").
W=$1; out=$2; PL=${PL:-policylint}; mkdir -p "$out"
while IFS='|' read -r name paths extra; do
  [ -z "$name" ] && continue
  $PL lint -q -f json --fail-on never $extra $paths > "$out/$name.lint.json" 2> "$out/$name.lint.err"; echo "lint rc=$?" > "$out/$name.rc"
  $PL lint -q --fail-on never $extra $paths > "$out/$name.lint.txt" 2>/dev/null
  $PL matrix -g namespace $extra $paths > "$out/$name.matrix.txt" 2> "$out/$name.matrix.err"; echo "matrix rc=$?" >> "$out/$name.rc"
  $PL exposure $extra $paths > "$out/$name.exposure.txt" 2> "$out/$name.exposure.err"; echo "exposure rc=$?" >> "$out/$name.rc"
done < "$W/targets.txt"
grep -l Traceback "$out"/*.err && echo "TRACEBACKS above" || true
