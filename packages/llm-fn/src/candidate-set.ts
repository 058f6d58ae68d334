/**
 * Candidates for false-negative identification: `k` slots per row, row r belonging to user
 * `users[r]`; `items[r·k + j]` is an item id or −1 (padding, when fewer than k unobserved items exist).
 */
export interface CandidateSet {
  readonly k: number;
  readonly users: Int32Array;
  readonly items: Int32Array;
}
