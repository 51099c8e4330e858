#!/usr/bin/env bash
# Longread's `bench` and llama.cpp's llama-bench side by side on the same model shapes, interleaved, REPS times each.
# One JSON line per measurement on stdout: {engine, rep, metric, tokens, value, unit}; progress on stderr.
#
#   scripts/compare-llamacpp.sh LLAMA_BENCH GGUF        (or set LLAMA_BENCH and GGUF in the environment)
#
# GGUF: a Q4_0 file with the shapes of LONGREAD_MODEL (see docs/performance.md for how one with random weights is
# made). Metrics: prefill tok/s at 512 and 4096 tokens; decode ms/token after 512, 4096, 8192 and 16384 cached tokens;
# Longread's decode on the 16k cache compacted to 10%; peak RSS (MiB) of the whole run at depth 8192.
# Environment: THREADS (2), REPS (2), DECODE_TOKENS (32), FLASH_ATTN (llama-bench -fa, 1), LONGREAD_MODEL
# (synthetic:Qwen--Qwen2.5-0.5B-Instruct), LLAMA_ARGS (more llama-bench options, e.g. `--poll 0` on a shared machine,
# where ggml's spinning threads lose their cores). Run `npm run build` first.
set -euo pipefail
cd "$(dirname "$0")/.."

LLAMA_BENCH=${1:-${LLAMA_BENCH:?usage: scripts/compare-llamacpp.sh LLAMA_BENCH GGUF}}
GGUF=${2:-${GGUF:?usage: scripts/compare-llamacpp.sh LLAMA_BENCH GGUF}}
THREADS=${THREADS:-2}
REPS=${REPS:-2}
N=${DECODE_TOKENS:-32}
FA=${FLASH_ATTN:-1}
MODEL=${LONGREAD_MODEL:-synthetic:Qwen--Qwen2.5-0.5B-Instruct}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# emit ENGINE REP METRIC TOKENS VALUE UNIT
emit() { printf '{"engine":"%s","rep":%s,"metric":"%s","tokens":%s,"value":%.3f,"unit":"%s"}\n' "$@"; }
# peak resident set of the last timed run, MiB
peak_mib() { awk '/Maximum resident set size/ { printf "%.1f", $NF / 1024 }' "$TMP/time"; }

longread() { # longread REP CONTEXT [bench options...]: one `bench --json` run under /usr/bin/time
  local rep=$1 ctx=$2
  shift 2
  echo "longread bench --context $ctx $*" >&2
  /usr/bin/time -v -o "$TMP/time" node dist/engine/cli/main.js bench --model "$MODEL" --context "$ctx" \
    --decode-tokens "$N" --threads "$THREADS" --device cpu --json "$@" >"$TMP/lr.json"
  local r
  r=$(<"$TMP/lr.json")
  if [ "$ctx" -le 4096 ]; then emit longread "$rep" prefill_tok_s "$ctx" "$(jq .prefillTokensPerSec <<<"$r")" tok/s; fi
  emit longread "$rep" decode_ms_per_token "$ctx" "$(jq .decodeMsPerToken <<<"$r")" ms
  if jq -e .compaction >/dev/null <<<"$r"; then
    emit longread "$rep" decode_ms_per_token_compacted_0.1 "$ctx" "$(jq .compaction.decodeMsPerToken <<<"$r")" ms
  fi
  if [ "$ctx" -eq 8192 ]; then emit longread "$rep" peak_rss_mib "$ctx" "$(peak_mib)" MiB; fi
}

llama() { # llama REP METRIC TOKENS [llama-bench options...]: one llama-bench run (1 repetition) under /usr/bin/time
  local rep=$1 metric=$2 tokens=$3
  shift 3
  echo "llama-bench $*" >&2
  /usr/bin/time -v -o "$TMP/time" "$LLAMA_BENCH" -m "$GGUF" -t "$THREADS" -fa "$FA" -r 1 -o jsonl ${LLAMA_ARGS:-} "$@" >"$TMP/ll.json" 2>"$TMP/ll.err" ||
    { cat "$TMP/ll.err" >&2; return 1; }
  local ts
  ts=$(jq -s '.[-1].avg_ts' "$TMP/ll.json")
  case $metric in
    prefill_tok_s) emit llama.cpp "$rep" prefill_tok_s "$tokens" "$ts" tok/s ;;
    decode_ms_per_token) emit llama.cpp "$rep" decode_ms_per_token "$tokens" "$(jq -n "1000 / $ts")" ms ;;
  esac
  if [ "$tokens" -eq 8192 ] && [ "$metric" = decode_ms_per_token ]; then emit llama.cpp "$rep" peak_rss_mib "$tokens" "$(peak_mib)" MiB; fi
}

for rep in $(seq 1 "$REPS"); do
  for ctx in 512 4096; do
    longread "$rep" "$ctx"
    llama "$rep" prefill_tok_s "$ctx" -p "$ctx" -n 0
    llama "$rep" decode_ms_per_token "$ctx" -p 0 -n "$N" -d "$ctx"
  done
  longread "$rep" 8192
  llama "$rep" decode_ms_per_token 8192 -p 0 -n "$N" -d 8192
  longread "$rep" 16384 --compact-ratio 0.1
  llama "$rep" decode_ms_per_token 16384 -p 0 -n "$N" -d 16384
done
