/**
 * Writes the JSON Schema of the term-sheet format, generated from the zod schema, to
 * `examples/termsheet.schema.json` (`npm run schema`; a test fails when the file is stale).
 */
import { writeFileSync } from "node:fs";

import { termSheetJsonSchema } from "../termsheet.js";

const target = new URL("../../examples/termsheet.schema.json", import.meta.url);
writeFileSync(target, `${JSON.stringify(termSheetJsonSchema(), null, 2)}\n`);
console.log(`wrote ${target.pathname}`);
