/**
 * Restricted tranche tokens through the SDK on the in-process network: a deal naming the protocol's investor
 * registry with transfer rules, investors onboarded by the compliance agent, and every refusal surfaced as a
 * TransferRestrictedError with the token's ERC-1404 code and message — before sending for the investor actions
 * (transfer, claim, claimShares), decoded from the revert for the agent's.
 */
import { readFileSync } from "node:fs";

import { expect } from "chai";
import { artifacts } from "hardhat";
import { getAddress, keccak256, toHex, type Address, type Hex } from "viem";
import {
  deployContract,
  getBlock,
  getTransactionCount,
  readContract,
  simulateContract,
  waitForTransactionReceipt,
  writeContract,
} from "viem/actions";

import {
  CascadeError,
  ContractRevertError,
  countryBitmap,
  dealAbi,
  INVESTOR_CLASSES,
  investorRegistryAbi,
  freshTokens,
  holdingPeriodCode,
  mergeFresh,
  mockStablecoinAbi,
  offeringAbi,
  parseTermSheet,
  TRANSFER_RESTRICTION_MESSAGES,
  releasedAt,
  transferableToAnotherIdentity,
  TransferRestrictedError,
  trancheTokenAbi,
  wrapContractError,
  type TermSheetJson,
} from "../../sdk/index.js";
import { viemNetwork } from "../helpers/viem-network.js";

const { networkHelpers, publicClient, accounts, wallet } = await viemNetwork();
const [admin, issuer, servicer, trustee, guardian, r0, r1, agent] = accounts
  .slice(0, 8)
  .map(wallet);
/** Registered: A accredited (US), B qualified purchaser (DE), C accredited in North Korea, E non-US person only. */
const [A, B, C, D, E, outsider, newWallet, keeper] = accounts.slice(8, 16).map(wallet);

const USDC = 10n ** 6n;
const DAY = 86_400n;
const NORTH_KOREA = 408;
const SENIOR = 0;
const EQUITY = 3;
const message = (code: number) =>
  TRANSFER_RESTRICTION_MESSAGES[code as keyof typeof TRANSFER_RESTRICTION_MESSAGES];

async function advanceTo(ts: bigint): Promise<void> {
  if ((await getBlock(publicClient)).timestamp < ts) await networkHelpers.time.increaseTo(ts);
}

async function mint(token: Address, to: Address, amount: bigint): Promise<void> {
  const hash = await writeContract(admin, {
    address: token,
    abi: mockStablecoinAbi,
    functionName: "mint",
    args: [to, amount],
  });
  await waitForTransactionReceipt(publicClient, { hash });
}

/** Runs `fn` and returns the TransferRestrictedError it throws. */
async function refusal(fn: () => Promise<unknown>): Promise<TransferRestrictedError> {
  try {
    await fn();
  } catch (e) {
    expect(e).to.be.instanceOf(TransferRestrictedError);
    return e as TransferRestrictedError;
  }
  throw new Error("expected a TransferRestrictedError");
}

/** The error carries the code, its name and the token's sentence, and says so in its message. */
function expectRestriction(
  e: TransferRestrictedError,
  code: number,
  restriction: string,
  operation: string,
): void {
  expect(e.code).to.equal(code);
  expect(e.restriction).to.equal(restriction);
  expect(e.reason).to.equal(message(code));
  expect(e.operation).to.equal(operation);
  expect(e.message).to.equal(`${operation} restricted (${code} ${restriction}): ${message(code)}`);
  expect(e.details).to.deep.include({ code, restriction, reason: message(code), operation });
}

const balance = (token: Address, who: Address) =>
  readContract(publicClient, {
    address: token,
    abi: trancheTokenAbi,
    functionName: "balanceOf",
    args: [who],
  });

// ------------------------------------------------------------------ the deal

const { bytecode } = await artifacts.readArtifact("MockStablecoin");
const stablecoin = (
  await waitForTransactionReceipt(publicClient, {
    hash: await deployContract(admin, {
      abi: mockStablecoinAbi,
      bytecode: bytecode as Hex,
      args: ["USD Coin", "USDC", 6],
    }),
  })
).contractAddress as Address;
const protocol = await admin.deployProtocol();
const { investorRegistry: registry } = await admin.deployAdministration({
  oracle: protocol.oracle,
  complianceAgent: agent.account.address,
});

