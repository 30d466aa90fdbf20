import { expect } from "chai";

import {
  activateDeal,
  createDeal,
  deployProtocol,
  NO_TRANSFER_RULES,
  roles,
  standardTermSheet,
  type TransferRulesInput,
} from "../helpers/fixtures.js";
import { ethers, networkHelpers, Code, SENIOR_RULES } from "../helpers/compliance-fixtures.js";

describe("Compliance", function () {
  describe("unrestricted tranches", function () {
    it("test_noRegistry_transfersFreely_andHasNoAgent", async function () {
      const protocol = await deployProtocol(ethers);
      const r = await roles(ethers);
      const terms = await standardTermSheet(networkHelpers, protocol, r);
      const h = await createDeal(ethers, protocol, terms);
      await activateDeal(networkHelpers, protocol, r, h);
      const senior = h.tokens[0];
      const [holder, other] = [r.investors[0], r.investors[5]];
      expect(await senior.registry()).to.equal(ethers.ZeroAddress);
      expect(await senior.detectTransferRestriction(holder.address, other.address, 1n)).to.equal(
        0n,
      );
      expect(await senior.detectTransferRestriction(other.address, holder.address, 1n)).to.equal(
        BigInt(Code.INSUFFICIENT_BALANCE),
      );
      expect(await senior.detectClaimRestriction(holder.address)).to.equal(0n);
      await senior.connect(holder).transfer(other.address, 1n);
      await expect(senior.connect(holder).freezeTokens(other.address, 1n))
        .to.be.revertedWithCustomError(senior, "NotComplianceAgent")
        .withArgs(holder.address);
    });
  });

  describe("term sheet", function () {
    it("test_createDeal_revertsOnInvalidComplianceTerms", async function () {
      const protocol = await deployProtocol(ethers);
      const r = await roles(ethers);
      const registry = await ethers.deployContract("InvestorRegistry", [r.issuer.address]);
      const base = await standardTermSheet(networkHelpers, protocol, r);
      const withRules = (rules: TransferRulesInput, reg = ethers.ZeroAddress) => ({
        ...base,
        registry: reg,
        tranches: base.tranches.map((t, i) => (i === 2 ? { ...t, transfer: rules } : t)),
      });
      const TRANSFER_RULES_FIELD = 28;
      const REGISTRY_FIELD = 27;
      // Rules need a registry.
      await expect(protocol.factory.connect(r.issuer).createDeal(withRules(SENIOR_RULES)))
        .to.be.revertedWithCustomError(protocol.factory, "InvalidTermSheet")
        .withArgs(TRANSFER_RULES_FIELD, 2n);
      const reg = await registry.getAddress();
      const face = base.tranches[2].faceAmount;
      for (const bad of [
        { ...NO_TRANSFER_RULES, minHolding: face + 1n },
        {
          ...NO_TRANSFER_RULES,
          blockedCountries: [1n, 0n, 0n, 0n] as [bigint, bigint, bigint, bigint],
        },
        {
          ...NO_TRANSFER_RULES,
          blockedCountries: [0n, 0n, 0n, 1n << 232n] as [bigint, bigint, bigint, bigint],
        },
      ]) {
        await expect(protocol.factory.connect(r.issuer).createDeal(withRules(bad, reg)))
          .to.be.revertedWithCustomError(protocol.factory, "InvalidTermSheet")
          .withArgs(TRANSFER_RULES_FIELD, 2n);
      }
      // Country 999 (bit 231 of the last word) is the highest valid code.
      await protocol.factory
        .connect(r.issuer)
        .createDeal(
          withRules({ ...NO_TRANSFER_RULES, blockedCountries: [0n, 0n, 0n, 1n << 231n] }, reg),
        );
      await expect(
        protocol.factory.connect(r.issuer).createDeal({ ...base, registry: r.issuer.address }),
      )
        .to.be.revertedWithCustomError(protocol.factory, "InvalidTermSheet")
        .withArgs(REGISTRY_FIELD, 0n);
    });
  });
});
