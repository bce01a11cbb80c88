/**
 * Document Q&A evaluation over datasets/kb-eval/questions.jsonl against the real engines the
 * configuration points at (Weaviate for retrieval, MLflow for logging):
 *
 * - retrieval MRR@5 and hit@5 with BM25 only (alpha 0), vector only (alpha 1) and hybrid
 *   (PAC_HYBRID_ALPHA), side by side — a chunk is relevant when it holds the question's passage;
 * - answers for every answer prompt version (A/B): context precision and recall, faithfulness,
 *   relevancy, refusals of unanswerable questions, false refusals, cost, latency (offline
 *   heuristics; an LLM judge as well when PAC_LLM_BASE_URL is set);
 * - the semantic cache on the paraphrases (hit rate) and on distinct questions (false hits).
 *
 * Each prompt version is one MLflow run in experiment kpc-qa-eval (params, metrics, the per-question
 * report as an artifact). Indexes into a fresh collection KbEval_<time> and deletes it after.
 *
 *   npm run bench:rag-eval            (engines running: npx pac up)
 */

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { embeddingProviderFromConfig } from '../activities/llm/embeddings';
import {
  answerRelevancy,
  containsPassage,
  contextPrecision,
  contextRecall,
  faithfulness,
  judgeWithLlm,
  mean,
  quantile,
  reciprocalRank,
} from '../activities/qa/eval';
import { maskedJsonArtifact } from '../activities/qa/pii';
import { loadPrompts } from '../activities/qa/prompts';
import { qaServiceFromConfig } from '../activities/qa/service';
import type { ChunkHit, SearchMode } from '../activities/qa/store';
import { loadKbEvalQuestions, loadKnowledgeBase } from '../datasets/load';
import type { KbEvalQuestion } from '../datasets/schemas';
import { loadConfig } from '../infra/config';
import { mlflowClientFromConfig } from '../registry/mlflow';

type Answerable = Extract<KbEvalQuestion, { answerable: true }>;

const config = loadConfig();
const collection = `KbEval_${Date.now().toString(36)}`;
const { qa, close } = await qaServiceFromConfig(config, { collection });
const embedderId = embeddingProviderFromConfig(config, () => {}).id;
const questions = loadKbEvalQuestions();
const answerable = questions.filter((q): q is Answerable => q.answerable);
const unanswerable = questions.filter((q) => !q.answerable);
const log = (line: string) => process.stderr.write(`${line}\n`);

const relevantHit = (q: Answerable, hit: ChunkHit) => hit.source === q.source && containsPassage(hit.text, q.passage);

