/**
 * Generates datasets/policies/index.jsonl from the policy folders (datasets/policies/<id>/policy.yaml
 * is the one source of a policy's metadata; the index is a committed, generated view of them).
 * With --check it writes nothing and exits 1 when the committed index is out of date.
 *
 *   npm run datasets:index [-- --check]
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { policyIndexText } from '../datasets/load';
import { POLICY_INDEX_FILE } from '../datasets/paths';
import { writeAtomic } from '../lib/atomic';

const { values } = parseArgs({ options: { check: { type: 'boolean', default: false } } });
const text = policyIndexText();
const current = existsSync(POLICY_INDEX_FILE) ? readFileSync(POLICY_INDEX_FILE, 'utf8') : '';
if (values.check) {
  if (current !== text) {
    process.stderr.write(`${POLICY_INDEX_FILE} is out of date: run npm run datasets:index\n`);
    process.exit(1);
  }
  process.stdout.write(`${POLICY_INDEX_FILE} is up to date (${text.split('\n').length - 1} policies)\n`);
} else if (current === text) {
  process.stdout.write(`${POLICY_INDEX_FILE} unchanged (${text.split('\n').length - 1} policies)\n`);
} else {
  writeAtomic(POLICY_INDEX_FILE, text);
  process.stdout.write(`wrote ${POLICY_INDEX_FILE} (${text.split('\n').length - 1} policies)\n`);
}
