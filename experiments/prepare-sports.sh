#!/usr/bin/env bash
# Artifacts the sports grids need (into runs/sports-prep/, gitignored): a pretrained MF+RNS model,
# our dual trees from its item embeddings, and rule-judge false negatives (threshold 1 and 0.5 with either view, 1 with both views).
set -euo pipefail
cd "$(dirname "$0")/.."
D=../shared/data/amazon-sports-dtlns
P=runs/sports-prep/mf-rns
pnpm --silent dtl train --data $D --model mf --sampler rns --seed 2022 --out $P
pnpm --silent dtl trees --data $D --item-emb $P/embeddings/item.txt --out $P/trees
pnpm --silent dtl judge --run $P --llm rule --threshold 1 --out $P/fn-rule-t1.json
pnpm --silent dtl judge --run $P --llm rule --threshold 0.5 --out $P/fn-rule-t05.json
pnpm --silent dtl judge --run $P --llm rule --threshold 1 --rule-mode both --out $P/fn-rule-both.json
