/**
 * One line describing why a value did not match a zod schema: "path: message; …" (the first few
 * issues only, so a large bad answer does not make an unreadable error). For errors about answers
 * of external programs and servers (OPA, MLflow).
 */
import type { z } from 'zod';

export function describeZodIssues(error: z.ZodError, limit = 5): string {
  return error.issues
    .slice(0, limit)
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
}
