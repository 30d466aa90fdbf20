import { expect } from "chai";
import { network } from "hardhat";

import ProtocolModule from "../deploy/modules/Protocol.js";

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
});
