/**
 * Interactions as read from a file, before they become a CSR: parallel arrays of dense ids plus the
 * 1-based source line of each pair (so later checks such as split overlap can still name
 * `file:line`). Duplicates are kept here; `csrFromPairs` drops and counts them.
 */
export interface PairList {
  /** The file the pairs came from (as given to the reader). */
  readonly file: string;
  readonly users: Int32Array;
  readonly items: Int32Array;
  /** 1-based line of each pair in `file`. */
  readonly lines: Int32Array;
  /** Largest user id seen, including users listed with no items; −1 if none. */
  readonly maxUser: number;
  /** Largest item id seen; −1 if none. */
  readonly maxItem: number;
  /** Non-blank lines read. */
  readonly lineCount: number;
  /** Users listed on a line with no items (LightGCN layout), with their lines; absent when none. */
  readonly usersWithoutItems?: { readonly users: Int32Array; readonly lines: Int32Array } | undefined;
}

/** Range checks and empty-file handling shared by the readers. */
export interface IdRangeOptions {
  /** Declared number of users: a user id ≥ nUsers is INVALID_DATA. Default: no limit. */
  readonly nUsers?: number | undefined;
  /** Declared number of items: an item id ≥ nItems is INVALID_DATA. Default: no limit. */
  readonly nItems?: number | undefined;
  /** Where the limits were declared, named in range errors (e.g. `"stats.json"`). Default `"options"`. */
  readonly rangeSource?: string | undefined;
  /** Accept a file with no non-blank line (returns zero pairs). Default false: INVALID_DATA. */
  readonly allowEmpty?: boolean | undefined;
}
