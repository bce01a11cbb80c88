/**
 * The LLM generator: fills the versioned prompt template (prompts/draft-policy.<version>.md) with
 * the request, the retrieved policies as few-shot examples and the guardrails' feedback, asks the
 * configured OpenAI-compatible model, and reads the two Rego blocks of the answer.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ApplicationFailure } from '@temporalio/common';
import type { LLMProvider } from '../llm/chat';
import { packageOf } from './rego-writer';
import type { Draft, DraftRequest } from './schemas';

export const PROMPT_VERSION = 'v1';

export type PromptTemplate = { id: string; version: string; body: string };

export function loadPromptTemplate(version = PROMPT_VERSION): PromptTemplate {
  const file = fileURLToPath(new URL(`./prompts/draft-policy.${version}.md`, import.meta.url));
  const text = readFileSync(file, 'utf8');
  const match = text.match(/^---\n([\s\S]*?)\n---\n([\s\S]*)$/);
  if (!match) throw new Error(`${file}: expected front matter between --- lines`);
  const meta = Object.fromEntries(
    (match[1] as string).split('\n').map((line) => {
      const at = line.indexOf(':');
      return [line.slice(0, at).trim(), line.slice(at + 1).trim()];
    }),
  );
  return { id: String(meta.id), version: String(meta.version), body: match[2] as string };
}

export type FewShot = { policyId: string; policy: string; tests: string };

export function renderPrompt(
  template: PromptTemplate,
  values: { request: DraftRequest; policyId: string; kinds: string[]; fewShot: FewShot[]; feedback: string[] },
): string {
  const { request } = values;
  const examples = [
    ...request.examples.deny.map((m, i) => `Must deny (example ${i + 1}): ${JSON.stringify(m)}`),
    ...request.examples.allow.map((m, i) => `Must allow (example ${i + 1}): ${JSON.stringify(m)}`),
  ];
  const fewShot = values.fewShot
    .map(
      (f) =>
        `--- ${f.policyId}/policy.rego\n${f.policy.trim()}\n--- ${f.policyId}/policy_test.rego (first tests)\n${f.tests.split('\n').slice(0, 30).join('\n')}`,
    )
    .join('\n');
  const feedback = values.feedback.length
    ? `\nYour previous attempt failed these checks; fix every one:\n${values.feedback.map((f) => `- ${f}`).join('\n')}\n`
    : '';
  const replacements: Record<string, string> = {
    package_suffix: packageOf(values.policyId).replace(/^kpc\.policies\./, ''),
    kinds: values.kinds.join(', '),
    examples: examples.length
      ? `- Include one test per example below, with the example as input.\n\nExamples:\n${examples.join('\n')}`
      : '',
    severity: request.severity,
    intent: request.intent,
    few_shot: fewShot || '(none)',
    feedback,
  };
  return template.body.replace(/\{\{(\w+)\}\}/g, (_, key: string) => replacements[key] ?? '');
}

/** How a model says no: an answer with no code that apologises or declines. */
const REFUSAL =
  /\b(I can(?:no|')t|I am (?:not able|unable)|I'm (?:not able|unable|sorry)|I (?:won't|will not)|cannot (?:help|assist|comply)|as an AI)\b/i;

/**
 * The model declined to write the policy. Asking again with the same prompt gets the same answer,
 * so the activity fails without retries (type "LlmRefusal") and the draft ends failed with the
 * model's words as the reason.
 */
export function refusalOf(answer: string): ApplicationFailure | undefined {
  if (/```/.test(answer) || !REFUSAL.test(answer)) return undefined;
  const excerpt = answer.replace(/\s+/g, ' ').trim().slice(0, 200);
  return ApplicationFailure.nonRetryable(`the model declined to write the policy: "${excerpt}"`, 'LlmRefusal');
}

/** The policy and test modules of an answer: the two ```rego blocks (the tests are the one whose package ends in _test). */
export function parseRegoBlocks(answer: string): { policy: string; tests: string } {
  const refusal = refusalOf(answer);
  if (refusal) throw refusal;
  const blocks = [...answer.matchAll(/```(?:rego)?\s*\n([\s\S]*?)```/g)].map((m) => (m[1] as string).trim());
  const isTest = (b: string) => /^\s*package\s+[\w.]+_test\b/m.test(b);
  const policy = blocks.find((b) => /^\s*package\s/m.test(b) && !isTest(b));
  const tests = blocks.find(isTest);
  if (!policy || !tests) {
    throw new Error(`the LLM answer has ${blocks.length} code block(s); expected a policy block and a test block (package …_test)`);
  }
  return { policy: `${policy}\n`, tests: `${tests}\n` };
}

export async function generateWithLLM(options: {
  llm: LLMProvider;
  request: DraftRequest;
  policyId: string;
  kinds: string[];
  fewShot: FewShot[];
  feedback: string[];
  attempt: number;
  category: Draft['category'];
}): Promise<{ draft: Draft; usage: { promptTokens: number; completionTokens: number } }> {
  const template = loadPromptTemplate();
  const prompt = renderPrompt(template, options);
  const completion = await options.llm.complete({
    model: options.llm.models.strong,
    messages: [
      { role: 'system', content: 'You are a careful Kubernetes policy engineer. Output only the two requested code blocks.' },
      { role: 'user', content: prompt },
    ],
    temperature: 0,
  });
  const { policy, tests } = parseRegoBlocks(completion.text);
  const title = options.request.intent.split(/(?<=[.!?])\s/)[0]?.slice(0, 90) ?? options.request.intent.slice(0, 90);
  return {
    draft: {
      policyId: options.policyId,
      packageName: packageOf(options.policyId),
      title,
      description: options.request.intent,
      kinds: options.kinds,
      severity: options.request.severity,
      category: options.category,
      message: '(written by the LLM; see the policy)',
      policy,
      tests,
      generator: `llm:${completion.model}`,
      promptVersion: `${template.id}.${template.version}`,
      attempt: options.attempt,
    },
    usage: completion.usage,
  };
}
