#!/usr/bin/env node
// The `cascade` command (package.json "bin"): runs the TypeScript CLI in cli/main.ts through tsx.
// Needs Node 22, which `npx cascade` / `npm run cascade` inside the project provide (the node@22 dev dependency).
import { register } from "tsx/esm/api";

register();
await import("./main.ts");
