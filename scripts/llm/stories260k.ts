/**
 * Plumbing check of the local-GGUF judge on the real tiny model `stories260K.gguf` (a 260K-parameter
 * TinyStories LLaMA: it cannot reason, so the labels mean nothing — this measures load time, time per
 * call, tokens, and that grammar-constrained output parses into one label per candidate).
 *
 *   node --conditions=@dtl/source --import tsx scripts/llm/stories260k.ts [MODEL] [USERS] [CANDIDATES]
 */
import { codebookFromPaths, createRng, csrFromPairs } from '@dtl/core';
import { buildJudgePrompt, createGgufJudge, runJudging } from '@dtl/llm-fn';

const modelPath = process.argv[2] ?? '/work/shared/models/stories260K.gguf';
const nUsers = Number(process.argv[3] ?? 4);
const k = Number(process.argv[4] ?? 10);
const rng = createRng(2026);
const nItems = 200;
const path = (): number[] => Array.from({ length: 3 + rng.int(3) }, () => rng.int(4));
const codes = { co: codebookFromPaths(Array.from({ length: nItems }, path)), se: codebookFromPaths(Array.from({ length: nItems }, path)) };
const rows: number[] = [];
const cols: number[] = [];
for (let u = 0; u < nUsers; u++) for (let t = 0; t < 12; t++) (rows.push(u), cols.push(rng.int(nItems)));
const history = csrFromPairs(nUsers, nItems, rows, cols).csr;
const items = Int32Array.from({ length: nUsers * k }, () => rng.int(nItems));
const candidates = { k, users: Int32Array.from({ length: nUsers }, (_, u) => u), items };

const t0 = performance.now();
const judge = await createGgufJudge({ modelPath, threads: 1 });
const loadS = (performance.now() - t0) / 1000;
console.log(`loaded ${judge.id} in ${loadS.toFixed(2)} s`);

for (const granularity of ['user', 'pair'] as const) {
  const out = await runJudging({ judge, codes, history, candidates, granularity, concurrency: 1, timeoutMs: 120_000 });
  const s = out.stats;
  console.log(
    `per ${granularity}: ${s.requests} calls, ${(s.callSeconds / s.calls).toFixed(3)} s/call, ${(s.promptTokens / s.calls).toFixed(0)} prompt + ${(s.responseTokens / s.calls).toFixed(0)} response tokens/call, ` +
      `labelled ${s.positives + s.negatives}/${s.candidates} (positives ${s.positives}), failed ${s.failed}, wall ${s.seconds.toFixed(2)} s`,
  );
}
// Measured characters per token of the prompt text (the estimate's `charsPerToken` default is 3).
const one = await judge.judge({ history: [{ co: [0, 1, 2], se: [3, 2] }], candidates: [{ co: [0, 1], se: [3] }] });
const p = buildJudgePrompt({ history: [{ co: [0, 1, 2], se: [3, 2] }], candidates: [{ co: [0, 1], se: [3] }] });
console.log(`sample raw: ${one.raw.replace(/\s+/g, ' ')}`);
console.log(`chars/token of a prompt on this tokenizer: ${((p.system.length + p.user.length) / one.promptTokens).toFixed(2)}`);
await judge.dispose();
