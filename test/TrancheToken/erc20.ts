import { expect } from "chai";

import { MAX_UINT256 } from "../helpers/token-helpers.js";
import {
  ethers,
  loadFixture,
  SENIOR_FACE,
  activeFixture,
} from "../helpers/tranche-token-fixtures.js";

describe("TrancheToken", function () {
  describe("ERC-20", function () {
    it("test_transfer_movesBalanceAndEmits", async function () {
      const f = await loadFixture(activeFixture);
      const [a] = f.extra;
      expect(await f.senior.connect(f.holder).transfer.staticCall(a.address, 123n)).to.equal(true);
      const tx = f.senior.connect(f.holder).transfer(a.address, 123n);
      await expect(tx).to.emit(f.senior, "Transfer").withArgs(f.holder.address, a.address, 123n);
      await expect(tx).to.changeTokenBalances(ethers, f.senior, [f.holder, a], [-123n, 123n]);
      expect(await f.senior.totalSupply()).to.equal(SENIOR_FACE);
    });

    it("test_transfer_zeroValueAndSelf", async function () {
      const f = await loadFixture(activeFixture);
      const [a] = f.extra;
      await expect(f.senior.connect(a).transfer(f.holder.address, 0n))
        .to.emit(f.senior, "Transfer")
        .withArgs(a.address, f.holder.address, 0n);
      await expect(f.senior.connect(f.holder).transfer(f.holder.address, 1_000n))
        .to.emit(f.senior, "Transfer")
        .withArgs(f.holder.address, f.holder.address, 1_000n);
      expect(await f.senior.balanceOf(f.holder.address)).to.equal(SENIOR_FACE);
      expect(await f.senior.balanceOf(a.address)).to.equal(0n);
    });

    it("test_transfer_revertsERC20InsufficientBalance", async function () {
      const f = await loadFixture(activeFixture);
      const [a] = f.extra;
      await expect(f.senior.connect(f.holder).transfer(a.address, SENIOR_FACE + 1n))
        .to.be.revertedWithCustomError(f.senior, "ERC20InsufficientBalance")
        .withArgs(f.holder.address, SENIOR_FACE, SENIOR_FACE + 1n);
      await expect(f.senior.connect(a).transfer(f.holder.address, 1n))
        .to.be.revertedWithCustomError(f.senior, "ERC20InsufficientBalance")
        .withArgs(a.address, 0n, 1n);
      expect(await f.senior.balanceOf(f.holder.address)).to.equal(SENIOR_FACE);
    });

    it("test_transfer_revertsERC20InvalidReceiver", async function () {
      const f = await loadFixture(activeFixture);
      await expect(f.senior.connect(f.holder).transfer(ethers.ZeroAddress, 1n))
        .to.be.revertedWithCustomError(f.senior, "ERC20InvalidReceiver")
        .withArgs(ethers.ZeroAddress);
      expect(await f.senior.balanceOf(f.holder.address)).to.equal(SENIOR_FACE);
    });

    it("test_approve_setsAllowanceAndEmits", async function () {
      const f = await loadFixture(activeFixture);
      const [spender] = f.extra;
      expect(await f.senior.connect(f.holder).approve.staticCall(spender.address, 5n)).to.equal(
        true,
      );
      await expect(f.senior.connect(f.holder).approve(spender.address, 5n))
        .to.emit(f.senior, "Approval")
        .withArgs(f.holder.address, spender.address, 5n);
      expect(await f.senior.allowance(f.holder.address, spender.address)).to.equal(5n);
      await f.senior.connect(f.holder).approve(spender.address, 0n);
      expect(await f.senior.allowance(f.holder.address, spender.address)).to.equal(0n);
    });

    it("test_approve_revertsERC20InvalidSpender", async function () {
      const f = await loadFixture(activeFixture);
      await expect(f.senior.connect(f.holder).approve(ethers.ZeroAddress, 1n))
        .to.be.revertedWithCustomError(f.senior, "ERC20InvalidSpender")
        .withArgs(ethers.ZeroAddress);
    });

    it("test_transferFrom_finiteAllowanceDecreases", async function () {
      const f = await loadFixture(activeFixture);
      const [spender, to] = f.extra;
      await f.senior.connect(f.holder).approve(spender.address, 1_000n);
      expect(
        await f.senior.connect(spender).transferFrom.staticCall(f.holder.address, to.address, 400n),
      ).to.equal(true);
      const tx = f.senior.connect(spender).transferFrom(f.holder.address, to.address, 400n);
      await expect(tx).to.emit(f.senior, "Transfer").withArgs(f.holder.address, to.address, 400n);
      await expect(tx).to.changeTokenBalances(
        ethers,
        f.senior,
        [f.holder, to, spender],
        [-400n, 400n, 0n],
      );
      expect(await f.senior.allowance(f.holder.address, spender.address)).to.equal(600n);
      await f.senior.connect(spender).transferFrom(f.holder.address, to.address, 600n);
      expect(await f.senior.allowance(f.holder.address, spender.address)).to.equal(0n);
    });

    it("test_transferFrom_maxAllowanceStays", async function () {
      const f = await loadFixture(activeFixture);
      const [spender, to] = f.extra;
      await f.senior.connect(f.holder).approve(spender.address, MAX_UINT256);
      await f.senior.connect(spender).transferFrom(f.holder.address, to.address, 1_000_000n);
      expect(await f.senior.allowance(f.holder.address, spender.address)).to.equal(MAX_UINT256);
      expect(await f.senior.balanceOf(to.address)).to.equal(1_000_000n);
    });

    it("test_transferFrom_revertsERC20InsufficientAllowance", async function () {
      const f = await loadFixture(activeFixture);
      const [spender, to] = f.extra;
      await expect(f.senior.connect(spender).transferFrom(f.holder.address, to.address, 1n))
        .to.be.revertedWithCustomError(f.senior, "ERC20InsufficientAllowance")
        .withArgs(spender.address, 0n, 1n);
      await f.senior.connect(f.holder).approve(spender.address, 99n);
      await expect(f.senior.connect(spender).transferFrom(f.holder.address, to.address, 100n))
        .to.be.revertedWithCustomError(f.senior, "ERC20InsufficientAllowance")
        .withArgs(spender.address, 99n, 100n);
      expect(await f.senior.allowance(f.holder.address, spender.address)).to.equal(99n);
      expect(await f.senior.balanceOf(to.address)).to.equal(0n);
    });

    it("test_transferFrom_revertsERC20InsufficientBalance_allowanceKept", async function () {
      const f = await loadFixture(activeFixture);
      const [spender, poor, to] = f.extra;
      await f.senior.connect(f.holder).transfer(poor.address, 10n);
      await f.senior.connect(poor).approve(spender.address, 100n);
      await expect(f.senior.connect(spender).transferFrom(poor.address, to.address, 11n))
        .to.be.revertedWithCustomError(f.senior, "ERC20InsufficientBalance")
        .withArgs(poor.address, 10n, 11n);
      expect(await f.senior.allowance(poor.address, spender.address)).to.equal(100n);
    });

    it("test_transferFrom_revertsERC20InvalidSenderAndReceiver", async function () {
      const f = await loadFixture(activeFixture);
      const [spender] = f.extra;
      // The zero address has no allowance, so only a zero-value transferFrom reaches the sender check.
      await expect(f.senior.connect(spender).transferFrom(ethers.ZeroAddress, spender.address, 0n))
        .to.be.revertedWithCustomError(f.senior, "ERC20InvalidSender")
        .withArgs(ethers.ZeroAddress);
      await expect(f.senior.connect(spender).transferFrom(ethers.ZeroAddress, spender.address, 1n))
        .to.be.revertedWithCustomError(f.senior, "ERC20InsufficientAllowance")
        .withArgs(spender.address, 0n, 1n);
      await f.senior.connect(f.holder).approve(spender.address, 10n);
      await expect(f.senior.connect(spender).transferFrom(f.holder.address, ethers.ZeroAddress, 1n))
        .to.be.revertedWithCustomError(f.senior, "ERC20InvalidReceiver")
        .withArgs(ethers.ZeroAddress);
      expect(await f.senior.allowance(f.holder.address, spender.address)).to.equal(10n);
    });
  });
});
