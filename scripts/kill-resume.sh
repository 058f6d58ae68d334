#!/usr/bin/env bash
# Kill-and-resume check of `dtl run` (issue 7: "SIGKILL during each stage, then rerun: same final
# metrics, no repeated LLM call").
#
# For each stage of the pipeline (data, pretrain, trees, judge, train): start `dtl run` on a small
# config in a fresh run directory, wait until the stage has started (for pretrain/train: until its
# first checkpoint exists; for judge: until its call cache holds rows), SIGKILL the whole process
# group, then rerun the same command to completion. The final `test` metrics (last stdout JSON line)
# must equal those of an uninterrupted reference run. For the judge stage it also counts the rows of
# the SQLite call cache left by the killed run and checks that the rerun answered at least that many
# requests from the cache (`fni.cached` in pipeline.json) and that none of those rows was re-written
# (a repeated call would replace its row with a new `updated_at`), i.e. no completed call was repeated.
#
# Usage: scripts/kill-resume.sh [WORKDIR]      (default: a fresh mktemp dir under /tmp)
# Exit status: 0 when every row passes, 1 otherwise. Prints a Markdown table.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
WORK="${1:-$(mktemp -d /tmp/dtl-kill-resume.XXXXXX)}"
mkdir -p "$WORK"
CONFIG="$WORK/config.json"
STAGES=(data pretrain trees judge train)
POLL=0.02          # seconds between polls
START_TIMEOUT=120  # seconds to wait for a stage to start

# A small config: tiny synthetic preset, one thread, MF pretrain and LightGCN train of 30 epochs each,
# the rule judge per pair (6,000 calls, so a kill lands mid-stage), small batches so stages last a moment.
cat > "$CONFIG" <<'EOF'
{
  "synthetic": { "preset": "tiny", "seed": 7 },
  "threads": 1,
  "pretrain": { "model": "mf", "epochs": 30, "lr": 0.005, "batchSize": 128 },
  "trees": { "builder": "spectral-kmeans" },
  "judge": { "llm": "rule", "per": "pair" },
  "train": { "model": "lightgcn", "layers": 2, "epochs": 30, "lr": 0.005, "batchSize": 128 }
}
EOF

cd "$ROOT"

# json_get FILE EXPR: evaluates a JS expression over `j` (the parsed last non-empty line of FILE, or
# the whole file when it is a .json file) and prints the result.
json_get() {
  node -e '
    const fs = require("fs");
    const [file, expr] = process.argv.slice(1);
    let text = fs.readFileSync(file, "utf8");
    if (!file.endsWith(".json")) text = text.trim().split("\n").filter(Boolean).pop() ?? "null";
    const j = JSON.parse(text);
    const v = new Function("j", "return (" + expr + ")")(j);
    process.stdout.write(typeof v === "string" ? v : JSON.stringify(v) ?? "undefined");
  ' "$1" "$2"
}

# cache_rows DB: rows with status ok in the judge cache (0 when the file does not exist yet).
cache_rows() {
  local db="$1"
  if [ ! -f "$db" ]; then echo 0; return; fi
  if command -v sqlite3 >/dev/null 2>&1; then
    sqlite3 "$db" "SELECT count(*) FROM judge_calls WHERE status = 'ok';" 2>/dev/null || echo 0
  else
    node -e '
      const Database = require(require.resolve("better-sqlite3", { paths: [process.argv[2]] }));
      const db = new Database(process.argv[1], { readonly: true });
      process.stdout.write(String(db.prepare("SELECT count(*) AS n FROM judge_calls WHERE status = ?").get("ok").n));
    ' "$db" "$ROOT/packages/llm-fn"
  fi
}

# dump_ok_rows DB: "key|updated_at" of every ok row, sorted. A completed call that a rerun repeated
# would be re-written (INSERT OR REPLACE, new updated_at), so these lines would change.
dump_ok_rows() {
  local db="$1"
  if [ ! -f "$db" ]; then return; fi
  if command -v sqlite3 >/dev/null 2>&1; then
    sqlite3 "$db" "SELECT key || '|' || updated_at FROM judge_calls WHERE status = 'ok';" | LC_ALL=C sort
  else
    node -e '
      const Database = require(require.resolve("better-sqlite3", { paths: [process.argv[2]] }));
      const db = new Database(process.argv[1], { readonly: true });
      for (const r of db.prepare("SELECT key, updated_at FROM judge_calls WHERE status = ?").all("ok")) console.log(r.key + "|" + r.updated_at);
    ' "$db" "$ROOT/packages/llm-fn" | LC_ALL=C sort
  fi
}

# in_progress DIR: the first pipeline stage without a finished record (stage.json).
in_progress() {
  local dir="$1" s
  for s in "${STAGES[@]}"; do
    if [ ! -f "$dir/stages/$s/stage.json" ]; then echo "$s"; return; fi
  done
  echo "report/finished"
}

run_to_end() { # run_to_end OUTDIR LOGPREFIX
  pnpm --silent dtl run --config "$CONFIG" --out "$1" --json >"$2.out" 2>"$2.err"
}

