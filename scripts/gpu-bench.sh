#!/usr/bin/env bash
# Prefill, decode and compaction on an NVIDIA GPU, through CUDA and WebGPU, for random-weight models with the exact
# configs of Qwen2.5-1.5B and Qwen3-4B at 8k and 32k tokens: one JSON line per run on stdout, progress on stderr.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
  cat <<'USAGE'
scripts/gpu-bench.sh [--budget-s S] [--providers cuda,webgpu] [--models NAME,…] [--tokens N,…] [--dry-run]
  For each model, context length and provider (in that order): `longread bench` times prefill and decode,
  `longread bench-read` times the app's read (prefill with query capture), compaction to 0.2 and re-compaction to 0.1.
  Prints one JSON line per run: {model, provider, tokens, status, prefillTokensPerSec, decodeMsPerToken,
  readAndCompactMs, compactMs, recompactMs, peakRssBytes, bench, benchRead}. Runs stop when the time budget
  (default 480 s) is spent; the rest are printed with status "skipped". The budget includes building each synthetic
  checkpoint and its 4-bit conversion, cached in $LONGREAD_CACHE: minutes for Qwen3-4B on a fresh machine, none after.
  --models    names of folders in ../shared/models/configs (default Qwen--Qwen2.5-1.5B-Instruct,Qwen--Qwen3-4B)
  --tokens    context lengths (default 8192,32000: 32k within Qwen2.5's 32768 positions)
  --dry-run   prints the planned runs and their commands; needs no GPU.
  Needs an NVIDIA GPU (nvidia-smi), the CUDA provider (scripts/install-cuda-provider.sh) for cuda and the NVIDIA
  Vulkan driver for webgpu. $LONGREAD_CACHE defaults to ~/.cache/longread.
  NVIDIA_SMI and NVIDIA_VULKAN_ICD replace nvidia-smi and the NVIDIA Vulkan driver's manifest (to test this script).
  Exit status: 0 every run done, 1 a run failed, timed out or was skipped, 2 bad arguments, 3 this machine cannot run it.
USAGE
}

fail_usage() {
  echo "gpu-bench.sh: $1" >&2
  usage >&2
  exit 2
}

budget_s=480
providers=cuda,webgpu
models=Qwen--Qwen2.5-1.5B-Instruct,Qwen--Qwen3-4B
tokens=8192,32000
dry_run=0
while [ $# -gt 0 ]; do
  case "$1" in
    --budget-s | --providers | --models | --tokens)
      [ $# -ge 2 ] || fail_usage "$1 needs a value"
      case "$1" in
        --budget-s) budget_s=$2 ;;
        --providers) providers=$2 ;;
        --models) models=$2 ;;
        --tokens) tokens=$2 ;;
      esac
      shift 2
      ;;
    --dry-run) dry_run=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) fail_usage "unknown option \"$1\"" ;;
  esac
done

