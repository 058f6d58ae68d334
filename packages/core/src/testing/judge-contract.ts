import { describe, expect, it } from 'vitest';
import { isDtlError } from '../errors.ts';
import type { FalseNegativeJudge, JudgeItemCodes, JudgeRequest } from '../judge.ts';

/** Options of {@link describeFalseNegativeJudgeContract}. */
export interface JudgeContractOptions {
  /** Strings that must never appear in the judge's `id` or `key` (e.g. the API key the test used). */
  readonly secrets?: readonly string[];
}

const item = (co: number[], se: number[]): JudgeItemCodes => ({ co, se });

function sampleRequest(nCandidates: number): JudgeRequest {
  const history = [item([0, 1, 2], [3, 0]), item([0, 1, 3], [3, 1, 0]), item([2, 2], [1, 1, 1])];
  const candidates: JudgeItemCodes[] = [];
  for (let i = 0; i < nCandidates; i++) candidates.push(item([i % 3, (i + 1) % 4, 1], [3, i % 2]));
  return { history, candidates };
}

/**
 * The conformance suite every {@link FalseNegativeJudge} implementation runs:
 * `describeFalseNegativeJudgeContract('rule judge', () => createRuleJudge())`.
 * `make` is called once per test, so it may return a fresh judge (or a shared one).
 */
export function describeFalseNegativeJudgeContract(
  name: string,
  make: () => FalseNegativeJudge | Promise<FalseNegativeJudge>,
  options: JudgeContractOptions = {},
): void {
  describe(`FalseNegativeJudge contract: ${name}`, () => {
    it('has a non-empty, single-line id without secrets', async () => {
      const judge = await make();
      expect(typeof judge.id).toBe('string');
      expect(judge.id.length).toBeGreaterThan(0);
      expect(judge.id).not.toMatch(/[\r\n]/);
      for (const s of options.secrets ?? []) expect(judge.id).not.toContain(s);
    });

    it('key() is deterministic and tells different requests apart', async () => {
      const judge = await make();
      const a = judge.key(sampleRequest(4));
      expect(judge.key(sampleRequest(4))).toBe(a);
      expect(judge.key(sampleRequest(5))).not.toBe(a);
      const other = sampleRequest(4);
      const changed: JudgeRequest = {
        history: other.history,
        candidates: [item([9, 9, 9], [9]), ...other.candidates.slice(1)],
      };
      expect(judge.key(changed)).not.toBe(a);
      for (const s of options.secrets ?? []) expect(a).not.toContain(s);
    });

    it('labels every candidate local index, with raw text and token counts', async () => {
      const judge = await make();
      for (const n of [1, 5]) {
        const result = await judge.judge(sampleRequest(n));
        expect(result.labels).toHaveLength(n);
        for (const label of result.labels) expect([null, 'positive', 'negative']).toContain(label);
        expect(typeof result.raw).toBe('string');
        for (const t of [result.promptTokens, result.responseTokens]) {
          expect(Number.isInteger(t)).toBe(true);
          expect(t).toBeGreaterThanOrEqual(0);
        }
      }
    });

    it('rejects a request without candidates with INVALID_ARGUMENT', async () => {
      const judge = await make();
      const error = await judge.judge({ history: sampleRequest(1).history, candidates: [] }).catch((e: unknown) => e);
      expect(isDtlError(error, 'INVALID_ARGUMENT')).toBe(true);
    });

    it('rejects with CANCELLED when the signal is already aborted', async () => {
      const judge = await make();
      const controller = new AbortController();
      controller.abort();
      const error = await judge.judge(sampleRequest(3), controller.signal).catch((e: unknown) => e);
      expect(isDtlError(error, 'CANCELLED')).toBe(true);
    });
  });
}
