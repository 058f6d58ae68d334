#!/usr/bin/env bash
# Artifacts for the amazon-toys-dens grid (into runs/toys-prep/, gitignored). The dataset has no
# validation split: dtl train carves 10% of each user's train items with the run's seed.
set -euo pipefail
cd "$(dirname "$0")/.."
D=../shared/data/amazon-toys-dens
P=runs/toys-prep/mf-rns
pnpm --silent dtl train --data $D --model mf --sampler rns --seed 2022 --out $P
pnpm --silent dtl trees --data $D --item-emb $P/embeddings/item.txt --out $P/trees
pnpm --silent dtl judge --run $P --llm rule --threshold 1 --out $P/fn-rule-t1.json
pnpm --silent dtl judge --run $P --llm rule --threshold 0.5 --out $P/fn-rule-t05.json
pnpm --silent dtl judge --run $P --llm rule --threshold 1 --rule-mode both --out $P/fn-rule-both.json
