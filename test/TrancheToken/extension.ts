import { expect } from "chai";

import { ethers, loadFixture, activeFixture } from "../helpers/tranche-token-fixtures.js";

describe("TrancheToken", function () {
  describe("extension", function () {
    it("test_extension_servesEveryOtherFunction_throughTheToken", async function () {
      const f = await loadFixture(activeFixture);
      const implementation = await f.protocol.factory.tokenImplementation();
      const extension = await f.senior.extension();
      expect(extension).to.not.equal(ethers.ZeroAddress);
      expect(await ethers.provider.getCode(extension)).to.not.equal("0x");
      // One extension for every tranche: the implementation's, shared through the clones.
      for (const t of f.tokens) expect(await t.extension()).to.equal(extension);
      const token = await ethers.getContractAt("TrancheToken", implementation);
      // The token's own code runs the transfer path only; the views below are the extension's, answered for the
      // token's storage and clone arguments.
      const own: string[] = [];
      token.interface.forEachFunction((fn) => own.push(fn.name));
      expect(own).to.not.include("holders");
      expect(own).to.include("transfer");
      expect((await f.senior.params()).deal).to.equal(await f.deal.getAddress());
      expect(await f.senior.claimable(f.holder.address)).to.equal(0n);
    });

    it("test_extension_revertsNotDelegated_whenCalledDirectly", async function () {
      const f = await loadFixture(activeFixture);
      const extension = await ethers.getContractAt(
        "TrancheTokenExtension",
        await f.senior.extension(),
      );
      await expect(extension.connect(f.holder).claimTo(f.holder.address))
        .to.be.revertedWithCustomError(extension, "NotDelegated")
        .withArgs();
      await expect(extension.connect(f.holder).setPaused(true))
        .to.be.revertedWithCustomError(extension, "NotDelegated")
        .withArgs();
    });

    it("test_fallback_refusesEther_andUnknownSelectors", async function () {
      const f = await loadFixture(activeFixture);
      const to = await f.senior.getAddress();
      await expect(f.holder.sendTransaction({ to, value: 1n })).to.be.revertedWithoutReason(ethers);
      await expect(
        f.holder.sendTransaction({ to, data: "0xdeadbeef" }),
      ).to.be.revertedWithoutReason(ethers);
      expect(await ethers.provider.getBalance(to)).to.equal(0n);
    });
  });
});
