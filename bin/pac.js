#!/usr/bin/env node
// `pac`: the command-line entry. TypeScript sources run through tsx's loader; no build step.
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