const example = JSON.parse(
  readFileSync(new URL("../../examples/h100-fleet.json", import.meta.url), "utf8"),
) as TermSheetJson;
const json: TermSheetJson = {
  ...example,
  registry: "$registry",
  tranches: example.tranches.map((t, i) =>
    i === SENIOR
      ? {
          ...t,
          transfer: {
            allowedClasses: ["accredited", "qualified-purchaser"],
            blockedCountries: [NORTH_KOREA, 364],
            minHolding: "10,000",
          },
        }
      : i === EQUITY
        ? { ...t, transfer: { minHoldingPeriod: "365d", maxHolders: 2 } }
        : t,
  ),
};
const { terms } = parseTermSheet(json, {
  now: (await getBlock(publicClient)).timestamp,
  addresses: {
    registry,
    stablecoin,
    issuer: issuer.account.address,
    servicer: servicer.account.address,
    trustee: trustee.account.address,
    guardian: guardian.account.address,
    reporter0: r0.account.address,
    reporter1: r1.account.address,
    reporter2: admin.account.address,
  },
});
const created = await issuer.createDeal({ factory: protocol.factory, terms });
const { tokens, offerings, deal } = created;

describe("SDK compliance: restricted tranche tokens", () => {
  it("creates the deal with the registry and the rules of the term sheet", async () => {
    expect(terms.registry).to.equal(getAddress(registry));
    const rules = await readContract(publicClient, {
      address: tokens[SENIOR],
      abi: trancheTokenAbi,
      functionName: "transferRules",
    });
    expect(rules.allowedClasses).to.equal(3);
    expect(rules.blockedCountries).to.deep.equal(countryBitmap([NORTH_KOREA, 364]));
    expect(
      await readContract(publicClient, {
        address: tokens[EQUITY],
        abi: trancheTokenAbi,
        functionName: "registry",
      }),
    ).to.equal(getAddress(registry));
  });

  it("the messages the SDK knows are the token's messageForTransferRestriction, code by code", async () => {
    for (let code = 0; code <= 18; code++)
      expect(
        await readContract(publicClient, {
          address: tokens[SENIOR],
          abi: trancheTokenAbi,
          functionName: "messageForTransferRestriction",
          args: [code],
        }),
        `code ${code}`,
      ).to.equal(message(code) ?? "Unknown restriction code.");
  });

  it("registers the investors, subscribes and refuses delivery to ineligible receivers (claimShares)", async () => {
    const kycExpiry = (await getBlock(publicClient)).timestamp + 3n * 365n * DAY;
    const C_ = INVESTOR_CLASSES;
    await agent.registerInvestors({
      registry,
      investors: [
        { wallet: A.account.address, kycExpiry, country: 840, classes: C_.accredited },
        { wallet: B.account.address, kycExpiry, country: 276, classes: C_["qualified-purchaser"] },
        { wallet: C.account.address, kycExpiry, country: NORTH_KOREA, classes: C_.accredited },
        { wallet: E.account.address, kycExpiry, country: 756, classes: C_["non-us-person"] },
      ],
    });
    await advanceTo(terms.offeringOpensAt);
    const plan: [typeof A, number, bigint][] = [
      [A, SENIOR, 8_000_000n],
      [B, SENIOR, 500_000n],
      [C, SENIOR, 100_000n],
      [D, SENIOR, 100_000n],
      [E, SENIOR, 100_000n],
      [A, 1, 3_000_000n],
      [A, 2, 2_000_000n],
      [A, EQUITY, 5_000_000n],
      [B, EQUITY, 250_000n],
    ];
    // C, D and E may not hold the senior: `subscribe` would refuse them before signing (test/sdk/investor.ts), so
    // they skip its check here and their requests stand until the token refuses the delivery.
    const ineligible = [C, D, E];
    for (const [who, t, dollars] of plan) {
      await mint(stablecoin, who.account.address, dollars * USDC);
      await who.subscribe({
        offering: offerings[t],
        assets: dollars * USDC,
        check: !ineligible.includes(who),
      });
    }
    await advanceTo(terms.offeringClosesAt);
    for (const offering of offerings) await keeper.closeOffering({ offering });

    // Refused before sending: a registry record fails the tranche's rules. The controller is screened first, as
    // a sender (it gives its allocation away), then the receiver.
    const setWalletFrozen = async (wallet: Address, frozen: boolean) =>
      waitForTransactionReceipt(publicClient, {
        hash: await writeContract(agent, {
          address: registry,
          abi: investorRegistryAbi,
          functionName: "setWalletFrozen",
          args: [wallet, frozen],
        }),
      });
    const cases: [typeof A, Address | undefined, number, string][] = [
      [D, undefined, 4, "SenderNotRegistered"],
      [C, undefined, 7, "SenderCountryBlocked"],
      [E, undefined, 8, "SenderClassNotAllowed"],
      [B, outsider.account.address, 9, "ReceiverNotRegistered"],
      [B, C.account.address, 12, "ReceiverCountryBlocked"],
    ];
    await setWalletFrozen(A.account.address, true);
    cases.push([A, B.account.address, 5, "SenderFrozen"]);
    for (const [who, receiver, code, name] of cases) {
      const nonce = await getTransactionCount(publicClient, { address: who.account.address });
      const e = await refusal(() => who.claimShares({ offering: offerings[SENIOR], receiver }));
      expectRestriction(e, code, name, "delivery");
      expect(e.errorName).to.equal("TransferRestricted");
      expect(e.transactionHash).to.equal(undefined);
      expect(e.details).to.deep.include({
        controller: who.account.address,
        receiver: receiver ?? who.account.address,
        token: tokens[SENIOR],
      });
      expect(await getTransactionCount(publicClient, { address: who.account.address })).to.equal(
        nonce,
      );
    }
    // The token says the same: a frozen controller's claim reverts whoever receives.
    try {
      await simulateContract(publicClient, {
        account: A.account.address,
        address: offerings[SENIOR],
        abi: offeringAbi,
        functionName: "deposit",
        args: [1n, B.account.address],
      });
      expect.fail("the claim should revert");
    } catch (raw) {
      expectRestriction(
        wrapContractError(raw) as TransferRestrictedError,
        5,
        "SenderFrozen",
        "transfer",
      );
    }
    await setWalletFrozen(A.account.address, false);

    for (const [who, t] of [
      [A, SENIOR],
      [B, SENIOR],
      [A, 1],
      [A, 2],
      [A, EQUITY],
      [B, EQUITY],
    ] as const) {
      const r = await who.claimShares({ offering: offerings[t] });
      expect(r.shares, `${t}`).to.be.greaterThan(0n);
    }
    // Once registered, the refused investor takes delivery.
    await agent.registerInvestors({
      registry,
      investors: [
        {
          wallet: D.account.address,
          kycExpiry,
          country: 840,
          classes: INVESTOR_CLASSES.accredited,
        },
      ],
    });
    expect((await D.claimShares({ offering: offerings[SENIOR] })).shares).to.equal(100_000n * USDC);
  });

  it("transfer asks the token first and throws the code and message without sending", async () => {
    const senior = tokens[SENIOR];
    const cases: [Address, bigint, number, string][] = [
      [outsider.account.address, 1_000n * USDC * 20n, 9, "ReceiverNotRegistered"],
      [C.account.address, 20_000n * USDC, 12, "ReceiverCountryBlocked"],
      [E.account.address, 20_000n * USDC, 13, "ReceiverClassNotAllowed"],
      // B would end with less than the 10,000 minimum holding? B holds 500,000: A keeps less than 10,000.
      [
        B.account.address,
        (await balance(senior, A.account.address)) - 5_000n * USDC,
        15,
        "BelowMinHolding",
      ],
      [B.account.address, 10n ** 30n, 2, "InsufficientBalance"],
    ];
    for (const [to, amount, code, name] of cases) {
      const view = await A.transferRestriction({
        token: senior,
        from: A.account.address,
        to,
        amount,
      });
      expect(view).to.deep.equal({
        code,
        restriction: name,
        message: message(code),
        allowed: false,
      });
      const nonce = await getTransactionCount(publicClient, { address: A.account.address });
      const e = await refusal(() => A.transfer({ token: senior, to, amount }));
      expectRestriction(e, code, name, "transfer");
      expect(e.details).to.deep.include({ token: senior, from: A.account.address, to, amount });
      expect(await getTransactionCount(publicClient, { address: A.account.address })).to.equal(
        nonce,
      );
    }
    // The equity's holding period runs from delivery: every token A holds waits, until a year after.
    const equityHeld = await balance(tokens[EQUITY], A.account.address);
    const e = await refusal(() =>
      A.transfer({ token: tokens[EQUITY], to: B.account.address, amount: USDC }),
    );
    expectRestriction(e, 14, "HoldingPeriod", "transfer");
    const held = e.details.holdingPeriod as {
      fresh: bigint;
      releasedAt: bigint;
      transferable: bigint;
    };
    expect(held.fresh).to.equal(equityHeld);
    expect(held.transferable).to.equal(0n);
    expect(held.releasedAt).to.be.greaterThan(
      (await getBlock(publicClient)).timestamp + 364n * DAY,
    );
    const [fresh, releasedAt] = await readContract(publicClient, {
      address: tokens[EQUITY],
      abi: trancheTokenAbi,
      functionName: "freshTokens",
      args: [A.account.address],
    });
    expect({ fresh, releasedAt }).to.deep.equal({ fresh: held.fresh, releasedAt: held.releasedAt });
    // position shows the same; the senior has no holding period.
    const pos = await A.position({ deal, investor: A.account.address });
    expect(pos.tranches[EQUITY]).to.deep.include({ fresh, freshReleasedAt: releasedAt });
    expect(pos.tranches[SENIOR]).to.deep.include({ fresh: 0n, freshReleasedAt: 0n });
    // The SDK's mirror of the rule agrees with the token.
    expect(holdingPeriodCode({ balance: equityHeld, frozen: 0n, fresh }, USDC, false)).to.equal(14);
    expect(holdingPeriodCode({ balance: equityHeld, frozen: 0n, fresh }, USDC, true)).to.equal(0);

    const before = await balance(senior, B.account.address);
    const r = await A.transfer({ token: senior, to: B.account.address, amount: 100_000n * USDC });
    expect(r.transactionHash).to.match(/^0x[0-9a-f]{64}$/);
    expect((await balance(senior, B.account.address)) - before).to.equal(100_000n * USDC);
    expect(
      await A.transferRestriction({
        token: senior,
        from: A.account.address,
        to: B.account.address,
        amount: USDC * 20_000n,
      }),
    ).to.deep.equal({ code: 0, restriction: "Success", message: message(0), allowed: true });
  });

  it("decodes a TransferRestricted revert into the same error", async () => {
    try {
      await simulateContract(publicClient, {
        account: A.account.address,
        address: tokens[SENIOR],
        abi: trancheTokenAbi,
        functionName: "transfer",
        args: [outsider.account.address, 20_000n * USDC],
      });
      expect.fail("the transfer should revert");
    } catch (raw) {
      const e = wrapContractError(raw);
      expect(e).to.be.instanceOf(TransferRestrictedError);
      expect(e).to.be.instanceOf(ContractRevertError);
      expectRestriction(e as TransferRestrictedError, 9, "ReceiverNotRegistered", "transfer");
      expect((e as TransferRestrictedError).errorName).to.equal("TransferRestricted");
    }
  });

  it("claim asks detectClaimRestriction first: a frozen identity's coupons stay accrued", async () => {
    // One period distributed: collections, a report signed by two reporters, the upkeep.
    const deposit = 1_500_000n * USDC;
    await mint(stablecoin, servicer.account.address, deposit);
    await servicer.depositCollections({ deal, amount: deposit });
    const end = await readContract(publicClient, {
      address: deal,
      abi: dealAbi,
      functionName: "periodEnd",
      args: [0n],
    });
    await advanceTo(end);
    const hours = 2_048n * 720n;
    const content = {
      deal,
      period: 0n,
      gpuHoursAvailable: hours,
      gpuHoursBilled: (hours * 7n) / 10n,
      revenue: ((hours * 7n) / 10n) * 2n * USDC,
      reportHash: keccak256(toHex("compliance/period-1")),
    };
    const signatures = await Promise.all([r0, r1].map((r) => r.signReport({ report: content })));
    const proposed = await keeper.submitReport({ report: signatures[0].report, signatures });
    await advanceTo(proposed.finalAt);
    await keeper.performUpkeep({ deal, maxPeriods: 1 });

    const freeze = async (frozen: boolean) => {
      const hash = await writeContract(agent, {
        address: registry,
        abi: investorRegistryAbi,
        functionName: "setIdentityFrozen",
        args: [A.account.address, frozen],
      });
      await waitForTransactionReceipt(publicClient, { hash });
    };
    await freeze(true);
    const nonce = await getTransactionCount(publicClient, { address: A.account.address });
    const e = await refusal(() => A.claim({ token: tokens[SENIOR] }));
    expectRestriction(e, 5, "SenderFrozen", "claim");
    expect(e.errorName).to.equal("ClaimRestricted");
    expect(e.namedArgs).to.deep.equal({ account: A.account.address, code: 5 });
    expect(await getTransactionCount(publicClient, { address: A.account.address })).to.equal(nonce);
    // The contract says the same.
    try {
      await simulateContract(publicClient, {
        account: A.account.address,
        address: tokens[SENIOR],
        abi: trancheTokenAbi,
        functionName: "claimTo",
        args: [A.account.address],
      });
      expect.fail("the claim should revert");
    } catch (raw) {
      const decoded = wrapContractError(raw) as TransferRestrictedError;
      expectRestriction(decoded, 5, "SenderFrozen", "claim");
      expect(decoded.namedArgs).to.deep.equal({ account: A.account.address, code: 5 });
    }
    await freeze(false);
    expect((await A.claim({ token: tokens[SENIOR] })).amount).to.be.greaterThan(0n);
  });

  it("the agent freezes and releases tokens; a transfer beyond the unfrozen balance is refused (17)", async () => {
    const senior = tokens[SENIOR];
    const held = await balance(senior, A.account.address);
    const frozen = await agent.freezeTokens({
      token: senior,
      holder: A.account.address,
      amount: held - 50_000n * USDC,
    });
    expect(frozen.frozen).to.equal(held - 50_000n * USDC);
    const e = await refusal(() =>
      A.transfer({ token: senior, to: B.account.address, amount: 60_000n * USDC }),
    );
    expectRestriction(e, 17, "AmountFrozen", "transfer");
    // Only the agent; not more than the balance; not more than is frozen.
    const reverted = async (fn: () => Promise<unknown>, name: string) => {
      try {
        await fn();
        expect.fail(`expected ${name}`);
      } catch (x) {
        expect(x).to.be.instanceOf(ContractRevertError);
        expect((x as ContractRevertError).errorName).to.equal(name);
      }
    };
    await reverted(
      () => B.freezeTokens({ token: senior, holder: A.account.address, amount: 1n }),
      "NotComplianceAgent",
    );
    await reverted(
      () => agent.freezeTokens({ token: senior, holder: A.account.address, amount: held }),
      "FreezeExceedsBalance",
    );
    await reverted(
      () => agent.unfreezeTokens({ token: senior, holder: A.account.address, amount: held }),
      "UnfreezeExceedsFrozen",
    );
    const released = await agent.unfreezeTokens({
      token: senior,
      holder: A.account.address,
      amount: held - 50_000n * USDC,
    });
    expect(released.frozen).to.equal(0n);
    await A.transfer({ token: senior, to: B.account.address, amount: 60_000n * USDC });
  });

  it("forcedTransfer moves tokens to an eligible receiver only", async () => {
    const senior = tokens[SENIOR];
    const e = await refusal(() =>
      agent.forcedTransfer({
        token: senior,
        from: A.account.address,
        to: outsider.account.address,
        amount: 20_000n * USDC,
      }),
    );
    expectRestriction(e, 9, "ReceiverNotRegistered", "transfer");
    const before = await balance(senior, D.account.address);
    await agent.forcedTransfer({
      token: senior,
      from: A.account.address,
      to: D.account.address,
      amount: 20_000n * USDC,
    });
    expect((await balance(senior, D.account.address)) - before).to.equal(20_000n * USDC);
  });

  it("recoverWallet moves the registry membership, then every position, to the new wallet", async () => {
    const lost = B.account.address;
    const fresh = newWallet.account.address;
    // Without the registry step the new wallet is not registered: the token refuses it.
    const e = await refusal(() =>
      agent.recoverWallet({ tokens: [tokens[SENIOR]], lostWallet: lost, newWallet: fresh }),
    );
    expectRestriction(e, 9, "ReceiverNotRegistered", "transfer");

    const seniorHeld = await balance(tokens[SENIOR], lost);
    const equityHeld = await balance(tokens[EQUITY], lost);
    const r = await agent.recoverWallet({
      tokens: [...tokens],
      lostWallet: lost,
      newWallet: fresh,
      registry,
    });
    expect(r.registryTransactionHash).to.not.equal(undefined);
    // B held the senior and the equity only.
    expect(r.positions.map((p) => [p.token, p.balance])).to.deep.equal([
      [tokens[SENIOR], seniorHeld],
      [tokens[EQUITY], equityHeld],
    ]);
    expect(await balance(tokens[SENIOR], fresh)).to.equal(seniorHeld);
    expect(await balance(tokens[SENIOR], lost)).to.equal(0n);
    // The holding period went along: the new wallet may not sell the equity yet.
    const held = await refusal(() =>
      newWallet.transfer({ token: tokens[EQUITY], to: A.account.address, amount: USDC }),
    );
    expectRestriction(held, 14, "HoldingPeriod", "transfer");
  });

  it("caps the equity's holders once the holding period is over (16)", async () => {
    await advanceTo((await getBlock(publicClient)).timestamp + 366n * DAY);
    // A and B's identity hold the equity; D would be a third.
    const e = await refusal(() =>
      A.transfer({ token: tokens[EQUITY], to: D.account.address, amount: USDC }),
    );
    expectRestriction(e, 16, "MaxHolders", "transfer");
    await A.transfer({ token: tokens[EQUITY], to: newWallet.account.address, amount: USDC });
  });

  it("every error is a CascadeError", async () => {
    const e = await refusal(() =>
      A.transfer({ token: tokens[SENIOR], to: outsider.account.address, amount: USDC * 20_000n }),
    );
    expect(e).to.be.instanceOf(CascadeError);
  });
});

