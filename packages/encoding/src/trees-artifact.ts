import { readFileSync, writeFileSync } from 'node:fs';
import { DtlError, codebookFromPaths } from '@dtl/core';
import type { Codebook, DualCodebook } from '@dtl/core';
import { codeString, parseCode } from './code-text.ts';
import { codebookStats } from './codebook-stats.ts';
import type { CodebookStats } from './codebook-stats.ts';

/** Format tag and version of the trees artifact; bump the version on any breaking change. */
export const TREES_ARTIFACT_FORMAT = 'dtl-trees';
export const TREES_ARTIFACT_VERSION = 1;

/** One view (`co` or `se`) of a trees artifact: what built it, from what, and the codes. */
export interface TreeViewArtifact {
  /** Builder name (`TreeBuilder.name`, e.g. `"spectral-kmeans"`). */
  readonly builder: string;
  /** The builder's resolved parameters (`TreeBuilder.params`). */
  readonly params: Readonly<Record<string, number | string | boolean>>;
  /** Hash of the builder's input (`hashCsr` / `hashMatrix`), so a reuse can check it is current. */
  readonly inputHash: string;
  readonly nItems: number;
  /** Compact code of every item (index = item id), e.g. `"0-2-1-3"`. */
  readonly codes: readonly string[];
  readonly stats: CodebookStats;
  /** Builder diagnostics (eigen-residuals, …), deterministic for a seed; no timings. */
  readonly info?: Readonly<Record<string, unknown>> | undefined;
}

/** The versioned artifact of `dtl trees`. */
export interface TreesArtifact {
  readonly format: typeof TREES_ARTIFACT_FORMAT;
  readonly version: typeof TREES_ARTIFACT_VERSION;
  readonly seed?: number | undefined;
  readonly views: { readonly co?: TreeViewArtifact | undefined; readonly se?: TreeViewArtifact | undefined };
}

/** Builds one view of the artifact from a builder (anything with `name` and `params`), its input hash and the codes. */
export function createTreeViewArtifact(args: {
  builder: { readonly name: string; readonly params: Readonly<Record<string, number | string | boolean>> };
  inputHash: string;
  codebook: Codebook;
  info?: Readonly<Record<string, unknown>> | undefined;
}): TreeViewArtifact {
  const codes: string[] = [];
  for (let i = 0; i < args.codebook.nItems; i++) codes.push(codeString(args.codebook, i));
  return {
    builder: args.builder.name,
    params: { ...args.builder.params },
    inputHash: args.inputHash,
    nItems: args.codebook.nItems,
    codes,
    stats: codebookStats(args.codebook),
    ...(args.info !== undefined ? { info: args.info } : {}),
  };
}

/** Assembles the artifact. */
export function createTreesArtifact(views: TreesArtifact['views'], seed?: number): TreesArtifact {
  return { format: TREES_ARTIFACT_FORMAT, version: TREES_ARTIFACT_VERSION, ...(seed !== undefined ? { seed } : {}), views };
}

/** JSON text of the artifact (one view per key, codes one array). */
export function serializeTreesArtifact(artifact: TreesArtifact): string {
  return JSON.stringify(artifact, null, 1) + '\n';
}

function fail(file: string, message: string): never {
  throw new DtlError('INVALID_DATA', message, { location: { file } });
}

function checkView(value: unknown, name: string, file: string): TreeViewArtifact {
  if (typeof value !== 'object' || value === null) fail(file, `views.${name} is not an object`);
  const v = value as Record<string, unknown>;
  if (typeof v.builder !== 'string') fail(file, `views.${name}.builder must be a string`);
  if (typeof v.inputHash !== 'string') fail(file, `views.${name}.inputHash must be a string`);
  if (typeof v.params !== 'object' || v.params === null) fail(file, `views.${name}.params must be an object`);
  if (!Number.isInteger(v.nItems)) fail(file, `views.${name}.nItems must be an integer`);
  if (!Array.isArray(v.codes) || v.codes.length !== v.nItems) fail(file, `views.${name}.codes must be an array of nItems strings`);
  v.codes.forEach((c, i) => {
    if (typeof c !== 'string' || (c !== '' && !/^\d+(-\d+)*$/.test(c))) fail(file, `views.${name}.codes[${i}] is not a code: ${JSON.stringify(c)}`);
  });
  return v as unknown as TreeViewArtifact;
}

/** Parses and validates an artifact; `UNSUPPORTED` for another format or version, `INVALID_DATA` for a malformed one. */
export function parseTreesArtifact(text: string, file = '<trees.json>'): TreesArtifact {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new DtlError('INVALID_DATA', `not JSON: ${(cause as Error).message}`, { location: { file }, cause });
  }
  if (typeof value !== 'object' || value === null) fail(file, 'artifact is not an object');
  const a = value as Record<string, unknown>;
  if (a.format !== TREES_ARTIFACT_FORMAT || a.version !== TREES_ARTIFACT_VERSION) {
    throw new DtlError('UNSUPPORTED', `format ${String(a.format)} v${String(a.version)}; expected ${TREES_ARTIFACT_FORMAT} v${TREES_ARTIFACT_VERSION}`, {
      location: { file },
    });
  }
  if (typeof a.views !== 'object' || a.views === null) fail(file, 'views must be an object');
  const views = a.views as Record<string, unknown>;
  return {
    format: TREES_ARTIFACT_FORMAT,
    version: TREES_ARTIFACT_VERSION,
    ...(typeof a.seed === 'number' ? { seed: a.seed } : {}),
    views: {
      ...(views.co !== undefined ? { co: checkView(views.co, 'co', file) } : {}),
      ...(views.se !== undefined ? { se: checkView(views.se, 'se', file) } : {}),
    },
  };
}

/** Reads an artifact file (`IO_ERROR` when unreadable). */
export function readTreesArtifact(path: string): TreesArtifact {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new DtlError('IO_ERROR', 'cannot read trees artifact', { location: { file: path }, cause });
  }
  return parseTreesArtifact(text, path);
}

/** Writes an artifact file. */
export function writeTreesArtifact(path: string, artifact: TreesArtifact): void {
  try {
    writeFileSync(path, serializeTreesArtifact(artifact));
  } catch (cause) {
    throw new DtlError('IO_ERROR', 'cannot write trees artifact', { location: { file: path }, cause });
  }
}

/** The codebook of one artifact view. */
export function codebookFromArtifactView(view: TreeViewArtifact): Codebook {
  return codebookFromPaths(view.codes.map((c) => parseCode(c)));
}

/** The dual codebook of an artifact holding both views (`NOT_FOUND` when one is missing). */
export function dualCodebookFromArtifact(artifact: TreesArtifact): DualCodebook {
  const { co, se } = artifact.views;
  if (!co || !se) throw new DtlError('NOT_FOUND', `trees artifact lacks the ${co ? 'se' : 'co'} view`);
  if (co.nItems !== se.nItems) throw new DtlError('INVALID_DATA', `trees artifact: co has ${co.nItems} items, se ${se.nItems}`);
  return { co: codebookFromArtifactView(co), se: codebookFromArtifactView(se) };
}
