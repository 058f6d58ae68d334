#!/usr/bin/env node
/**
 * A fake offline batch engine (test double for `vllm run-batch` / an OpenAI Batch API job): reads an
 * OpenAI batch request JSONL file and writes a results JSONL file in the OpenAI batch output format.
 * Each reply labels the first two candidates of a prompt positive and the rest negative (the rule the
 * tests' fake OpenAI server uses, so online and offline answers agree).
 *
 *   node fake-batch-engine.mjs -i requests.jsonl -o results.jsonl [--hostile] [--limit N]
 *
 * --hostile adds: an error line for the 4th request, a garbage line, an unknown custom_id, a
 * duplicate of the first result and a truncated last line (the last request's result cut in half).
 * --limit N writes only the first N results (an engine stopped midway).
 */
import { readFileSync, writeFileSync } from 'node:fs';

const args = process.argv.slice(2);
const opt = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const input = opt('-i');
const output = opt('-o');
if (!input || !output) {
  process.stderr.write('usage: fake-batch-engine.mjs -i requests.jsonl -o results.jsonl [--hostile] [--limit N]\n');
  process.exit(64);
}
const hostile = args.includes('--hostile');
const limit = opt('--limit') !== undefined ? Number(opt('--limit')) : Infinity;

const requests = readFileSync(input, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l));
const result = (req, i) => {
  const user = req.body.messages.find((m) => m.role === 'user').content;
  const n = Number(/Candidates \((\d+)\)/.exec(user)?.[1] ?? 0);
  const judgments = Array.from({ length: n }, (_, j) => ({ index: j, label: j < 2 ? 'positive' : 'negative' }));
  const content = JSON.stringify({ judgments });
  return {
    id: `batch_req_${i}`,
    custom_id: req.custom_id,
    response: {
      status_code: 200,
      request_id: `req_${i}`,
      body: {
        id: `chatcmpl-${i}`,
        object: 'chat.completion',
        created: 0,
        model: req.body.model,
        choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
        usage: { prompt_tokens: Math.ceil(user.length / 4), completion_tokens: Math.ceil(content.length / 4), total_tokens: 0 },
      },
    },
    error: null,
  };
};

const lines = [];
requests.slice(0, Math.min(limit, requests.length)).forEach((req, i) => {
  if (hostile && i === 3) {
    lines.push(JSON.stringify({ id: `batch_req_${i}`, custom_id: req.custom_id, response: null, error: { code: 'server_error', message: 'engine crashed on this prompt' } }));
    return;
  }
  lines.push(JSON.stringify(result(req, i)));
});
if (hostile) {
  lines.splice(2, 0, 'this is not json {');
  lines.splice(5, 0, JSON.stringify({ ...result(requests[0], 999), custom_id: 'f'.repeat(64) }));
  lines.push(lines.find((l) => l.includes(requests[0].custom_id)));
  const last = lines.findIndex((l) => l.includes(requests[requests.length - 1].custom_id));
  if (last >= 0) {
    const [cut] = lines.splice(last, 1);
    lines.push(cut.slice(0, Math.floor(cut.length / 2)));
  }
}
writeFileSync(output, lines.join('\n') + (hostile ? '' : '\n'));
