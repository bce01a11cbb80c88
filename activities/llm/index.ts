/** LLM and embedding providers: OpenAI-compatible endpoints when configured, offline defaults otherwise. */
export * from './chat';
export * from './embeddings';
