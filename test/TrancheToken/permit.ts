import { expect } from "chai";

import { signPermit } from "../helpers/token-helpers.js";
import { ethers, time, loadFixture, activeFixture } from "../helpers/tranche-token-fixtures.js";

describe("TrancheToken", function () {
  describe("EIP-2612 permit", function () {
    it("test_DOMAIN_SEPARATOR_matchesEip712", async function () {
      const f = await loadFixture(activeFixture);
      const { chainId } = await ethers.provider.getNetwork();
      for (const t of f.tokens) {
        const expected = ethers.TypedDataEncoder.hashDomain({
          name: await t.name(),
          version: "1",
          chainId,
          verifyingContract: await t.getAddress(),
        });
        expect(await t.DOMAIN_SEPARATOR()).to.equal(expected);
      }
      // Clones have distinct domains.
      expect(await f.tokens[0].DOMAIN_SEPARATOR()).to.not.equal(
        await f.tokens[1].DOMAIN_SEPARATOR(),
      );
    });

    it("test_permit_validSignature", async function () {
      const f = await loadFixture(activeFixture);
      const [spender, relayer] = f.extra;
      const deadline = BigInt(await time.latest()) + 3_600n;
      const sig = await signPermit(ethers, f.senior, f.holder, spender.address, 777n, deadline);
      expect(await f.senior.nonces(f.holder.address)).to.equal(0n);
      await expect(
        f.senior
          .connect(relayer)
          .permit(f.holder.address, spender.address, 777n, deadline, sig.v, sig.r, sig.s),
      )
        .to.emit(f.senior, "Approval")
        .withArgs(f.holder.address, spender.address, 777n);
      expect(await f.senior.allowance(f.holder.address, spender.address)).to.equal(777n);
      expect(await f.senior.nonces(f.holder.address)).to.equal(1n);
      // The next permit uses nonce 1 and overwrites the allowance.
      const sig2 = await signPermit(ethers, f.senior, f.holder, spender.address, 5n, deadline);
      await f.senior.permit(
        f.holder.address,
        spender.address,
        5n,
        deadline,
        sig2.v,
        sig2.r,
        sig2.s,
      );
      expect(await f.senior.allowance(f.holder.address, spender.address)).to.equal(5n);
      expect(await f.senior.nonces(f.holder.address)).to.equal(2n);
      await f.senior.connect(spender).transferFrom(f.holder.address, spender.address, 5n);
      expect(await f.senior.balanceOf(spender.address)).to.equal(5n);
    });

    it("test_permit_deadlineIsInclusive", async function () {
      const f = await loadFixture(activeFixture);
      const [spender] = f.extra;
      const deadline = BigInt(await time.latest()) + 100n;
      const sig = await signPermit(ethers, f.senior, f.holder, spender.address, 1n, deadline);
      await time.setNextBlockTimestamp(deadline);
      await f.senior.permit(f.holder.address, spender.address, 1n, deadline, sig.v, sig.r, sig.s);
      expect(await f.senior.allowance(f.holder.address, spender.address)).to.equal(1n);
    });

    it("test_permit_revertsERC2612ExpiredSignature", async function () {
      const f = await loadFixture(activeFixture);
      const [spender] = f.extra;
      const deadline = BigInt(await time.latest()) + 100n;
      const sig = await signPermit(ethers, f.senior, f.holder, spender.address, 1n, deadline);
      await time.setNextBlockTimestamp(deadline + 1n);
      await expect(
        f.senior.permit(f.holder.address, spender.address, 1n, deadline, sig.v, sig.r, sig.s),
      )
        .to.be.revertedWithCustomError(f.senior, "ERC2612ExpiredSignature")
        .withArgs(deadline);
      expect(await f.senior.nonces(f.holder.address)).to.equal(0n);
      expect(await f.senior.allowance(f.holder.address, spender.address)).to.equal(0n);
    });

    it("test_permit_revertsERC2612InvalidSigner", async function () {
      const f = await loadFixture(activeFixture);
      const [spender, impostor] = f.extra;
      const deadline = BigInt(await time.latest()) + 3_600n;
      const sig = await signPermit(ethers, f.senior, f.holder, spender.address, 1n, deadline, {
        signer: impostor,
      });
      await expect(
        f.senior.permit(f.holder.address, spender.address, 1n, deadline, sig.v, sig.r, sig.s),
      )
        .to.be.revertedWithCustomError(f.senior, "ERC2612InvalidSigner")
        .withArgs(impostor.address, f.holder.address);
      // Wrong domain name: the signature recovers to some other address.
      const wrongName = await signPermit(
        ethers,
        f.senior,
        f.holder,
        spender.address,
        1n,
        deadline,
        { name: "Junior" },
      );
      const { chainId } = await ethers.provider.getNetwork();
      const types = {
        Permit: [
          { name: "owner", type: "address" },
          { name: "spender", type: "address" },
          { name: "value", type: "uint256" },
          { name: "nonce", type: "uint256" },
          { name: "deadline", type: "uint256" },
        ],
      };
      const domain = {
        name: "Senior",
        version: "1",
        chainId,
        verifyingContract: await f.senior.getAddress(),
      };
      const message = {
        owner: f.holder.address,
        spender: spender.address,
        value: 1n,
        nonce: 0n,
        deadline,
      };
      const recovered = ethers.recoverAddress(
        ethers.TypedDataEncoder.hash(domain, types, message),
        wrongName,
      );
      await expect(
        f.senior.permit(
          f.holder.address,
          spender.address,
          1n,
          deadline,
          wrongName.v,
          wrongName.r,
          wrongName.s,
        ),
      )
        .to.be.revertedWithCustomError(f.senior, "ERC2612InvalidSigner")
        .withArgs(recovered, f.holder.address);
      expect(await f.senior.nonces(f.holder.address)).to.equal(0n);
      expect(await f.senior.allowance(f.holder.address, spender.address)).to.equal(0n);
    });

    it("test_permit_replayReverts", async function () {
      const f = await loadFixture(activeFixture);
      const [spender] = f.extra;
      const deadline = BigInt(await time.latest()) + 3_600n;
      const sig = await signPermit(ethers, f.senior, f.holder, spender.address, 9n, deadline);
      await f.senior.permit(f.holder.address, spender.address, 9n, deadline, sig.v, sig.r, sig.s);
      await f.senior.connect(f.holder).approve(spender.address, 0n);
      // Replayed with nonce 1, the same signature recovers to an unrelated address.
      const { chainId } = await ethers.provider.getNetwork();
      const digest = ethers.TypedDataEncoder.hash(
        { name: "Senior", version: "1", chainId, verifyingContract: await f.senior.getAddress() },
        {
          Permit: [
            { name: "owner", type: "address" },
            { name: "spender", type: "address" },
            { name: "value", type: "uint256" },
            { name: "nonce", type: "uint256" },
            { name: "deadline", type: "uint256" },
          ],
        },
        { owner: f.holder.address, spender: spender.address, value: 9n, nonce: 1n, deadline },
      );
      await expect(
        f.senior.permit(f.holder.address, spender.address, 9n, deadline, sig.v, sig.r, sig.s),
      )
        .to.be.revertedWithCustomError(f.senior, "ERC2612InvalidSigner")
        .withArgs(ethers.recoverAddress(digest, sig), f.holder.address);
      expect(await f.senior.allowance(f.holder.address, spender.address)).to.equal(0n);
      expect(await f.senior.nonces(f.holder.address)).to.equal(1n);
    });

    it("test_permit_revertsERC20InvalidSpender", async function () {
      const f = await loadFixture(activeFixture);
      const deadline = BigInt(await time.latest()) + 3_600n;
      const sig = await signPermit(ethers, f.senior, f.holder, ethers.ZeroAddress, 1n, deadline);
      await expect(
        f.senior.permit(f.holder.address, ethers.ZeroAddress, 1n, deadline, sig.v, sig.r, sig.s),
      )
        .to.be.revertedWithCustomError(f.senior, "ERC20InvalidSpender")
        .withArgs(ethers.ZeroAddress);
      expect(await f.senior.nonces(f.holder.address)).to.equal(0n);
    });

    it("test_permit_zeroOwnerCannotReachApproverCheck", async function () {
      // ERC20InvalidApprover is unreachable: approve uses msg.sender, and a permit for owner 0 fails the signer
      // check first (ECDSA.recover never returns the zero address).
      const f = await loadFixture(activeFixture);
      const [spender, signer] = f.extra;
      const deadline = BigInt(await time.latest()) + 3_600n;
      const sig = await signPermit(ethers, f.senior, signer, spender.address, 1n, deadline);
      const { chainId } = await ethers.provider.getNetwork();
      const digest = ethers.TypedDataEncoder.hash(
        { name: "Senior", version: "1", chainId, verifyingContract: await f.senior.getAddress() },
        {
          Permit: [
            { name: "owner", type: "address" },
            { name: "spender", type: "address" },
            { name: "value", type: "uint256" },
            { name: "nonce", type: "uint256" },
            { name: "deadline", type: "uint256" },
          ],
        },
        { owner: ethers.ZeroAddress, spender: spender.address, value: 1n, nonce: 0n, deadline },
      );
      await expect(
        f.senior.permit(ethers.ZeroAddress, spender.address, 1n, deadline, sig.v, sig.r, sig.s),
      )
        .to.be.revertedWithCustomError(f.senior, "ERC2612InvalidSigner")
        .withArgs(ethers.recoverAddress(digest, sig), ethers.ZeroAddress);
    });
  });
});
