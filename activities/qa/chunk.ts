/**
 * Splits a document into overlapping word windows for retrieval. Front matter is dropped (its
 * title is kept as metadata by the caller); each chunk records its position, its word range and
 * the Markdown heading in force where it starts, so a citation can say where it came from.
 */
import { z } from 'zod';

export const chunkOptionsSchema = z.strictObject({
  /** words per chunk */
  size: z.int().min(20).max(5000).default(500),
  /** words shared by two neighbouring chunks */
  overlap: z.int().min(0).default(75),
});
export type ChunkOptions = z.input<typeof chunkOptionsSchema>;

export const chunkSchema = z.object({
  /** 0-based index of the chunk in its document */
  position: z.int().min(0),
  text: z.string(),
  /** word range [startWord, endWord) in the document body */
  startWord: z.int().min(0),
  endWord: z.int().min(0),
  /** the nearest Markdown heading at or before the chunk's first word ("" when none) */
  heading: z.string(),
});
export type Chunk = z.infer<typeof chunkSchema>;

/** Removes a leading YAML front matter block ("---" … "---"). */
export function stripFrontMatter(text: string): { body: string; frontMatter: string | undefined } {
  const match = /^\uFEFF?---\r?\n([\s\S]*?)\r?\n---\r?\n?/.exec(text);
  return match ? { body: text.slice(match[0].length), frontMatter: match[1] } : { body: text, frontMatter: undefined };
}

/** The document's title: front matter `title:`, else its first `# ` heading, else undefined. */
export function titleOf(text: string): string | undefined {
  const { body, frontMatter } = stripFrontMatter(text);
  const fm = frontMatter
    ? /^title:\s*(.+)$/m
        .exec(frontMatter)?.[1]
        ?.trim()
        .replace(/^["']|["']$/g, '')
    : undefined;
  return fm || /^#\s+(.+)$/m.exec(body)?.[1]?.trim();
}

export function chunkText(text: string, optionsInput: ChunkOptions = {}): Chunk[] {
  const options = chunkOptionsSchema.parse(optionsInput);
  if (options.overlap >= options.size)
    throw new Error(`chunk overlap (${options.overlap}) must be smaller than the size (${options.size})`);
  const { body } = stripFrontMatter(text);
  // words with the heading in force at each of them; lines are kept as units so headings are found
  const words: string[] = [];
  const headingAt: string[] = [];
  let heading = '';
  for (const line of body.split(/\r?\n/)) {
    const h = /^#{1,6}\s+(.+?)\s*#*\s*$/.exec(line);
    if (h) heading = (h[1] as string).trim();
    for (const word of line.split(/\s+/)) {
      if (!word) continue;
      words.push(word);
      headingAt.push(heading);
    }
    // keep paragraph breaks visible in the chunk text
    if (line.trim() === '' && words.length > 0 && words[words.length - 1] !== '\n') {
      words.push('\n');
      headingAt.push(heading);
    }
  }
  while (words.length > 0 && words[words.length - 1] === '\n') {
    words.pop();
    headingAt.pop();
  }
  const real = words.filter((w) => w !== '\n').length;
  if (real === 0) return [];

  // windows over real words; paragraph markers ride along
  const realIndex: number[] = [];
  words.forEach((w, i) => {
    if (w !== '\n') realIndex.push(i);
  });
  const chunks: Chunk[] = [];
  const step = options.size - options.overlap;
  for (let start = 0; start < real; start += step) {
    const end = Math.min(real, start + options.size);
    const from = realIndex[start] as number;
    const to = (realIndex[end - 1] as number) + 1;
    const textOut = words
      .slice(from, to)
      .join(' ')
      .replace(/ ?\n ?/g, '\n\n')
      .trim();
    chunks.push({ position: chunks.length, text: textOut, startWord: start, endWord: end, heading: headingAt[from] ?? '' });
    if (end === real) break;
  }
  return chunks;
}
