/**
 * `npm run app:config`: writes the app's `cascade.json` for every chain of the address book (scripts/lib/app-config.ts),
 * for a static host serving the production build. Prints each chain listed and each left out with its reason.
 *
 *   npm run app:build && npm run app:config                  # app/dist/cascade.json from deployments/
 *   npm run app:config -- --deployments DIR --out FILE
 */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { parseArgs } from "node:util";

import { addressBookConfig } from "./lib/app-config.js";
import { configJson } from "./lib/app-server.js";

const { values } = parseArgs({
  options: {
    deployments: { type: "string", default: process.env.CASCADE_DEPLOYMENTS ?? "deployments" },
    out: { type: "string", default: "app/dist/cascade.json" },
  },
});

const dir = resolve(values.deployments);
const { chains, skipped } = await addressBookConfig(dir);
for (const s of skipped) console.log(`· left out ${s}`);
if (chains.length === 0) {
  console.error(
    `${dir}: the address book has no chain with the protocol and a stablecoin to serve`,
  );
  process.exit(1);
}
const out = resolve(values.out);
await mkdir(dirname(out), { recursive: true });
await writeFile(out, `${configJson({ chains })}\n`);
for (const c of chains)
  console.log(`· ${c.chainName} (${c.chainId}): ${c.deals.length} deals, ${c.rpcUrl}`);
console.log(`wrote ${out}`);
