/**
 * Before a failed command prints its reason: the units of a contract revert (the stablecoin's decimals and symbol,
 * the chain's time), read from the contract that reverted, the deal it names, or the address book's stablecoin, so
 * that `describeFailure` says `BelowMinimumTicket: 10.00 < minimum 100,000.00 USDC`. Best effort and bounded in time:
 * a node that does not answer leaves the error as it is.
 */
import { resolve } from "node:path";

import { ContractRevertError, readDeployment, withRevertUnits } from "../../sdk/index.js";
import { chainOf, readerFor } from "./clients.js";
import { endpointOf, type GlobalOptions } from "./context.js";

export async function attachFailureUnits(e: unknown, options: GlobalOptions): Promise<void> {
  if (!(e instanceof ContractRevertError) || e.units !== undefined) return;
  try {
    const { url } = endpointOf(options);
    const chain = await chainOf(url);
    const dir = resolve(options.deployments ?? process.env.CASCADE_DEPLOYMENTS ?? "deployments");
    const stablecoin = await readDeployment(dir, chain.id)
      .then((d) => d.stablecoin)
      .catch(() => undefined);
    await withRevertUnits(readerFor(url, chain), e, { stablecoin, timeoutMs: 3_000 });
  } catch {
    // The reason is printed without units.
  }
}
