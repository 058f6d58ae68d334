import type { DualCodebook } from '@dtl/core';
import { codeString } from './code-text.ts';

/** One item as a prompt shows it: its id and both compact codes. */
export interface PromptItemCodes {
  readonly item_id: number;
  readonly co_path: string;
  readonly se_path: string;
}

/**
 * Prompt-ready records `{item_id, co_path, se_path}` (method.md §6) for the given items, codes in
 * compact `0-2-1-3` form. Field names follow the authors' prompts so a judge can quote them.
 */
export function promptItemCodes(codebooks: DualCodebook, items: ArrayLike<number>): PromptItemCodes[] {
  const out: PromptItemCodes[] = [];
  for (let t = 0; t < items.length; t++) {
    const item = items[t]!;
    out.push({ item_id: item, co_path: codeString(codebooks.co, item), se_path: codeString(codebooks.se, item) });
  }
  return out;
}
