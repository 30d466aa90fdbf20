import type { SolidityParameterType } from "@nomicfoundation/ignition-core";
import { expect } from "chai";
import { network } from "hardhat";

import DealModule from "../deploy/modules/Deal.js";
import ProtocolModule from "../deploy/modules/Protocol.js";
import { parseTermSheet, type TermSheetJson } from "../sdk/index.js";
import { shortDealJson } from "../cli/lib/devnet.js";

const { ethers, ignition } = await network.create();

describe("Ignition: CascadeProtocol module", () => {
  it("deploys the protocol and lets the factory register deals", async () => {
    const [admin] = await ethers.getSigners();
    const { oracle, factory, dealImplementation, tokenImplementation, offeringImplementation } =
      await ignition.deploy(ProtocolModule);
    expect(await factory.oracle()).to.equal(await oracle.getAddress());
    expect(await factory.dealImplementation()).to.equal(await dealImplementation.getAddress());
    expect(await factory.tokenImplementation()).to.equal(await tokenImplementation.getAddress());
    expect(await factory.offeringImplementation()).to.equal(
      await offeringImplementation.getAddress(),
    );
    expect(
      await oracle.hasRole(await oracle.REGISTRAR_ROLE(), await factory.getAddress()),
    ).to.equal(true);
    expect(await oracle.hasRole(ethers.ZeroHash, admin.address)).to.equal(true);
  });

  it("deploys the investor registry and the access manager as the admin authority", async () => {
    const [admin] = await ethers.getSigners();
    const { oracle, investorRegistry, accessManager } = await ignition.deploy(ProtocolModule);
    const manager = await accessManager.getAddress();
    // The admin is the manager's admin (role 0) and keeps its roles; the manager administers oracle and registry.
    const [isManagerAdmin] = await accessManager.hasRole(0n, admin.address);
    expect(isManagerAdmin).to.equal(true);
    expect(await investorRegistry.hasRole(ethers.ZeroHash, admin.address)).to.equal(true);
    expect(await investorRegistry.hasRole(ethers.ZeroHash, manager)).to.equal(true);
    expect(await oracle.hasRole(ethers.ZeroHash, manager)).to.equal(true);
    expect(
      await investorRegistry.hasRole(await investorRegistry.COMPLIANCE_AGENT_ROLE(), admin.address),
    ).to.equal(true);
  });
});

describe("Ignition: CascadeDeal module", () => {
  it("creates a deal from a term sheet and reads its address from DealCreated", async () => {
    const signers = await ethers.getSigners();
    const [, issuer, servicer, trustee, guardian, r0, r1, r2] = signers;
    const stablecoin = await ethers.deployContract("MockStablecoin", ["USD Coin", "USDC", 6]);
    const now = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
    const json: TermSheetJson = shortDealJson({
      name: "Ignition",
      periodLength: 3_600,
      periodCount: 3,
    });
    const { terms } = parseTermSheet(json, {
      now,
      addresses: {
        stablecoin: (await stablecoin.getAddress()) as `0x${string}`,
        issuer: issuer.address as `0x${string}`,
        servicer: servicer.address as `0x${string}`,
        trustee: trustee.address as `0x${string}`,
        guardian: guardian.address as `0x${string}`,
        reporter0: r0.address as `0x${string}`,
        reporter1: r1.address as `0x${string}`,
        reporter2: r2.address as `0x${string}`,
      },
    });
    // The parameters as a JSON parameters file holds them: bigints as decimal strings.
    const params = JSON.parse(
      JSON.stringify(terms, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)),
    ) as SolidityParameterType;
    // Only the issuer may create its deal: it is Ignition's sender here, and so also deploys the protocol (of
    // which it is then the admin, as the module's role grants need).
    const { deal, factory } = await ignition.deploy(DealModule, {
      parameters: {
        CascadeProtocol: { admin: issuer.address, complianceAgent: issuer.address },
        CascadeDeal: { terms: params },
      },
      defaultSender: issuer.address,
    });
    expect(await factory.isDeal(await deal.getAddress())).to.equal(true);
    expect(await deal.issuer()).to.equal(issuer.address);
    expect(await deal.trancheCount()).to.equal(3n);
    expect(await deal.stablecoin()).to.equal(await stablecoin.getAddress());
  });
});
