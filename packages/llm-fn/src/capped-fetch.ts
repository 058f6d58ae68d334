/**
 * A `fetch` that refuses response bodies over a byte cap, for HTTP clients of LLM providers
 * (`new ChatOpenAI({ configuration: { fetch: createCappedFetch(n) } })`): a server that streams a huge
 * reply is cut off at `maxBytes` instead of being buffered whole. The rejection is a PROVIDER_FAILURE
 * whose message starts with `REPLY_TOO_LARGE`.
 */
import { DtlError } from '@dtl/core';

type Fetch = typeof globalThis.fetch;

/** Wraps `base` (default `globalThis.fetch`) with a response-body cap of `maxBytes` bytes. */
export function createCappedFetch(maxBytes: number, base: Fetch = globalThis.fetch): Fetch {
  if (!(Number.isInteger(maxBytes) && maxBytes > 0)) throw new DtlError('INVALID_ARGUMENT', `maxBytes must be a positive integer, got ${maxBytes}`);
  const tooLarge = (n: string): DtlError => new DtlError('PROVIDER_FAILURE', `REPLY_TOO_LARGE: HTTP response body of ${n} bytes exceeds the cap of ${maxBytes} bytes`);
  return async (input, init) => {
    const res = await base(input, init);
    const declared = Number(res.headers.get('content-length') ?? NaN);
    if (declared > maxBytes) {
      await res.body?.cancel().catch(() => undefined);
      throw tooLarge(String(declared));
    }
    if (!res.body) return res;
    const reader = res.body.getReader();
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw tooLarge(`more than ${total}`);
      }
      chunks.push(value);
    }
    const body = Buffer.concat(chunks);
    const headers = new Headers(res.headers);
    headers.delete('content-encoding');
    headers.delete('content-length');
    return new Response(res.status === 204 || res.status === 304 ? null : body, { status: res.status, statusText: res.statusText, headers });
  };
}
