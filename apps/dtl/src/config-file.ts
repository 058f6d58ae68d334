/**
 * One reader for every YAML/JSON file the app takes (the `dtl run` config, `dtl train --config`,
 * experiment grids): `.json` files are JSON, anything else YAML. A leading byte-order mark is
 * accepted; the YAML parser's warnings (an unresolved tag such as `!foo`) are errors, never lines on
 * stderr; a file that cannot be read is IO_ERROR (NOT_FOUND when absent) and one that does not parse is
 * INVALID_DATA, both naming the file. The `yaml` package is loaded on first use, so commands that read
 * no config (and `dtl --help`) never load it.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { DtlError } from '@dtl/core';
import { printable } from '@dtl/data';

type Yaml = typeof import('yaml');
let yaml: Yaml | undefined;

function parseYamlStrict(text: string): unknown {
  yaml ??= createRequire(import.meta.url)('yaml') as Yaml;
  const doc = yaml.parseDocument(text, { logLevel: 'silent' });
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem) throw problem;
  return doc.toJS();
}

/** Parses config text as {@link readConfigFile} does (the file name only picks JSON or YAML and names errors). */
export function parseConfigText(text: string, path: string, what = 'config'): unknown {
  const json = /\.json$/i.test(path);
  const body = text.replace(/^\uFEFF/, '');
  try {
    return json ? JSON.parse(body) : parseYamlStrict(body);
  } catch (cause) {
    const why = printable((cause as Error).message, { max: 400, keepLines: true });
    throw new DtlError('INVALID_DATA', `${what} is not valid ${json ? 'JSON' : 'YAML'}: ${why}`, { location: { file: path }, cause });
  }
}

/** Reads and parses a YAML or JSON file (see the module comment); `what` names it in errors. */
export function readConfigFile(path: string, what = 'config'): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw new DtlError(code === 'ENOENT' ? 'NOT_FOUND' : 'IO_ERROR', `cannot read ${what}`, { location: { file: path }, cause });
  }
  return parseConfigText(text, path, what);
}