try {
  const started = Date.now();
  const docs = loadKnowledgeBase();
  for (const doc of docs) {
    // ingestion upserts by key, so a retry is safe; a keep-alive connection Weaviate closed while the
    // embedder worked on a long document fails once ("other side closed")
    const ingest = () => qa.ingest({ name: `${doc.id}.md`, text: readFileSync(doc.file, 'utf8') });
    await ingest().catch(async (error: Error) => {
      log(`retrying ${doc.id} after: ${error.message}`);
      await ingest();
    });
  }
  log(
    `indexed ${docs.length} documents into ${collection} (${await qa.kb.count()} chunks) in ${((Date.now() - started) / 1000).toFixed(1)}s`,
  );

  // passages must be findable in some chunk, or the question is unfair to every mode
  for (const q of answerable) {
    const all = await qa.kb.search(q.passage, { mode: 'bm25', limit: 50 });
    if (!all.some((h) => relevantHit(q, h))) throw new Error(`${q.id}: passage not found in any chunk of ${q.source}`);
  }

  // ---- retrieval, three modes
  const retrieval: Record<SearchMode, { mrr5: number; hit5: number; hit1: number }> = {} as never;
  for (const mode of ['bm25', 'vector', 'hybrid'] as const) {
    const rr: number[] = [];
    for (const q of answerable) {
      const hits = await qa.kb.search(q.question, { mode, limit: 5 });
      rr.push(
        reciprocalRank(
          hits.map((h) => relevantHit(q, h)),
          5,
        ),
      );
    }
    retrieval[mode] = { mrr5: mean(rr), hit5: mean(rr.map((r) => (r > 0 ? 1 : 0))), hit1: mean(rr.map((r) => (r === 1 ? 1 : 0))) };
  }
  // PAC_HYBRID_ALPHA chosen on one half of the questions and reported on the other (split by a digest of the id)
  const half = (q: Answerable) => (createHash('sha256').update(q.id).digest()[0] ?? 0) % 2;
  const tuneSet = answerable.filter((q) => half(q) === 0);
  const testSet = answerable.filter((q) => half(q) === 1);
  const mrr = async (set: Answerable[], options: { mode: SearchMode; alpha?: number }) => {
    const rr: number[] = [];
    for (const q of set) {
      const hits = await qa.kb.search(q.question, { ...options, limit: 5 });
      rr.push(
        reciprocalRank(
          hits.map((h) => relevantHit(q, h)),
          5,
        ),
      );
    }
    return mean(rr);
  };
  const alphaSweep: Record<string, number> = {};
  for (const alpha of [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9])
    alphaSweep[String(alpha)] = await mrr(tuneSet, { mode: 'hybrid', alpha });
  const [bestAlpha] = Object.entries(alphaSweep).sort((a, b) => b[1] - a[1] || Number(a[0]) - Number(b[0]))[0] as [string, number];
  const heldOutHalf = {
    tuneQuestions: tuneSet.length,
    testQuestions: testSet.length,
    alphaChosenOnTuneHalf: Number(bestAlpha),
    testHalfMrr5: {
      bm25: await mrr(testSet, { mode: 'bm25' }),
      vector: await mrr(testSet, { mode: 'vector' }),
      hybridChosenAlpha: await mrr(testSet, { mode: 'hybrid', alpha: Number(bestAlpha) }),
      hybridConfiguredAlpha: await mrr(testSet, { mode: 'hybrid' }),
    },
  };
  log(`embedder: ${embedderId}`);

  // ---- answers, per prompt version
  const versions = loadPrompts()
    .filter((p) => p.name === 'answer')
    .map((p) => p.version);
  const llm = qa.llm;
  const results: Record<string, Record<string, number>> = {};
  const reports: Record<string, unknown[]> = {};
  for (const version of versions) {
    const rows: Record<string, unknown>[] = [];
    const m = {
      precision: [] as number[],
      recall: [] as number[],
      faith: [] as number[],
      rel: [] as number[],
      judgeFaith: [] as number[],
      judgeRel: [] as number[],
      cost: [] as number[],
      ms: [] as number[],
    };
    let falseRefusals = 0;
    for (const q of answerable) {
      const a = await qa.query(q.question, { promptVersion: version, noCache: true });
      const retrieved = await qa.kb.search(q.question, { mode: 'hybrid', limit: 6 });
      const contexts = retrieved.map((h) => h.text);
      const precision = contextPrecision(retrieved.map((h) => relevantHit(q, h)));
      const recall = contextRecall(q.passage, contexts);
      const cited = a.citations.map((c) => retrieved.find((h) => h.chunkId === c.chunkId)?.text ?? c.excerpt);
      const faith = a.answerable ? faithfulness(a.answer, cited.length ? cited : contexts) : 0;
      const rel = a.answerable ? answerRelevancy(q.question, a.answer, q.answer) : 0;
      if (!a.answerable) falseRefusals++;
      m.precision.push(precision);
      m.recall.push(recall);
      m.faith.push(faith);
      m.rel.push(rel);
      m.cost.push(a.costUsd);
      m.ms.push(a.ms);
      let judge: { faithfulness: number; relevancy: number } | undefined;
      if (llm && a.answerable) {
        judge = await judgeWithLlm(llm, { question: q.question, answer: a.answer, contexts: cited, reference: q.answer }).catch(
          () => undefined,
        );
        if (judge && Number.isFinite(judge.faithfulness)) m.judgeFaith.push(judge.faithfulness);
        if (judge && Number.isFinite(judge.relevancy)) m.judgeRel.push(judge.relevancy);
      }
      rows.push({
        id: q.id,
        question: q.question,
        answer: a.answer,
        answerable: a.answerable,
        citations: a.citations.map((c) => c.chunkId),
        precision,
        recall,
        faithfulness: faith,
        relevancy: rel,
        judge,
        costUsd: a.costUsd,
        ms: a.ms,
      });
    }
    let refused = 0;
    for (const q of unanswerable) {
      const a = await qa.query(q.question, { promptVersion: version, noCache: true });
      if (!a.answerable) refused++;
      rows.push({ id: q.id, question: q.question, answer: a.answer, answerable: a.answerable, refusal: a.refusalReason });
    }
    results[version] = {
      context_precision: mean(m.precision),
      context_recall: mean(m.recall),
      faithfulness: mean(m.faith),
      answer_relevancy: mean(m.rel),
      false_refusal_rate: falseRefusals / answerable.length,
      unanswerable_refused: refused / Math.max(1, unanswerable.length),
      cost_usd_mean: mean(m.cost),
      latency_ms_p50: quantile(m.ms, 0.5),
      latency_ms_p99: quantile(m.ms, 0.99),
      ...(m.judgeFaith.length ? { judge_faithfulness: mean(m.judgeFaith), judge_relevancy: mean(m.judgeRel) } : {}),
    };
    reports[version] = rows;
  }

  // ---- semantic cache on paraphrases
  const defaultVersion = config.qa.promptVersion;
  qa.cache.clear();
  const paraphrased = answerable.filter((q) => q.paraphrase);
  let paraphraseHits = 0;
  const pairs: { question: string; paraphrase: string; hit: boolean; similarity?: number }[] = [];
  for (const q of paraphrased) {
    await qa.query(q.question, { promptVersion: defaultVersion });
    const again = await qa.query(q.paraphrase as string, { promptVersion: defaultVersion });
    if (again.cache.hit) paraphraseHits++;
    pairs.push({
      question: q.question,
      paraphrase: q.paraphrase as string,
      hit: again.cache.hit,
      ...(again.cache.similarity ? { similarity: again.cache.similarity } : {}),
    });
  }
  qa.cache.clear();
  let falseHits = 0;
  for (const q of answerable) {
    const a = await qa.query(q.question, { promptVersion: defaultVersion });
    if (a.cache.hit) falseHits++;
  }
  const cache = {
    threshold: config.qa.cacheThreshold,
    paraphrase_hit_rate: paraphraseHits / Math.max(1, paraphrased.length),
    paraphrases: paraphrased.length,
    distinct_false_hit_rate: falseHits / answerable.length,
  };

  // ---- MLflow
  const client = mlflowClientFromConfig(config);
  const experiment = await client.getOrCreateExperiment('kpc-qa-eval');
  const runIds: Record<string, string> = {};
  for (const version of versions) {
    const run = await client.createRun({
      experimentId: experiment.experiment_id,
      runName: `qa-eval-answer@${version}-${new Date().toISOString().replace(/[:.]/g, '-')}`,
      tags: { prompt_version: `answer@${version}`, generator: llm ? 'llm' : 'offline' },
    });
    const runId = run.info.run_id;
    runIds[version] = runId;
    await client.logBatch({
      runId,
      params: {
        prompt_version: `answer@${version}`,
        embedder: embedderId,
        llm: llm ? `${llm.models.cheap}/${llm.models.strong}` : 'offline',
        hybrid_alpha: config.retrieval.alpha,
        chunk_words: 500,
        chunk_overlap_words: 75,
        questions_answerable: answerable.length,
        questions_unanswerable: unanswerable.length,
        cache_threshold: config.qa.cacheThreshold,
      },
      metrics: [
        ...Object.entries(results[version] ?? {}).map(([key, value]) => ({ key, value })),
        ...Object.entries(retrieval).flatMap(([mode, r]) => [
          { key: `retrieval_${mode}_mrr_at_5`, value: r.mrr5 },
          { key: `retrieval_${mode}_hit_at_5`, value: r.hit5 },
          { key: `retrieval_${mode}_hit_at_1`, value: r.hit1 },
        ]),
        ...Object.entries(alphaSweep).map(([a, v]) => ({
          key: `retrieval_hybrid_alpha_${a.replace('.', '_')}_tune_half_mrr_at_5`,
          value: v,
        })),
        ...Object.entries(heldOutHalf.testHalfMrr5).map(([k, v]) => ({ key: `retrieval_test_half_${k}_mrr_at_5`, value: v })),
        { key: 'retrieval_alpha_chosen_on_tune_half', value: heldOutHalf.alphaChosenOnTuneHalf },
        { key: 'cache_paraphrase_hit_rate', value: cache.paraphrase_hit_rate },
        { key: 'cache_distinct_false_hit_rate', value: cache.distinct_false_hit_rate },
      ],
    });
    await client.uploadArtifact(
      runId,
      'qa_eval/report.json',
      maskedJsonArtifact({ retrieval, results: results[version], cache, pairs, rows: reports[version] }),
      'application/json',
    );
    await client.updateRun({ runId, status: 'FINISHED' });
  }

  const out = {
    questions: { answerable: answerable.length, unanswerable: unanswerable.length },
    retrieval,
    embedder: embedderId,
    hybridMrr5ByAlphaOnTuneHalf: alphaSweep,
    heldOutHalf,
    answers: results,
    cache,
    mlflow: Object.fromEntries(
      Object.entries(runIds).map(([v, id]) => [v, `${config.mlflow.uri}/#/experiments/${experiment.experiment_id}/runs/${id}`]),
    ),
  };
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  log('\nretrieval (MRR@5 / hit@5 / hit@1):');
  for (const [mode, r] of Object.entries(retrieval))
    log(`  ${mode.padEnd(7)} ${r.mrr5.toFixed(3)} / ${r.hit5.toFixed(3)} / ${r.hit1.toFixed(3)}`);
  log(
    `  test half (${heldOutHalf.testQuestions} questions, alpha ${heldOutHalf.alphaChosenOnTuneHalf} chosen on the other ${heldOutHalf.tuneQuestions}): ${Object.entries(
      heldOutHalf.testHalfMrr5,
    )
      .map(([k, v]) => `${k} ${v.toFixed(3)}`)
      .join(', ')}`,
  );
  log(
    `  hybrid MRR@5 by alpha (tune half): ${Object.entries(alphaSweep)
      .map(([a, v]) => `${a}→${v.toFixed(3)}`)
      .join(' ')}`,
  );
  log('answers by prompt version:');
  for (const [v, r] of Object.entries(results))
    log(
      `  answer@${v}: ${Object.entries(r)
        .map(([k, x]) => `${k}=${x.toFixed(3)}`)
        .join(' ')}`,
    );
  log(
    `cache: paraphrase hits ${paraphraseHits}/${paraphrased.length}, false hits on distinct questions ${falseHits}/${answerable.length} (threshold ${config.qa.cacheThreshold})`,
  );
} finally {
  await qa.kb
    .count()
    .then(async () => {
      const { WeaviateStore } = await import('../activities/retrieval/weaviate');
      const store = await WeaviateStore.connect(config);
      await store.deleteCollection(collection);
      await store.close();
    })
    .catch(() => {});
  await close();
}