echo "work dir: $WORK" >&2
echo "reference run (uninterrupted)…" >&2
rm -rf "$WORK/ref"
run_to_end "$WORK/ref" "$WORK/ref"
REF_TEST="$(json_get "$WORK/ref.out" 'j.test')"
echo "reference test recall@20: $(json_get "$WORK/ref.out" 'j.test["recall@20"]')" >&2

ROWS=()
ALL_OK=1
for stage in "${STAGES[@]}"; do
  # Where to wait before the kill, and extra delays to try (a stage that already finished at kill
  # time is retried in a fresh directory with the next, shorter delay).
  case "$stage" in
    pretrain | train) marker="stages/$stage/checkpoint.bin"; delays=(0 0 0) ;;
    judge) marker="stages/judge/judge-cache.sqlite"; delays=(0.15 0.05 0) ;;
    *) marker="stages/$stage/started.json"; delays=(0 0 0) ;;
  esac
  attempt=0
  for delay in "${delays[@]}"; do
    attempt=$((attempt + 1))
    dir="$WORK/kill-$stage"
    rm -rf "$dir"
    echo "[$stage] attempt $attempt: start, wait for $marker (+${delay}s), kill -9 the process group" >&2
    setsid pnpm --silent dtl run --config "$CONFIG" --out "$dir" --json >"$dir.killed.out" 2>"$dir.killed.err" &
    pgid=$!
    waited=0
    while [ ! -e "$dir/$marker" ] && kill -0 "$pgid" 2>/dev/null; do
      sleep "$POLL"
      waited=$(awk -v w="$waited" -v p="$POLL" 'BEGIN { print w + p }')
      if awk -v w="$waited" -v t="$START_TIMEOUT" 'BEGIN { exit !(w > t) }'; then break; fi
    done
    [ "$delay" != 0 ] && sleep "$delay"
    kill -9 -- "-$pgid" 2>/dev/null || true
    wait "$pgid" 2>/dev/null || true
    sleep 0.2 # let the kernel reap the group before files are inspected
    at_kill="$(in_progress "$dir")"
    if [ "$at_kill" = "$stage" ] || [ "$attempt" = "${#delays[@]}" ]; then break; fi
    echo "[$stage] the kill landed in '$at_kill', retrying" >&2
  done
  rows_at_kill="-"
  if [ "$stage" = judge ]; then
    rows_at_kill="$(cache_rows "$dir/stages/judge/judge-cache.sqlite")"
    dump_ok_rows "$dir/stages/judge/judge-cache.sqlite" >"$dir.rows-at-kill"
  fi

  echo "[$stage] killed while '$at_kill' was in progress; rerunning to completion" >&2
  rc=0
  run_to_end "$dir" "$dir.rerun" || rc=$?
  resumed="no (exit $rc)"
  equal="-"
  skipped="-"
  note=""
  if [ "$rc" = 0 ]; then
    resumed="yes"
    TEST="$(json_get "$dir.rerun.out" 'j.test')"
    if [ "$TEST" = "$REF_TEST" ]; then equal="yes"; else equal="NO"; ALL_OK=0; fi
    skipped="$(json_get "$dir.rerun.out" 'Object.entries(j.stages).filter(([, v]) => v.skipped).map(([k]) => k).join(",") || "none"')"
    if [ "$at_kill" = pretrain ] || [ "$at_kill" = train ]; then
      note="resumed from epoch $(json_get "$dir/stages/$at_kill/stage.json" 'j.output.resumed_from_epoch')"
    fi
    if [ "$stage" = judge ]; then
      calls="$(json_get "$dir/pipeline.json" 'j.fni.calls')"
      cached="$(json_get "$dir/pipeline.json" 'j.fni.cached')"
      requests="$(json_get "$dir/pipeline.json" 'j.fni.requests')"
      dump_ok_rows "$dir/stages/judge/judge-cache.sqlite" >"$dir.rows-after"
      rewritten="$(LC_ALL=C comm -23 "$dir.rows-at-kill" "$dir.rows-after" | wc -l)"
      verdict="ok"
      if [ "$cached" -lt "$rows_at_kill" ] || [ "$rewritten" -gt 0 ]; then verdict="REPEATED CALLS"; ALL_OK=0; fi
      note="cache rows at kill $rows_at_kill, of them re-written by the rerun $rewritten; rerun: $cached cached + $calls calls of $requests requests — $verdict"
    fi
  else
    ALL_OK=0
  fi
  [ "$at_kill" != "$stage" ] && note="${note:+$note; }kill landed in '$at_kill' after $attempt attempts"
  ROWS+=("| $stage | $at_kill | $resumed | $skipped | $equal | $note |")
done

echo
echo "| stage killed | in progress at kill | resumed OK? | skipped on rerun | test metrics equal? | notes |"
echo "|---|---|---|---|---|---|"
for r in "${ROWS[@]}"; do echo "$r"; done
echo
echo "reference: $WORK/ref (test recall@20 $(json_get "$WORK/ref.out" 'j.test["recall@20"]'), ndcg@20 $(json_get "$WORK/ref.out" 'j.test["ndcg@20"]'))"
[ "$ALL_OK" = 1 ] && echo "all stages: resumed with identical test metrics" || echo "FAILURES above"
[ "$ALL_OK" = 1 ]
