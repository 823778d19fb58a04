#!/usr/bin/env bash
# The long fuzz run, before a release: the seeded mutation test of
# tests/fuzz.rs with many cases and a random seed, in a release build.
#
#   scripts/fuzz.sh [CASES] [SEED]     (defaults: 20000 cases, a random seed)
#
# Prints the seed first, so a failure is reproduced with the same two
# arguments (or with THROUGHLINE_FUZZ_SEED=SEED THROUGHLINE_FUZZ_CASE=N for one
# case). Failing inputs are written to target/fuzz-failures/. Exits non-zero
# when any case fails.
set -euo pipefail
cd "$(dirname "$0")/.."

cases=${1:-20000}
seed=${2:-$(od -An -N8 -tu8 /dev/urandom | tr -d ' ')}
echo "fuzz: $cases cases, seed $seed (rerun: scripts/fuzz.sh $cases $seed)" >&2

status=0
# In release, a case over 5 s is a failure (cargo test sets no limit).
THROUGHLINE_FUZZ_CASES=$cases THROUGHLINE_FUZZ_SEED=$seed \
THROUGHLINE_FUZZ_CASE_MS=${THROUGHLINE_FUZZ_CASE_MS:-5000} \
    cargo test --release --test fuzz -- --nocapture || status=$?
if [ "$status" -ne 0 ]; then
    echo "fuzz: FAILED with seed $seed; inputs in target/fuzz-failures/ (rerun: scripts/fuzz.sh $cases $seed)" >&2
fi
exit "$status"
