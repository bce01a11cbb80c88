import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Files under `folders` of `root` whose name ends with `extension` (node_modules and dot folders left out). */
export function listTracked(root: string, folders: readonly string[], extension: string): string[] {
  const out: string[] = [];
  const visit = (dir: string) => {
    for (const name of readdirSync(dir)) {
      if (name.startsWith('.') || name === 'node_modules') continue;
      const path = join(dir, name);
      if (statSync(path).isDirectory()) visit(path);
      else if (name.endsWith(extension)) out.push(relative(root, path));
    }
  };
  for (const folder of folders) visit(join(root, folder));
  return out.sort();
}
