import { describe, expect, it } from "vitest";

import { parseConfig } from "./config.js";

const devnet = {
  chainId: 31337,
  chainName: "Local devnet (anvil)",
  rpcUrl: "http://127.0.0.1:8545",
  factory: "0x8a791620dd6260079bf849dc5567adc3f2fdc318",
  stablecoin: "0x5fbdb2315678afecb367f032d93f642f64180aa3",
  registry: "0xe7f1725e7734ce288f8367e1bb143e90bb3f0512",
  fromBlock: "1",
  deals: [
    { name: "Audited", deal: "0x9fe46736679d2d9a65f0992f2272de9f3c7fa6e0", blockNumber: "12" },
  ],
  devAccounts: [{ role: "investor", address: "0x23618e81e3f5cdf7f54c3d65f7fbc0abf5b21e8f" }],
};
const sepolia = {
  chainId: 11155111,
  rpcUrl: "https://sepolia.example/rpc",
  factory: "0x0000000000000000000000000000000000000f00",
  stablecoin: "0x1c7d4b196cb0c7b01d743fbc6116a902379c7238",
  deals: [],
};

describe("parseConfig", () => {
  it("reads one chain (the shape npm run app serves), checksumming every address", () => {
    const [c, ...rest] = parseConfig(devnet);
    expect(rest).toEqual([]);
    expect(c.chainId).toBe(31337);
    expect(c.factory).toBe("0x8A791620dd6260079BF849Dc5567aDC3F2FdC318");
    expect(c.registry).toBe("0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512");
    expect(c.deals).toEqual([
      { name: "Audited", deal: "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0", blockNumber: "12" },
    ]);
    expect(c.devAccounts).toEqual([
      { role: "investor", address: "0x23618e81E3f5cdF7f54C3d65f7FBc0aBf5B21E8f" },
    ]);
  });

  it("reads several chains as { chains } or as a list, in order, with defaults for the optional fields", () => {
    for (const file of [{ chains: [sepolia, devnet] }, [sepolia, devnet]]) {
      const chains = parseConfig(file);
      expect(chains.map((c) => c.chainId)).toEqual([11155111, 31337]);
      expect(chains[0].chainName).toBe("chain 11155111");
      expect(chains[0].fromBlock).toBe("0");
      expect(chains[0].registry).toBeUndefined();
      expect(chains[0].devAccounts).toBeUndefined();
      expect(chains[1].chainName).toBe("Local devnet (anvil)");
    }
  });

  it("names the malformed field by its path", () => {
    expect(() => parseConfig({ chainId: 1 })).toThrow(
      'cascade.json: "rpcUrl" is missing or malformed',
    );
    expect(() => parseConfig(null)).toThrow('"(root)" is missing or malformed');
    expect(() => parseConfig({ ...devnet, factory: "0x1234" })).toThrow(
      '"factory" is missing or malformed',
    );
    expect(() => parseConfig({ ...devnet, rpcUrl: "127.0.0.1:8545" })).toThrow('"rpcUrl"');
    expect(() => parseConfig({ ...devnet, fromBlock: 1 })).toThrow(
      '"fromBlock" is missing or malformed',
    );
    expect(() => parseConfig({ chains: [devnet, { ...sepolia, stablecoin: undefined }] })).toThrow(
      'cascade.json: "chains[1].stablecoin" is missing or malformed',
    );
    expect(() => parseConfig([devnet, { ...sepolia, chainId: "11155111" }])).toThrow(
      '"[1].chainId" is missing or malformed',
    );
    expect(() =>
      parseConfig({
        chains: [{ ...devnet, deals: [{ name: "Audited", deal: "0x9f", blockNumber: "12" }] }],
      }),
    ).toThrow('"chains[0].deals[0].deal" is missing or malformed');
    expect(() =>
      parseConfig({ chains: [{ ...devnet, devAccounts: [{ address: devnet.factory }] }] }),
    ).toThrow('"chains[0].devAccounts[0].role" is missing or malformed');
    expect(() => parseConfig({ chains: "31337" })).toThrow('"chains" is missing or malformed');
  });

  it("refuses an empty list and a chain listed twice", () => {
    expect(() => parseConfig({ chains: [] })).toThrow("cascade.json: lists no chain");
    expect(() => parseConfig([])).toThrow("cascade.json: lists no chain");
    expect(() => parseConfig({ chains: [devnet, sepolia, devnet] })).toThrow(
      'cascade.json: "chains[2].chainId" repeats chain 31337 of "chains[0]"',
    );
  });
});
