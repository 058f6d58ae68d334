/** Machine-readable reason of a {@link DtlError}; tests and callers branch on it, never on the message. */
export type DtlErrorCode =
  | 'INVALID_DATA'
  | 'INVALID_ARGUMENT'
  | 'PROVIDER_FAILURE'
  | 'NOT_FOUND'
  | 'NO_VALID_NEGATIVE'
  | 'IO_ERROR'
  | 'TIMEOUT'
  | 'CANCELLED'
  | 'UNSUPPORTED'
  | 'STATE_MISMATCH';

/** Where in an input file an error was found (1-based line). */
export interface DtlErrorLocation {
  readonly file: string;
  readonly line?: number;
}

export interface DtlErrorOptions {
  readonly location?: DtlErrorLocation;
  readonly cause?: unknown;
}

/**
 * The one error type every @dtl package throws at its public entry points.
 * The message names where (`data/train.txt:1042: item id "x" is not an integer`) and why.
 */
export class DtlError extends Error {
  readonly code: DtlErrorCode;
  readonly location: DtlErrorLocation | undefined;

  constructor(code: DtlErrorCode, message: string, options: DtlErrorOptions = {}) {
    const where = options.location
      ? `${options.location.file}${options.location.line !== undefined ? `:${options.location.line}` : ''}: `
      : '';
    super(where + message, options.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = 'DtlError';
    this.code = code;
    this.location = options.location;
  }
}

export function isDtlError(value: unknown, code?: DtlErrorCode): value is DtlError {
  return value instanceof DtlError && (code === undefined || value.code === code);
}

/** Throws INVALID_ARGUMENT unless `condition` holds. */
export function assertArgument(condition: unknown, message: string): asserts condition {
  if (!condition) throw new DtlError('INVALID_ARGUMENT', message);
}
