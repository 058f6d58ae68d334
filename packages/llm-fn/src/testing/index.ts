export { startFakeOpenAiServer } from './fake-openai-server.ts';
export type { FakeOpenAiServer, FakeReply, FakeCall } from './fake-openai-server.ts';
export { buildTinyLlamaGguf, writeTinyLlamaGguf } from './gguf-writer.ts';
export type { TinyLlamaOptions } from './gguf-writer.ts';
