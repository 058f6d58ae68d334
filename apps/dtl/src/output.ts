/**
 * Terminal output of the app. Human-readable lines go to stderr when `--json` is set, so the last
 * stdout line is always the one JSON object scripts parse.
 */
export interface Output {
  readonly json: boolean;
  /** A human-readable line (stdout normally, stderr under --json). */
  info(line: string): void;
  /** The machine-readable result: printed as the last stdout line under --json, else pretty. */
  result(value: unknown, pretty?: () => string): void;
}

export function createOutput(json: boolean): Output {
  return {
    json,
    info(line) {
      if (json) process.stderr.write(line + '\n');
      else process.stdout.write(line + '\n');
    },
    result(value, pretty) {
      if (json) process.stdout.write(JSON.stringify(value) + '\n');
      else process.stdout.write((pretty ? pretty() : JSON.stringify(value, null, 2)) + '\n');
    },
  };
}
