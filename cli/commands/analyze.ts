/** pac analyze — the policies that deny each Kubernetes object, in the format CI and people read. */
import { defineCommand } from '../common';

export const command = defineCommand({
  usage: 'pac analyze <file|dir|->... [--format text|json|sarif|junit|github] [--severity-threshold S] [options]',
  description: [
    'Evaluates every Kubernetes object of the YAML/JSON input (files; directories: every *.yaml, *.yml and *.json below,',
    'hidden folders and node_modules excepted; - for standard input) against the policy corpus, in process. Findings are',
    'grouped by resource and sorted by severity (critical → low), with the Pod Security Standards level. Big inputs stream',
    'in bounded batches: memory stays flat however large one file is.',
    '',
    'In a directory, a file that holds no Kubernetes object (package.json, values.json, *.expected.json …) is skipped with a',
    'note; --strict makes it an error. A document that does not parse is reported with file:line; the others are analysed.',
    '',
    'Exemptions: annotate the object with kpc.io/exempt: "<policy id>[,…]" and kpc.io/exempt-reason: "<why>". Exempted',
    'findings are reported as exempted and do not count; an exemption without a reason is not applied and is a finding.',
  ].join('\n'),
  options: {
    format: {
      type: 'string',
      value: 'F',
      help: 'text (default) | json | sarif (SARIF 2.1.0 for GitHub code scanning) | junit (JUnit XML) | github\n(workflow annotations)',
    },
    'severity-threshold': {
      type: 'string',
      value: 'S',
      help: 'low (default) | medium | high | critical: findings at or above it make the exit code 3',
    },
    bundle: {
      type: 'string',
      multiple: true,
      value: 'B[,B…]',
      help: 'policy bundles: pss-baseline, pss-restricted, rbac, best-practices, all\n(default: pss-baseline,rbac unless --policy is given)',
    },
    policy: { type: 'string', multiple: true, value: 'ID[,ID…]', help: 'evaluate these policies (with --bundle: in addition to it)' },
    skip: { type: 'string', multiple: true, value: 'ID[,ID…]', help: 'do not evaluate these policies' },
    params: {
      type: 'string',
      value: 'FILE',
      help: "policy parameters: YAML/JSON mapping of policy id → {parameter: value}, checked against\neach policy's parameter schema (datasets/policies/<id>/policy.yaml)",
    },
    inventory: {
      type: 'string',
      value: 'FILE|DIR|none',
      help: 'the other cluster objects cross-object policies read (an inventory document or manifests,\ne.g. kubectl get -o yaml; default: the analysed objects themselves; none: no inventory)',
    },
    schema: {
      type: 'boolean',
      help: 'also check every object against the Kubernetes 1.33 schema (misspelled or unknown fields,\nwrong types): finding schema-valid (medium); about doubles the time per object',
    },
    strict: { type: 'boolean', help: 'a file of a directory that holds no Kubernetes object is an error, not skipped' },
    rank: { type: 'boolean', help: "add the ranker's top-k per resource (champion from MLflow, else the heuristic)" },
    top: { type: 'string', value: 'K', help: 'how many ranked policies to show (default 5; implies --rank)' },
    output: { type: 'string', value: 'FILE', help: 'write the report to FILE (complete or not at all) instead of stdout' },
    threads: {
      type: 'string',
      value: 'N',
      help: 'evaluation threads (0: in this thread; default: 0 for small inputs, one per core\nfor big ones)',
    },
  },
  exitCodes: {
    ok: 'no active finding at or above the threshold',
    findings: 'findings at or above --severity-threshold (exempted findings never count)',
  },
  examples: [
    'pac analyze deploy/ --severity-threshold high',
    'pac analyze deploy/ --bundle all --skip metadata-owner-annotation --params params.yaml',
    'pac analyze k8s/ --format sarif --output pac.sarif      # then upload with github/codeql-action/upload-sarif',
    'helm template chart/ | pac analyze - --format github',
    'pac analyze pod.yaml --json --rank --top 3',
  ],
  async run({ values, positionals, json, config }) {
    const { analyzeCommand } = await import('../analyze');
    return analyzeCommand(await config(), positionals, { ...values, json });
  },
});
