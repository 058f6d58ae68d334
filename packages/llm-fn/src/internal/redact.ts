/**
 * The one redaction function of the package: every string that is persisted (cache `raw`/`error`
 * columns, artifacts, batch files) or handed to a logger goes through {@link redactSecrets}.
 *
 * It removes (1) the actual VALUES of the secrets the app passes in (`secrets`, e.g. the API key from
 * the environment) — verbatim and in their JSON-escaped, URL-encoded and base64 forms — and (2) things
 * that look like credentials: `Authorization:` / `Bearer` header values, `sk-…`-style keys,
 * `api_key=` / `apiKey:` values and URL user-info.
 */
export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) {
    // Very short "secrets" (e.g. "x") would shred ordinary text; keys are far longer.
    if (secret.length < 4) continue;
    for (const form of secretForms(secret)) out = out.split(form).join('[redacted]');
  }
  return out
    .replace(/(authorization["']?\s*[:=]\s*["']?)(?:bearer\s+|basic\s+)?[^"'\s,}&]+/gi, '$1[redacted]')
    .replace(/(bearer\s+)[A-Za-z0-9._~+/=-]{6,}/gi, '$1[redacted]')
    .replace(/\b(sk|pk|rk)-[A-Za-z0-9_-]{8,}/g, '[redacted]')
    .replace(/((?:api[_-]?key|x-api-key|token|secret|password)["']?\s*[:=]\s*["']?)[^"'\s,}&]+/gi, '$1[redacted]')
    .replace(/(\w+:\/\/)[^/\s:@]+:[^/\s@]+@/g, '$1[redacted]@');
}

function secretForms(secret: string): string[] {
  const forms = new Set<string>([secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret)]);
  const b64 = Buffer.from(secret, 'utf8').toString('base64');
  if (b64.length >= 8) forms.add(b64.replace(/=+$/, ''));
  // Longest first, so a form that contains another is removed whole.
  return [...forms].filter((f) => f.length > 0).sort((a, b) => b.length - a.length);
}

/** A redactor bound to a secret list (what the runner, the cache and the batch writer use). */
export function createRedactor(secrets: readonly string[] = []): (text: string) => string {
  const list = [...secrets];
  return (text) => redactSecrets(text, list);
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
