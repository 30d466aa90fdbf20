/**
 * `npm run app`: the Cascade app on a local chain, with no configuration. Starts anvil (from the npm package),
 * deploys the protocol and seeds the demo deals (scripts/lib/app-chain.ts), then serves the app and prints its URL.
 * The chain then mines a block a second, so its clock moves with the wall clock. Ctrl-C stops both.
 *
 *   npm run app                      # a free port
 *   npm run app -- --port 5173
 *   npm run app -- --build           # the production build (app/dist) instead of the dev server
 */
import { parseArgs } from "node:util";

import { mnemonicToAccount } from "viem/accounts";

import { freePort, startAnvil, stopAnvil } from "../cli/lib/anvil.js";
import { chainFor } from "../cli/lib/clients.js";
import { ANVIL_MNEMONIC, devnetClients } from "../cli/lib/devnet.js";
import { appConfig, INVESTOR2_INDEX, seedAppChain } from "./lib/app-chain.js";
import { startAppServer } from "./lib/app-server.js";

const { values } = parseArgs({
  options: { port: { type: "string", default: "0" }, build: { type: "boolean", default: false } },
});

const rpcPort = await freePort();
const anvil = await startAnvil(rpcPort, ["--accounts", "11", "--quiet"]);
const stop = () => {
  stopAnvil(anvil);
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
try {
  const rpcUrl = `http://127.0.0.1:${rpcPort}`;
  const chain = chainFor(rpcUrl, 31_337);
  const c = devnetClients(rpcUrl, chain, 50);
  const investor2 = mnemonicToAccount(ANVIL_MNEMONIC, { addressIndex: INVESTOR2_INDEX }).address;
  const seeded = await seedAppChain(c, {
    investor2,
    onStep: (s) => console.log(`· ${s}`),
  });
  await c.testClient.setIntervalMining({ interval: 1 });
  const server = await startAppServer(appConfig(c, seeded, rpcUrl, investor2), {
    port: Number(values.port),
    build: values.build,
  });
  console.log(`\nCascade app: ${server.url}\nchain: anvil at ${rpcUrl} (chain 31337)\nCtrl-C stops both.`);
} catch (e) {
  stopAnvil(anvil);
  throw e;
}
