export { codebookFromTree } from './codebook-from-tree.ts';
export { createDualCodebook } from './dual-codebook.ts';
export {
  formatCode,
  codeString,
  parseCode,
  formatCodeText,
  parseCodeText,
  readCodeFile,
  writeCodeFile,
} from './code-text.ts';
export type { CodeTextOptions, ParseCodeTextOptions, ParsedCodes } from './code-text.ts';
export { hashCsr, hashMatrix } from './input-hash.ts';
export { codebookStats } from './codebook-stats.ts';
export type { CodebookStats } from './codebook-stats.ts';
export { historySimilarity } from './history-similarity.ts';
export type { HistorySimilarity } from './history-similarity.ts';
export {
  TREES_ARTIFACT_FORMAT,
  TREES_ARTIFACT_VERSION,
  createTreeViewArtifact,
  createTreesArtifact,
  serializeTreesArtifact,
  parseTreesArtifact,
  readTreesArtifact,
  writeTreesArtifact,
  codebookFromArtifactView,
  dualCodebookFromArtifact,
} from './trees-artifact.ts';
export type { TreeViewArtifact, TreesArtifact } from './trees-artifact.ts';
export { promptItemCodes } from './prompt-codes.ts';
export type { PromptItemCodes } from './prompt-codes.ts';
