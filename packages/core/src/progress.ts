/** Progress of long work. Libraries report through this callback and never print. */
export interface ProgressEvent {
  /** Short stage name, e.g. `"eval"`, `"epoch"`, `"kmeans"`. */
  readonly stage: string;
  readonly done: number;
  readonly total: number;
  readonly detail?: string;
}

export type ProgressFn = (event: ProgressEvent) => void;
