/** A throw-away git repository shaped like this one for publication tests: main with datasets/policies/index.jsonl. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function policyRepo(prefix: string): { repo: string; git: (...args: string[]) => string } {
  const repo = mkdtempSync(join(tmpdir(), prefix));
  const git = (...args: string[]) => execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8' }).trim();
  git('init', '-q', '-b', 'main');
  mkdirSync(join(repo, 'datasets', 'policies'), { recursive: true });
  writeFileSync(join(repo, 'datasets', 'policies', 'index.jsonl'), '{"id":"existing"}\n');
  git('add', '.');
  git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', 'init');
  return { repo, git };
}