[[ "$budget_s" =~ ^[1-9][0-9]*$ ]] || fail_usage "--budget-s must be a whole number of seconds, got \"$budget_s\""
IFS=, read -r -a provider_list <<<"$providers"
IFS=, read -r -a model_list <<<"$models"
IFS=, read -r -a token_list <<<"$tokens"
[ ${#provider_list[@]} -gt 0 ] || fail_usage "--providers is empty"
[ ${#model_list[@]} -gt 0 ] || fail_usage "--models is empty"
[ ${#token_list[@]} -gt 0 ] || fail_usage "--tokens is empty"
for p in "${provider_list[@]}"; do
  case "$p" in cuda | webgpu) ;; *) fail_usage "--providers takes cuda and webgpu, got \"$p\"" ;; esac
done
for n in "${token_list[@]}"; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] && [ "$n" -ge 64 ] || fail_usage "--tokens takes whole numbers of at least 64, got \"$n\""
done
for m in "${model_list[@]}"; do
  [[ "$m" =~ ^[A-Za-z0-9._-]+$ ]] || fail_usage "--models takes config folder names, got \"$m\""
done

configs_dir=${LONGREAD_CONFIGS_DIR:-$(cd .. && pwd)/shared/models/configs}
longread=(node --import tsx engine/cli/main.ts)

bench_args() { # model provider tokens
  echo bench --model "synthetic:$1" --context "$3" --decode-tokens 16 --chunk 512 --device "$2" --json
}
bench_read_args() { # model provider tokens
  echo bench-read --model "synthetic:$1" --tokens "$3" --ratio 0.2 --recompact 0.1 --device "$2" --json
}

# One JSON object on one line from key/value pairs; values that are JSON already (numbers, objects) stay as they are.
# One JSON object on one line from key/value pairs (values that parse as JSON, such as numbers and the commands'
# own JSON, are kept as JSON); a finished run also gets the headline numbers ahead of the two commands' full output.
json_line() {
  node -e '
    const a = process.argv.slice(1), o = {};
    for (let i = 0; i < a.length; i += 2) { try { o[a[i]] = JSON.parse(a[i + 1]); } catch { o[a[i]] = a[i + 1]; } }
    const { bench, benchRead, ...head } = o;
    if (o.status === "ok") Object.assign(head, {
      prefillTokensPerSec: bench.prefillTokensPerSec, decodeMsPerToken: bench.decodeMsPerToken,
      readAndCompactMs: benchRead.readAndCompactMs, compactMs: benchRead.compactMs, recompactMs: benchRead.recompactMs,
      peakRssBytes: Math.max(bench.peakRssBytes, benchRead.peakRssBytes) });
    console.log(JSON.stringify({ ...head, ...(bench === undefined ? {} : { bench }), ...(benchRead === undefined ? {} : { benchRead }) }));' "$@"
}

if [ "$dry_run" = 1 ]; then
  for m in "${model_list[@]}"; do for n in "${token_list[@]}"; do for p in "${provider_list[@]}"; do
    json_line dryRun true model "synthetic:$m" provider "$p" tokens "$n" \
      bench "longread $(bench_args "$m" "$p" "$n")" benchRead "longread $(bench_read_args "$m" "$p" "$n")"
  done; done; done
  exit 0
fi

# --- what this machine must have; each check fails at once, saying what is missing -------------------------------
cannot() {
  echo "gpu-bench.sh cannot run here: $1" >&2
  exit 3
}
nvidia_smi=${NVIDIA_SMI:-nvidia-smi}
command -v "$nvidia_smi" >/dev/null 2>&1 || cannot "it needs an NVIDIA GPU, and $nvidia_smi is not installed (no NVIDIA driver)"
gpus=$("$nvidia_smi" -L 2>&1) || cannot "it needs an NVIDIA GPU, and $nvidia_smi finds none: ${gpus:-it printed nothing}"
grep -q '^GPU ' <<<"$gpus" || cannot "it needs an NVIDIA GPU, and $nvidia_smi lists none: $gpus"
for p in "${provider_list[@]}"; do
  if [ "$p" = cuda ] && [ ! -f node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime_providers_cuda.so ]; then
    cannot "onnxruntime's CUDA provider is not installed: run scripts/install-cuda-provider.sh (or pass --providers webgpu)"
  fi
done
nvidia_icd=${NVIDIA_VULKAN_ICD:-}
for f in /usr/share/vulkan/icd.d/nvidia_icd.json /etc/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.x86_64.json; do
  [ -z "$nvidia_icd" ] && [ -f "$f" ] && nvidia_icd=$f
done
for p in "${provider_list[@]}"; do
  if [ "$p" = webgpu ] && [ -z "$nvidia_icd" ]; then
    cannot "WebGPU needs the NVIDIA Vulkan driver (nvidia_icd.json) and the Vulkan loader (libvulkan1), and no nvidia_icd.json was found (or pass --providers cuda)"
  fi
done
for m in "${model_list[@]}"; do
  [ -f "$configs_dir/$m/config.json" ] || cannot "no config for $m in $configs_dir (set LONGREAD_CONFIGS_DIR)"
done
echo "GPU: $(head -1 <<<"$gpus")" >&2

# --- the runs -------------------------------------------------------------------------------------------------------
status=0
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
remaining() { echo $((budget_s - SECONDS)); }

# Builds a synthetic checkpoint and its conversion (cached for the next run) before the model's first timed run.
prepare() { # model
  local left t0=$SECONDS
  left=$(remaining)
  [ "$left" -gt 5 ] || return 0
  echo "preparing synthetic:$1: random weights and their conversion (cached in ${LONGREAD_CACHE:-~/.cache/longread})…" >&2
  if timeout --kill-after=10 "$left" "${longread[@]}" bench --model "synthetic:$1" --context 16 --decode-tokens 1 --device cpu --json >/dev/null 2>"$scratch/prepare.log"; then
    echo "prepared synthetic:$1 in $((SECONDS - t0)) s" >&2
  else
    echo "preparing synthetic:$1 failed or ran out of time after $((SECONDS - t0)) s: $(tail -1 "$scratch/prepare.log")" >&2
  fi
}

# Runs one longread command within what is left of the budget; its JSON goes to $scratch/out.json.
run_timed() { # provider, then the command's arguments
  local provider=$1 left
  shift
  left=$(remaining)
  [ "$left" -gt 5 ] || return 124
  local env=()
  # WebGPU sees only the NVIDIA driver, never a software one (Mesa's lavapipe) that may also be installed.
  [ "$provider" = webgpu ] && env=(VK_DRIVER_FILES="$nvidia_icd" VK_ICD_FILENAMES="$nvidia_icd")
  env "${env[@]}" timeout --kill-after=10 "$left" "${longread[@]}" "$@" >"$scratch/out.json" 2>"$scratch/err.log"
}

# One run: bench, then bench-read, as one JSON line.
run_one() { # model provider tokens
  local meta=(model "synthetic:$1" provider "$2" tokens "$3") start=$SECONDS code=0 bench args
  if [ "$(remaining)" -le 5 ]; then
    json_line "${meta[@]}" status skipped reason "the time budget of ${budget_s} s was spent"
    return 1
  fi
  echo "run: synthetic:$1 on $2 at $3 tokens ($(remaining) s left)" >&2
  read -r -a args <<<"$(bench_args "$1" "$2" "$3")"
  run_timed "$2" "${args[@]}" || code=$?
  if [ "$code" = 0 ]; then
    bench=$(cat "$scratch/out.json")
    read -r -a args <<<"$(bench_read_args "$1" "$2" "$3")"
    run_timed "$2" "${args[@]}" || code=$?
  fi
  if [ "$code" = 0 ]; then
    json_line "${meta[@]}" status ok wallS $((SECONDS - start)) bench "$bench" benchRead "$(cat "$scratch/out.json")"
    return 0
  elif [ "$code" = 124 ] || [ "$code" = 137 ]; then
    json_line "${meta[@]}" status timeout wallS $((SECONDS - start)) reason "stopped at the end of the ${budget_s} s budget"
  else
    local why
    why=$(tail -1 "$scratch/err.log" 2>/dev/null || true)
    json_line "${meta[@]}" status failed wallS $((SECONDS - start)) reason "${why:-exit status $code}"
  fi
  return 1
}

# Model by model, so that a budget spent early (a fresh machine converts Qwen3-4B for minutes) still leaves the first
# model's numbers complete.
for m in "${model_list[@]}"; do
  prepare "$m"
  for n in "${token_list[@]}"; do for p in "${provider_list[@]}"; do
    run_one "$m" "$p" "$n" || status=1
  done; done
done
exit "$status"
