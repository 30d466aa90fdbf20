/**
 * The app's `cascade.json` from the address book (scripts/lib/app-config.ts): every chain with the protocol and a
 * stablecoin recorded, its RPC URL from its configuration variable, the rest left out with a reason; what it writes
 * is what the app parses.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { getAddress, type Address } from "viem";

import { parseConfig } from "../../app/src/config.js";
import { addressBookConfig } from "../../scripts/lib/app-config.js";
import { configJson } from "../../scripts/lib/app-server.js";
import {
  PROTOCOL_CONTRACTS,
  writeDeployment,
  type Deployment,
  type ProtocolAddresses,
} from "../../sdk/index.js";

const at = (n: number): Address => getAddress(`0x${n.toString(16).padStart(40, "0")}`);

function deployment(chainId: number, withStablecoin: boolean, deals: string[] = []): Deployment {
  const protocol = Object.fromEntries(
    PROTOCOL_CONTRACTS.map((k, i) => [k, at(chainId * 100 + i + 1)]),
  );
  return {
    chainId,
    protocol: {
      ...(protocol as unknown as ProtocolAddresses),
      blockNumber: "7",
      deployedBy: "cascade",
    },
    ...(withStablecoin ? { stablecoin: at(chainId * 100 + 99) } : {}),
    deals: Object.fromEntries(
      deals.map((name, i) => [
        name,
        {
          name,
          deal: at(chainId * 1000 + i),
          dealId: String(i),
          stablecoin: at(chainId * 100 + 99),
          tokens: [],
          offerings: [],
          symbols: [],
          blockNumber: String(20 + i),
          transactionHash: `0x${"ab".repeat(32)}`,
        },
      ]),
    ),
  };
}

describe("scripts: the app's cascade.json from the address book", function () {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "cascade-app-config-"));
    await writeDeployment(dir, deployment(11_155_111, true, ["Fleet A", "Fleet B"]));
    await writeDeployment(dir, deployment(31_337, true, ["Audited"]));
    await writeDeployment(dir, deployment(84_532, false));
    await writeDeployment(dir, deployment(1, true));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it("lists each chain with the protocol and a stablecoin, by chain id, and says why the others are left out", async () => {
    const { chains, skipped } = await addressBookConfig(dir, {
      SEPOLIA_RPC_URL: "https://sepolia.example/rpc",
      BASE_SEPOLIA_RPC_URL: "https://base-sepolia.example/rpc",
    });
    expect(chains.map((c) => [c.chainId, c.chainName, c.rpcUrl])).to.deep.equal([
      [31_337, "Local chain (31337)", "http://127.0.0.1:8545"],
      [11_155_111, "Sepolia", "https://sepolia.example/rpc"],
    ]);
    const sepolia = chains[1];
    expect(sepolia.factory).to.equal(
      at(11_155_111 * 100 + PROTOCOL_CONTRACTS.indexOf("factory") + 1),
    );
    expect(sepolia.registry).to.equal(
      at(11_155_111 * 100 + PROTOCOL_CONTRACTS.indexOf("investorRegistry") + 1),
    );
    expect(sepolia.stablecoin).to.equal(at(11_155_111 * 100 + 99));
    expect(sepolia.fromBlock).to.equal("7");
    expect(sepolia.deals).to.deep.equal([
      { name: "Fleet A", deal: at(11_155_111_000), blockNumber: "20" },
      { name: "Fleet B", deal: at(11_155_111_001), blockNumber: "21" },
    ]);
    expect(chains.every((c) => c.devAccounts === undefined)).to.equal(true);
    expect(skipped).to.deep.equal([
      "chain 1: no RPC URL (set CASCADE_RPC_URL_1)",
      "chain 84532: no stablecoin recorded",
    ]);
  });

  it("takes a chain's own variable first, and writes what the app parses", async () => {
    const { chains } = await addressBookConfig(dir, {
      CASCADE_RPC_URL_1: "https://mainnet.example/rpc",
      CASCADE_RPC_URL: "http://127.0.0.1:9545",
      CASCADE_RPC_URL_31337: "http://127.0.0.1:7545",
    });
    expect(chains.map((c) => [c.chainId, c.rpcUrl])).to.deep.equal([
      [1, "https://mainnet.example/rpc"],
      [31_337, "http://127.0.0.1:7545"],
    ]);
    expect(parseConfig(JSON.parse(configJson({ chains })))).to.deep.equal(chains);
  });
});
