import { DtlError, codebookFromPaths } from '@dtl/core';
import type { Codebook, ItemTree, ItemTreeNode } from '@dtl/core';

/**
 * Item codes from any {@link ItemTree} (method.md §4): item i's code is the list of child indices
 * from the root to the leaf holding i. Throws `INVALID_DATA` unless every item 0..nItems-1 is in
 * exactly one leaf and every inner node has at least one child.
 */
export function codebookFromTree(tree: ItemTree): Codebook {
  const n = tree.nItems;
  const paths: (number[] | undefined)[] = new Array(n);
  const prefix: number[] = [];
  const visit = (node: ItemTreeNode): void => {
    if (node.kind === 'leaf') {
      for (const item of node.items) {
        if (!Number.isInteger(item) || item < 0 || item >= n) {
          throw new DtlError('INVALID_DATA', `tree leaf at ${prefix.join('-') || 'root'} holds item ${item} outside 0..${n - 1}`);
        }
        if (paths[item] !== undefined) {
          throw new DtlError('INVALID_DATA', `item ${item} is in two leaves (${paths[item]!.join('-')} and ${prefix.join('-')})`);
        }
        paths[item] = prefix.slice();
      }
      return;
    }
    if (node.children.length === 0) throw new DtlError('INVALID_DATA', `inner node ${prefix.join('-') || 'root'} has no children`);
    node.children.forEach((child, c) => {
      prefix.push(c);
      visit(child);
      prefix.pop();
    });
  };
  visit(tree.root);
  const missing: number[] = [];
  for (let i = 0; i < n; i++) if (paths[i] === undefined) missing.push(i);
  if (missing.length > 0) {
    throw new DtlError('INVALID_DATA', `${missing.length} item(s) are in no leaf, e.g. ${missing.slice(0, 5).join(', ')}`);
  }
  return codebookFromPaths(paths as number[][]);
}
