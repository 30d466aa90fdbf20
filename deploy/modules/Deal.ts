import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import ProtocolModule from "./Protocol.js";

/**
 * A deal from a term sheet, on the protocol of `Protocol.ts` (deployed first if it is not yet): one
 * `DealFactory.createDeal` call, the deal's address read from the factory's `DealCreated` event.
 *
 * Parameter `terms`: the on-chain `TermSheet` struct, as JSON — what `parseTermSheet(json, { now, addresses })`
 * returns in `.terms`, with bigints as decimal strings. Human term sheets (examples/h100-fleet.json) have relative
 * times and `$placeholders`, so they are resolved first; `cascade deal create` does all of it in one step, or
 * writes the parameters file for this module with `--ignition-params` (nothing is sent then):
 *
 *   npx cascade deal create examples/h100-fleet.json --address servicer=0x… … --ignition-params deal-params.json
 *   npx hardhat ignition deploy deploy/modules/Deal.ts --network localhost --parameters deal-params.json \
 *       --default-sender <issuer>
 *
 * Only the term sheet's issuer may call `createDeal`, and Ignition sends the call from its default sender: the
 * network's first account, or `--default-sender <issuer>`. The default sender also sends the protocol module's
 * calls when it deploys the protocol too, so give that module the same account as `admin` then, or deploy the
 * protocol first. (A deal can also be created with the issuer's signed consent by any account:
 * `createDealWithConsent`, see the SDK's `signDealConsent`.)
 *
 * Ignition keeps the call in its journal, so re-running the deployment does not create a second deal.
 */
export default buildModule("CascadeDeal", (m) => {
  const { factory } = m.useModule(ProtocolModule);
  const terms = m.getParameter("terms");
  const create = m.call(factory, "createDeal", [terms], { id: "CreateDeal" });
  const dealAddress = m.readEventArgument(create, "DealCreated", "deal", {
    id: "DealAddress",
    emitter: factory,
  });
  // A deal's whole interface: its own code runs part of it and delegates the rest to the deal extension.
  const deal = m.contractAt("IDeal", dealAddress, { id: "DealContract" });
  return { factory, deal };
});