describe("SDK compliance: the holding-period rule on its own (sdk/compliance.ts)", () => {
  const P = 30n * DAY;
  const T = 1_800_000_000n;

  it("freshTokens: the whole lot, at most the balance, before its end; nothing from then on", () => {
    expect(freshTokens(100n, T, 80n, P, T)).to.equal(80n);
    expect(freshTokens(100n, T, 150n, P, T + P - 1n)).to.equal(100n);
    expect(freshTokens(100n, T, 150n, P, T + P)).to.equal(0n);
    expect(freshTokens(100n, T, 150n, 0, T)).to.equal(0n);
    // The end is not taken modulo 2^32: the longest period does not end.
    expect(releasedAt(T, 2 ** 32 - 1)).to.equal(T + 2n ** 32n - 1n);
    expect(freshTokens(100n, T, 150n, 2 ** 32 - 1, 2n ** 32n)).to.equal(100n);
  });

  it("mergeFresh: an empty lot takes the reception; a running one the weighted start, rounded down", () => {
    expect(mergeFresh(0n, T, 50n, T + 10n)).to.deep.equal({ fresh: 50n, sinceDown: T + 10n });
    expect(mergeFresh(100n, T, 0n, T + 10n)).to.deep.equal({ fresh: 100n, sinceDown: T });
    // (100·T + 50·(T + 10)) / 150 = T + 3.33…
    expect(mergeFresh(100n, T, 50n, T + 10n)).to.deep.equal({ fresh: 150n, sinceDown: T + 3n });
    // Dust: (10⁹·T + 1·(T + DAY)) / (10⁹ + 1) rounds down to T.
    expect(mergeFresh(10n ** 9n, T, 1n, T + DAY)).to.deep.equal({
      fresh: 10n ** 9n + 1n,
      sinceDown: T,
    });
  });

  it("holdingPeriodCode and transferableToAnotherIdentity: frozen first, then what is past the period", () => {
    const position = { balance: 100n, frozen: 10n, fresh: 30n };
    expect(transferableToAnotherIdentity(position)).to.equal(60n);
    expect(holdingPeriodCode(position, 60n, false)).to.equal(0);
    expect(holdingPeriodCode(position, 61n, false)).to.equal(14);
    expect(holdingPeriodCode(position, 90n, true)).to.equal(0);
    expect(holdingPeriodCode(position, 91n, true)).to.equal(17);
    expect(holdingPeriodCode(position, 101n, false)).to.equal(2);
    expect(transferableToAnotherIdentity({ balance: 10n, frozen: 8n, fresh: 8n })).to.equal(0n);
  });
});
