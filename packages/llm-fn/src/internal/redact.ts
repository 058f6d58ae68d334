/**
 * Removes things that look like credentials from text that goes into logs, caches or artifacts:
 * bearer tokens, `sk-…`-style keys, `api_key=` / `apiKey:` values and URL user-info.
 */
export function redactSecrets(text: string): string {
  return text
    .replace(/(bearer\s+)[A-Za-z0-9._~+/=-]{6,}/gi, '$1[redacted]')
    .replace(/\b(sk|pk|rk)-[A-Za-z0-9_-]{8,}/g, '[redacted]')
    .replace(/((?:api[_-]?key|authorization|token|secret|password)["']?\s*[:=]\s*["']?)[^"'\s,}&]+/gi, '$1[redacted]')
    .replace(/(\w+:\/\/)[^/\s:@]+:[^/\s@]+@/g, '$1[redacted]@');
}

/** A base URL with user-info, query and fragment removed (safe to put into a judge id). */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`;
  } catch {
    return redactSecrets(url);
  }
}
