/**
 * The one home of the tree and judge defaults shared by `dtl trees` / `dtl judge` and `dtl run`'s
 * `trees:` / `judge:` sections (each was written in both places before). Training defaults are in
 * train-defaults.ts; sampler defaults in `@dtl/sampler`.
 */
export const TREES_DEFAULTS = {
  builder: 'spectral-kmeans',
  /** Children per k-means node. */
  k: 4,
  leafSize: 30,
  /** Spectral embedding size of the co tree. */
  dim: 32,
  codesOffset: 0,
} as const;

export const JUDGE_DEFAULTS = {
  llm: 'rule',
  per: 'user',
  /** Candidates per user (the top-K unobserved items of the pretrained model). */
  candidates: 20,
  /** Rule judge: prefix-similarity threshold, and how the co/se views combine. */
  threshold: 1,
  ruleMode: 'either',
  timeoutMs: 120_000,
  retries: 2,
  /** GGUF CPU threads (more made 100 tokens take up to 26 s instead of 42 ms on 2 cores). */
  threads: 1,
} as const;
