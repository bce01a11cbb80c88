/**
 * Troubleshooting benchmark — every number in /work/notes/issue-6.md comes from here:
 *
 * 1. failure classifier: accuracy, macro-F1 and per-class precision/recall on held-out data (a
 *    stratified 30 % split and 5-fold cross-validation), for the rules alone, the text model alone
 *    and both combined (the baseline is the rules alone);
 * 2. counterexample minimiser on every negative fixture (datasets/fixtures/negative): size after /
 *    size before (nodes and bytes), and what batching buys — candidate evaluations per `opa eval`
 *    process, and the time of a one-process-per-candidate run on a few fixtures measured here;
 * 3. fix recommender on every negative fixture: share with a verified fix (any, and one that needs
 *    no value from a person), guided search against the unguided whole catalogue (candidates tried);
 * 4. CI-log assistant: root-cause accuracy on the labelled logs (datasets/ci-logs), overall and per
 *    tool, against pattern-only and retrieval-only ablations.
 *
 *   npm run bench:troubleshoot [-- --json out.json] [-- --skip-fixes]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ciLogLabelSchema, scoreSignatures } from '../activities/troubleshooting/cilog';
import { crossValidateFailureClassifier, evaluateFailureClassifier, FAILURE_CLASSES } from '../activities/troubleshooting/classify';
import { minimiseWith, opaDenyOracle } from '../activities/troubleshooting/minimise';
import { evaluateDenials } from '../activities/troubleshooting/oracle';
import { recommendFixes } from '../activities/troubleshooting/recommend';
import { loadNegativeFixtures, readJsonl } from '../datasets/load';
import { CI_LOGS_DIR } from '../datasets/paths';
import { loadConfig } from '../infra/config';

const { values } = parseArgs({ options: { json: { type: 'string' }, 'skip-fixes': { type: 'boolean', default: false } } });
const config = loadConfig();
const results: Record<string, unknown> = {};
const f3 = (x: number) => x.toFixed(3);
const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? ((s[Math.floor((s.length - 1) / 2)] as number) + (s[Math.ceil((s.length - 1) / 2)] as number)) / 2 : 0;
};

// 1. failure classifier ------------------------------------------------------------------------
{
  const holdout = evaluateFailureClassifier();
  const cv = crossValidateFailureClassifier();
  console.log(`\n== failure classifier (${holdout.train} train / ${holdout.test} held-out; 5-fold CV over ${cv.examples})`);
  console.log('mode       holdout acc  holdout macroF1   cv acc   cv macroF1');
  for (const mode of ['rules', 'model', 'combined'] as const)
    console.log(
      `${mode.padEnd(10)} ${f3(holdout.accuracy[mode]).padStart(11)}  ${f3(holdout.macroF1[mode]).padStart(15)}  ${f3(cv[mode].accuracy).padStart(7)}  ${f3(cv[mode].macroF1).padStart(11)}`,
    );
  console.log(`combined vs rules-only (5-fold accuracy): ${(cv.combined.accuracy / cv.rules.accuracy).toFixed(2)}x`);
  console.log('per class (combined)          holdout P / R / n        5-fold P / R / n');
  for (const c of FAILURE_CLASSES) {
    const h = holdout.perClass.combined[c];
    const k = cv.combined.perClass[c];
    console.log(
      `  ${c.padEnd(24)} ${f3(h?.precision ?? 0)} / ${f3(h?.recall ?? 0)} / ${String(h?.support ?? 0).padStart(3)}    ${f3(k?.precision ?? 0)} / ${f3(k?.recall ?? 0)} / ${String(k?.support ?? 0).padStart(3)}`,
    );
  }
  results.classifier = { holdout, crossValidation: cv };
}

// 2. minimiser -----------------------------------------------------------------------------------
const negatives = loadNegativeFixtures();
{
  const rows: {
    fixture: string;
    policy: string;
    nodes: [number, number];
    bytes: [number, number];
    evaluations: number;
    batches: number;
    ms: number;
  }[] = [];
  const started = performance.now();
  for (const f of negatives) {
    const policy = f.name.split('--')[0] as string;
    const t = performance.now();
    const r = await minimiseWith(f.manifest, opaDenyOracle(config, policy));
    rows.push({
      fixture: f.name,
      policy,
      nodes: [r.before.nodes, r.after.nodes],
      bytes: [r.before.bytes, r.after.bytes],
      evaluations: r.evaluations,
      batches: r.batches,
      ms: performance.now() - t,
    });
  }
  const totalMs = performance.now() - started;
  const nodeRatios = rows.map((r) => r.nodes[1] / r.nodes[0]);
  const byteRatios = rows.map((r) => r.bytes[1] / r.bytes[0]);
  // the baseline: the same search with one opa process per candidate, on the first 3 fixtures
  const sample = rows.slice(0, 3);
  let unbatchedMs = 0;
  let batchedMs = 0;
  for (const row of sample) {
    const f = negatives.find((x) => x.name === row.fixture);
    const oracle = opaDenyOracle(config, row.policy);
    const oneByOne = async (candidates: readonly unknown[]) => {
      const out: boolean[] = [];
      for (const c of candidates) out.push(...(await oracle([c])));
      return out;
    };
    const t = performance.now();
    await minimiseWith(f?.manifest, oneByOne);
    unbatchedMs += performance.now() - t;
    batchedMs += row.ms;
  }
  console.log(`\n== counterexample minimiser (${rows.length} negative fixtures, real OPA)`);
  console.log(
    `size after / before, nodes: mean ${f3(mean(nodeRatios))}, median ${f3(median(nodeRatios))}, min ${f3(Math.min(...nodeRatios))}, max ${f3(Math.max(...nodeRatios))}`,
  );
  console.log(`size after / before, bytes: mean ${f3(mean(byteRatios))}, median ${f3(median(byteRatios))}`);
  console.log(`nodes: ${f3(mean(rows.map((r) => r.nodes[0])))} → ${f3(mean(rows.map((r) => r.nodes[1])))} on average`);
  console.log(
    `candidates per opa process: ${f3(mean(rows.map((r) => r.evaluations / r.batches)))} (mean ${f3(mean(rows.map((r) => r.evaluations)))} candidates in ${f3(mean(rows.map((r) => r.batches)))} processes per fixture)`,
  );
  console.log(`time: ${(totalMs / 1000).toFixed(1)} s for all, ${(totalMs / rows.length).toFixed(0)} ms per fixture`);
  console.log(
    `one opa process per candidate (baseline, first ${sample.length} fixtures): ${(unbatchedMs / 1000).toFixed(1)} s vs batched ${(batchedMs / 1000).toFixed(1)} s → ${(unbatchedMs / batchedMs).toFixed(1)}x slower`,
  );
  results.minimiser = {
    fixtures: rows.length,
    meanNodeRatio: mean(nodeRatios),
    medianNodeRatio: median(nodeRatios),
    meanByteRatio: mean(byteRatios),
    candidatesPerProcess: mean(rows.map((r) => r.evaluations / r.batches)),
    secondsTotal: totalMs / 1000,
    unbatchedSlowdown: unbatchedMs / batchedMs,
    rows,
  };
}

// 3. fix recommender -------------------------------------------------------------------------------
if (!values['skip-fixes']) {
  const run = async (guided: boolean) => {
    const rows: { fixture: string; found: boolean; foundNoInput: boolean; candidates: number; ops: number; strategy: string }[] = [];
    const t = performance.now();
    const befores = await evaluateDenials({ config, manifests: negatives.map((f) => f.manifest) });
    for (const [i, f] of negatives.entries()) {
      const policy = f.name.split('--')[0] as string;
      const rec = await recommendFixes(config, { manifest: f.manifest, policy, denialsBefore: befores[i], guided, limit: 50 });
      rows.push({
        fixture: f.name,
        found: rec.fixes.length > 0,
        foundNoInput: rec.fixes.some((x) => x.placeholders.length === 0),
        candidates: rec.searched.candidates,
        ops: rec.fixes[0]?.patch.length ?? 0,
        strategy: rec.strategy.decision,
      });
    }
    return { rows, seconds: (performance.now() - t) / 1000 };
  };
  const guided = await run(true);
  const unguided = await run(false);
  const share = (rows: { found: boolean }[]) => rows.filter((r) => r.found).length / rows.length;
  const shareNoInput = (rows: { foundNoInput: boolean }[]) => rows.filter((r) => r.foundNoInput).length / rows.length;
  console.log(`\n== fix recommender (${guided.rows.length} negative fixtures; every fix verified against the whole corpus)`);
  console.log(
    `guided:   verified fix for ${pct(share(guided.rows))}, one needing no value from a person for ${pct(shareNoInput(guided.rows))}; ${f3(mean(guided.rows.map((r) => r.candidates)))} candidates tried per fixture; ${guided.seconds.toFixed(1)} s`,
  );
  console.log(
    `unguided: verified fix for ${pct(share(unguided.rows))}, needing no value ${pct(shareNoInput(unguided.rows))}; ${f3(mean(unguided.rows.map((r) => r.candidates)))} candidates per fixture; ${unguided.seconds.toFixed(1)} s`,
  );
  console.log(
    `guidance: ${(mean(unguided.rows.map((r) => r.candidates)) / mean(guided.rows.map((r) => r.candidates))).toFixed(1)}x fewer candidates, ${(unguided.seconds / guided.seconds).toFixed(1)}x faster`,
  );
  const withFix = guided.rows.filter((r) => r.found);
  console.log(
    `operations in the best fix: mean ${f3(mean(withFix.map((r) => r.ops)))}; strategy policy_change for ${guided.rows.filter((r) => r.strategy === 'policy_change').length} fixtures`,
  );
  console.log(
    `no verified fix: ${
      guided.rows
        .filter((r) => !r.found)
        .map((r) => r.fixture)
        .join(', ') || 'none'
    }`,
  );
  results.fixes = {
    fixtures: guided.rows.length,
    shareVerified: share(guided.rows),
    shareVerifiedNoInput: shareNoInput(guided.rows),
    unguidedShareVerified: share(unguided.rows),
    candidatesGuided: mean(guided.rows.map((r) => r.candidates)),
    candidatesUnguided: mean(unguided.rows.map((r) => r.candidates)),
    rows: guided.rows,
  };
}

// 4. CI logs -----------------------------------------------------------------------------------------
{
  const dir = CI_LOGS_DIR;
  const labels = readJsonl(join(dir, 'labels.jsonl'), ciLogLabelSchema);
  const modes = { combined: 0, patterns: 0, retrieval: 0 };
  const perTool = new Map<string, [number, number]>();
  const misses: string[] = [];
  for (const label of labels) {
    const { scores } = scoreSignatures(readFileSync(join(dir, 'logs', label.file), 'utf8'));
    const best = scores[0];
    const combined = best && best.patternScore > 0 ? best.signature.id : 'unknown';
    const byPattern = [...scores].sort((a, b) => b.patternScore - a.patternScore)[0];
    const byRetrieval = [...scores].sort((a, b) => b.retrieval - a.retrieval)[0];
    if (combined === label.root_cause) modes.combined++;
    else misses.push(`${label.file} (${label.root_cause} → ${combined})`);
    if (byPattern && byPattern.patternScore > 0 && byPattern.signature.id === label.root_cause) modes.patterns++;
    if (byRetrieval?.signature.id === label.root_cause) modes.retrieval++;
    const t = perTool.get(label.tool) ?? [0, 0];
    perTool.set(label.tool, [t[0] + (combined === label.root_cause ? 1 : 0), t[1] + 1]);
  }
  console.log(
    `\n== CI-log assistant (${labels.length} labelled logs, ${new Set(labels.map((l) => l.root_cause)).size} root causes, ${perTool.size} tools)`,
  );
  console.log(
    `root-cause accuracy: combined ${f3(modes.combined / labels.length)}, patterns only ${f3(modes.patterns / labels.length)}, retrieval only ${f3(modes.retrieval / labels.length)}`,
  );
  console.log(`per tool: ${[...perTool].map(([tool, [ok, n]]) => `${tool} ${ok}/${n}`).join(', ')}`);
  if (misses.length) console.log(`misses: ${misses.join('; ')}`);
  results.ciLogs = {
    logs: labels.length,
    accuracy: modes.combined / labels.length,
    patternsOnly: modes.patterns / labels.length,
    retrievalOnly: modes.retrieval / labels.length,
    perTool: Object.fromEntries(perTool),
    misses,
  };
}

if (values.json) writeFileSync(values.json, `${JSON.stringify(results, null, 2)}\n`);
