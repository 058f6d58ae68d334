/**
 * A small OpenAI-compatible chat-completions server on 127.0.0.1 (random port) — the most faithful
 * test double for remote providers (architecture.md). Tests script each reply: JSON content,
 * malformed content, HTTP errors, or a hang (to exercise timeouts). Used by tests only.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One scripted reply. */
export type FakeReply =
  | { readonly kind: 'content'; readonly content: string; readonly delayMs?: number }
  | { readonly kind: 'tool'; readonly name: string; readonly args: string }
  | { readonly kind: 'error'; readonly status: number; readonly message?: string }
  | { readonly kind: 'hang' };

/** A request the server received. */
export interface FakeCall {
  readonly body: {
    readonly model?: string;
    readonly messages?: ReadonlyArray<{ role: string; content: unknown }>;
    readonly [k: string]: unknown;
  };
  readonly headers: IncomingMessage['headers'];
  /** The user message text (what identifies a prompt). */
  readonly user: string;
}

export interface FakeOpenAiServer {
  readonly baseURL: string;
  readonly calls: FakeCall[];
  /** Number of replies fully sent with status 200. */
  completed: number;
  close(): Promise<void>;
}

export async function startFakeOpenAiServer(reply: (call: FakeCall, n: number) => FakeReply): Promise<FakeOpenAiServer> {
  const calls: FakeCall[] = [];
  const hanging = new Set<ServerResponse>();
  const state = { completed: 0 };
  const server: Server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    req.on('end', () => {
      let body: FakeCall['body'] = {};
      try {
        body = JSON.parse(text) as FakeCall['body'];
      } catch {
        /* keep {} */
      }
      const userMsg = body.messages?.find((m) => m.role === 'user');
      const call: FakeCall = { body, headers: req.headers, user: typeof userMsg?.content === 'string' ? userMsg.content : JSON.stringify(userMsg?.content ?? '') };
      calls.push(call);
      const r = reply(call, calls.length - 1);
      if (r.kind === 'hang') {
        hanging.add(res);
        res.on('close', () => hanging.delete(res));
        return;
      }
      if (r.kind === 'error') {
        res.writeHead(r.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: r.message ?? `scripted ${r.status}`, type: r.status === 401 ? 'invalid_request_error' : 'server_error' } }));
        return;
      }
      const message =
        r.kind === 'tool'
          ? { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: r.name, arguments: r.args } }] }
          : { role: 'assistant', content: r.content };
      const payload = JSON.stringify({
        id: `chatcmpl-${calls.length}`,
        object: 'chat.completion',
        created: 0,
        model: body.model ?? 'fake',
        choices: [{ index: 0, message, finish_reason: r.kind === 'tool' ? 'tool_calls' : 'stop' }],
        usage: { prompt_tokens: Math.ceil(text.length / 4), completion_tokens: 7, total_tokens: Math.ceil(text.length / 4) + 7 },
      });
      const send = (): void => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(payload, () => state.completed++);
      };
      if (r.kind === 'content' && r.delayMs) setTimeout(send, r.delayMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    calls,
    get completed() {
      return state.completed;
    },
    set completed(v: number) {
      state.completed = v;
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
