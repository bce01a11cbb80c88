/** pac feedback — record what happened to a suggested fix (explicit feedback for the fix-strategy model). */
import { userInfo } from 'node:os';
import { CliUsageError, defineCommand, EXIT } from '../common';

const OUTCOMES = ['accepted', 'reverted', 'policy_changed', 'exempted'];

export const command = defineCommand({
  usage:
    'pac feedback --policy ID --kind KIND --name NAME --outcome accepted|reverted|policy_changed|exempted [--namespace NS] [--api-version V] [--strategy S] [--note TEXT] [--json]',
  description:
    'Records what happened to a suggested fix for a denial of policy ID on the object KIND NS/NAME: the fix was\naccepted (applied and kept) or reverted, or the policy was changed or the object exempted instead. The next\nfix-strategy retrain learns from it (source "feedback"). The note is PII-masked; the recorder is your OS user.',
  options: {
    policy: { type: 'string', value: 'ID', help: 'the policy that denied the object' },
    kind: { type: 'string', value: 'KIND', help: 'the denied object: its kind' },
    namespace: { type: 'string', value: 'NS', help: 'its namespace (omit for cluster-scoped objects)' },
    name: { type: 'string', value: 'NAME', help: 'its name' },
    'api-version': { type: 'string', value: 'V', help: 'its apiVersion (optional)' },
    outcome: { type: 'string', value: 'OUTCOME', help: `what happened: ${OUTCOMES.join(', ')}` },
    strategy: {
      type: 'string',
      value: 'S',
      help: 'the strategy that was suggested: manifest_patch (default) or policy_change\n(accepted: it was right; reverted: the other one was)',
    },
    note: { type: 'string', value: 'TEXT', help: 'free text (PII-masked before it is stored)' },
  },
  exitCodes: { ok: 'the feedback was recorded' },
  examples: [
    'pac feedback --policy image-no-latest-tag --kind Deployment --namespace shop --name web --outcome accepted',
    'pac feedback --policy replicas-minimum --kind Deployment --namespace ops --name leader --outcome exempted --note "leader-elected"',
  ],
  async run({ values, config, print }) {
    for (const flag of ['policy', 'kind', 'name', 'outcome'] as const)
      if (!values[flag]) throw new CliUsageError(`--${flag} is required (see: pac feedback --help)`);
    if (!OUTCOMES.includes(values.outcome as string))
      throw new CliUsageError(`--outcome: unknown "${values.outcome}": expected one of ${OUTCOMES.join(', ')}`);
    const { FeedbackInputError, submitFeedback } = await import('../../activities/observations/feedback');
    let recorded: Awaited<ReturnType<typeof submitFeedback>>;
    try {
      recorded = submitFeedback(
        await config(),
        {
          policy: values.policy as string,
          kind: values.kind as string,
          name: values.name as string,
          outcome: values.outcome as 'accepted',
          apiVersion: values['api-version'] ?? '',
          namespace: values.namespace ?? null,
          strategy: (values.strategy ?? null) as 'manifest_patch' | null,
          note: values.note ?? null,
        },
        'cli',
        userInfo().username || 'unknown',
      );
    } catch (error) {
      if (error instanceof FeedbackInputError) throw new CliUsageError(`--${error.message.replace(/^apiVersion/, 'api-version')}`);
      throw error;
    }
    const where = recorded.namespace ? `${recorded.namespace}/${recorded.name}` : recorded.name;
    print(
      { feedback: recorded },
      `recorded: ${recorded.outcome} for ${recorded.policy} on ${recorded.kind} ${where} (id ${recorded.id}); the next fix-strategy retrain reads it`,
    );
    return EXIT.ok;
  },
});
