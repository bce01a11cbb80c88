/**
 * Chat completions behind one interface, `LLMProvider`. The one implementation talks to any
 * OpenAI-compatible `POST {base}/chat/completions` endpoint (OpenAI, Ollama, vLLM, llama.cpp
 * server, a Bedrock gateway). When no endpoint is configured there is no provider, and each caller
 * uses its offline path (the offline generator, extractive answers, template explanations).
 */
import { z } from 'zod';
import { postOpenAI } from './embeddings';

export type ChatMessage = { role: 'system' | 'user' | 'assistant'; content: string };

export type CompletionRequest = {
  messages: ChatMessage[];
  /** defaults to the provider's strong model */
  model?: string;
  temperature?: number;
  maxTokens?: number;
};

export type Completion = {
  text: string;
  model: string;
  usage: { promptTokens: number; completionTokens: number };
};

export interface LLMProvider {
  readonly id: string;
  /** the strong model and the cheap one (equal when only one is configured) */
  readonly models: { strong: string; cheap: string };
  complete(request: CompletionRequest): Promise<Completion>;
}

const completionResponseSchema = z.object({
  model: z.string().optional(),
  choices: z.array(z.object({ message: z.object({ content: z.string().nullable() }) })).min(1),
  usage: z.object({ prompt_tokens: z.number(), completion_tokens: z.number() }).partial().optional(),
});

export type OpenAICompatibleOptions = { baseUrl: string; model: string; cheapModel?: string; apiKey?: string; timeoutMs?: number };

/** A rough token count (about 4 characters per token) for endpoints that report no usage. */
export function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

export class OpenAICompatibleLLM implements LLMProvider {
  readonly id: string;
  readonly models: { strong: string; cheap: string };
  constructor(private readonly options: OpenAICompatibleOptions) {
    this.id = `openai-compatible:${options.baseUrl}`;
    this.models = { strong: options.model, cheap: options.cheapModel ?? options.model };
  }

  async complete(request: CompletionRequest): Promise<Completion> {
    const url = `${this.options.baseUrl}/chat/completions`;
    const model = request.model ?? this.models.strong;
    const parsed = await postOpenAI(
      'llm',
      url,
      {
        model,
        messages: request.messages,
        temperature: request.temperature ?? 0,
        ...(request.maxTokens ? { max_tokens: request.maxTokens } : {}),
      },
      completionResponseSchema,
      { ...(this.options.apiKey ? { apiKey: this.options.apiKey } : {}), timeoutMs: this.options.timeoutMs ?? 120_000 },
    );
    const text = parsed.choices[0]?.message.content ?? '';
    const promptText = request.messages.map((m) => m.content).join('\n');
    return {
      text,
      model: parsed.model ?? model,
      usage: {
        promptTokens: parsed.usage?.prompt_tokens ?? estimateTokens(promptText),
        completionTokens: parsed.usage?.completion_tokens ?? estimateTokens(text),
      },
    };
  }
}

/** The configured provider, or undefined when PAC_LLM_BASE_URL is not set (offline). */
export function llmProviderFromConfig(config: {
  llm: { baseUrl?: string; apiKey?: string; model: string; cheapModel: string; timeoutMs: number };
}): LLMProvider | undefined {
  const { baseUrl, apiKey, model, cheapModel, timeoutMs } = config.llm;
  if (!baseUrl) return undefined;
  return new OpenAICompatibleLLM({ baseUrl, model, cheapModel, timeoutMs, ...(apiKey ? { apiKey } : {}) });
}
