/**
 * The app's reads on the chain `npm run app` seeds (scripts/lib/app-chain.ts), on anvil: `factoryDeals`, `dealAudit`
 * (the statements `cascade deal history` prints, from the same reads) and `dealProjection` (the model replays every
 * distributed period to the wei, then projects the rest).
 */
import { existsSync } from "node:fs";

import { expect } from "chai";
import { mnemonicToAccount } from "viem/accounts";

import { ANVIL, freePort, startAnvil, stopAnvil } from "../../cli/lib/anvil.js";
import { chainFor } from "../../cli/lib/clients.js";
import { ANVIL_MNEMONIC, devnetClients } from "../../cli/lib/devnet.js";
import {
  AUDITED_UTILIZATION,
  INVESTOR2_INDEX,
  RUNNING_UTILIZATION,
  seedAppChain,
  type AppChain,
} from "../../scripts/lib/app-chain.js";
import { dealHistory, DealStatus } from "../../sdk/index.js";

describe("SDK: the app's reads on the seeded devnet (anvil)", function () {
  this.timeout(180_000);
  let anvil: Awaited<ReturnType<typeof startAnvil>> | undefined;
  let c: ReturnType<typeof devnetClients>;
  let seeded: AppChain;

  before(async function () {
    if (!existsSync(ANVIL)) this.skip();
    const port = await freePort();
    anvil = await startAnvil(port, ["--accounts", "11", "--quiet"]);
    const url = `http://127.0.0.1:${port}`;
    c = devnetClients(url, chainFor(url, 31_337), 20);
    const investor2 = mnemonicToAccount(ANVIL_MNEMONIC, { addressIndex: INVESTOR2_INDEX }).address;
    seeded = await seedAppChain(c, { investor2 });
  });

  after(() => {
    if (anvil) stopAnvil(anvil);
  });

  it("factoryDeals lists the factory's deals in creation order", async () => {
    const deals = await c.keeper.factoryDeals({ factory: seeded.factory });
    expect(deals).to.deep.equal(seeded.deals.map((d) => d.deal));
  });

  it("dealAudit reads the statements of every distributed period, as periodStatements and dealHistory make them", async () => {
    for (const [d, utilization] of [
      [seeded.audited, AUDITED_UTILIZATION],
      [seeded.running, RUNNING_UTILIZATION],
    ] as const) {
      const audit = await c.keeper.dealAudit({ deal: d.deal, fromBlock: d.blockNumber });
      const records = await c.keeper.periodStatements({
        deal: d.deal,
        fromBlock: d.blockNumber,
        toBlock: audit.blockNumber,
      });
      expect(audit.records).to.deep.equal(records);
      expect(audit.history).to.deep.equal(dealHistory(records, audit.facts));
      expect(audit.history.periods).to.have.length(utilization.length);
      expect(audit.decimals).to.equal(6);
      expect(audit.symbol).to.equal("USDC");
      expect(audit.facts.symbols).to.deep.equal(["SR", "MZ", "EQ"]);
      expect(audit.history.periods.every((p) => p.reconciliation.balances)).to.equal(true);
    }
    const audited = await c.keeper.dealAudit({ deal: seeded.audited.deal });
    expect(audited.snapshot.status).to.equal(DealStatus.Repaid);
    // The dip in utilization trips the DSCR lock-up, which cures.
    const fired = audited.history.periods.flatMap((p) => p.fired.map((f) => f.index));
    const cured = audited.history.periods.flatMap((p) => p.cured.map((f) => f.index));
    expect(fired).to.include(0);
    expect(cured).to.include(0);
  });

  it("dealProjection replays the distributed periods to the wei and projects the rest", async () => {
    const running = await c.keeper.dealProjection({
      factory: seeded.factory,
      deal: seeded.running.deal,
    });
    expect(running.agreesWithChain).to.equal(true);
    expect(running.periods.map((p) => p.projected)).to.deep.equal([
      ...Array(3).fill(false),
      ...Array(9).fill(true),
    ]);
    const last = seeded.reports.Running[2];
    expect(running.assumption?.revenue).to.equal(last.revenue);
    const final = running.periods[11].statement;
    expect(final.outstanding).to.deep.equal([0n, 0n]);
    const audited = await c.keeper.dealProjection({
      factory: seeded.factory,
      deal: seeded.audited.deal,
    });
    expect(audited.agreesWithChain).to.equal(true);
    expect(audited.periods.every((p) => !p.projected)).to.equal(true);
    // Nothing to replay and no report yet: nothing projected without an assumption.
    const offering = await c.keeper.dealProjection({
      factory: seeded.factory,
      deal: seeded.offering.deal,
    });
    expect(offering.periods).to.deep.equal([]);
    expect(offering.assumption).to.equal(undefined);
  });
});
