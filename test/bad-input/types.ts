/**
 * The bad-input corpus: what a case is, and what the runner gives a case to run with.
 *
 * A case is malformed (refused: a 4xx from the API, exit code 2 from the CLI, with the place of the
 * problem — file:line or a JSON path) or hostile (valid but meant to do harm: accepted, and the
 * case's scenario shows how it was neutralised). A case replays on the CLI (spawned `pac`), the API
 * (a spawned `pac serve`), or both.
 */

export const CATEGORIES = [
  'yaml-bomb',
  'deep-nesting',
  'huge-body',
  'binary-utf8',
  'wrong-kind',
  'huge-array',
  'invalid-rego',
  'hostile-rego',
  'prompt-injection',
  'request-shape',
] as const;
export type Category = (typeof CATEGORIES)[number];

export type TokenName = 'reader' | 'proposer' | 'approver' | 'none';

export interface CliCall {
  args: string[];
  /** bytes for standard input */
  stdin?: Buffer | string;
  timeoutMs?: number;
}

export interface CliResult {
  exit: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface ApiCall {
  method: 'GET' | 'POST';
  path: string;
  token?: TokenName;
  /** a JSON body */
  body?: unknown;
  /** raw bytes or text sent as they are */
  raw?: Buffer | string;
  contentType?: string;
  /** send the body in chunks without a content-length */
  chunked?: boolean;
}

export interface ApiResult {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field
  json: any;
  text: string;
  ms: number;
}

/** What a scenario may use. */
export interface RunContext {
  api(call: ApiCall): Promise<ApiResult>;
  cli(call: CliCall): Promise<CliResult>;
  /** writes a file into the case's temporary directory and returns its path */
  file(name: string, content: string | Buffer): string;
  /** the server's draft once it stops moving (not published unless approved) */
  settledDraft(id: string): Promise<ApiResult>;
  /** a loopback listener that counts connections (hostile Rego must never reach it) */
  listener: { url: string; hits(): number };
}

/** undefined when the outcome is right, else what was wrong. */
export type Verdict = string | undefined;

export interface CliPart {
  /** the file the command reads (written to a temporary directory) */
  file?: { name: string; content: string | Buffer };
  args(file: string): string[];
  stdin?: Buffer | string;
  /** allowed exit codes */
  exit: number[];
  /** must appear in stderr or stdout ({file} is replaced by the file's path) */
  shows?: RegExp | string;
  maxMs?: number;
}

export interface ApiPart {
  call: ApiCall;
  status: number[];
  /** must appear in error.message (or the body text) */
  shows?: RegExp | string;
  maxMs?: number;
}

export interface BadInputCase {
  id: string;
  category: Category;
  kind: 'malformed' | 'hostile';
  what: string;
  cli?: CliPart;
  api?: ApiPart;
  /** timed cases run alone, before the others, so their time is theirs */
  serial?: boolean;
  /** hostile cases: runs the case and says how it was neutralised (or what went wrong) */
  scenario?: (ctx: RunContext) => Promise<Verdict>;
}

export const MIB = 1024 * 1024;
