import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { NetworkHelpers } from "@nomicfoundation/hardhat-network-helpers/types";
import type { ContractTransactionReceipt, Signature } from "ethers";

import type { IDeal, MockStablecoin, ITrancheToken } from "../../types/ethers-contracts/index.js";
import {
  equity,
  fixedNote,
  submitReport,
  USDC,
  WAD,
  type Protocol,
  type Roles,
  type TermSheetInput,
  type TrancheTermsInput,
} from "./fixtures.js";

export const MAX_UINT256 = 2n ** 256n - 1n;
export const MAX_UINT128 = 2n ** 128n - 1n;
export const MAX_UINT96 = 2n ** 96n - 1n;

/**
 * A small two-tranche term sheet for offering tests: a 1 000 USDC senior note (min raise 400, min ticket 100,
 * 2.5 % of the proceeds to the reserve) and a 500 USDC equity class. Overrides apply to the sheet and, through
 * `senior`, to the senior tranche.
 */
export function smallTermSheet(
  base: TermSheetInput,
  senior: Partial<TrancheTermsInput> = {},
  overrides: Partial<TermSheetInput> = {},
): TermSheetInput {
  return {
    ...base,
    reserveTarget: 100n * USDC,
    tranches: [
      {
        ...fixedNote("Senior", 1_000n * USDC, (8n * WAD) / 100n),
        minRaise: 400n * USDC,
        minTicket: 100n * USDC,
        reserveFundingBps: 250,
        ...senior,
      },
      equity("Equity", 500n * USDC),
    ],
    ...overrides,
  };
}

/** Mints `amount` to the servicer and deposits it into the deal as collections. */
export async function depositCollections(
  protocol: Protocol,
  r: Roles,
  deal: IDeal,
  amount: bigint,
): Promise<void> {
  await protocol.stablecoin.mint(r.servicer.address, amount);
  await protocol.stablecoin.connect(r.servicer).approve(await deal.getAddress(), amount);
  await deal.connect(r.servicer).depositCollections(amount);
}

/**
 * Moves past the end of `period`, submits its report with `revenue` (and waits out the dispute window), deposits the same amount of collections and
 * distributes it. Returns the distribution receipt.
 */
export async function runPeriod(
  ethers: HardhatEthers,
  networkHelpers: NetworkHelpers,
  protocol: Protocol,
  r: Roles,
  deal: IDeal,
  period: bigint,
  revenue = 2_000_000n * USDC,
): Promise<ContractTransactionReceipt> {
  await preparePeriod(ethers, networkHelpers, protocol, r, deal, period, revenue);
  const tx = await deal.distribute(period);
  return (await tx.wait())!;
}

/** Everything {runPeriod} does except the distribution itself. */
export async function preparePeriod(
  ethers: HardhatEthers,
  networkHelpers: NetworkHelpers,
  protocol: Protocol,
  r: Roles,
  deal: IDeal,
  period: bigint,
  revenue = 2_000_000n * USDC,
): Promise<void> {
  const end = await deal.periodEnd(period);
  if (BigInt(await networkHelpers.time.latest()) < end) await networkHelpers.time.increaseTo(end);
  await submitReport(ethers, networkHelpers, protocol, r, deal, period, revenue);
  await depositCollections(protocol, r, deal, revenue);
}

/** The `Distributed(amount, index)` events `token` emitted in `receipt`. */
export function distributedEvents(
  receipt: ContractTransactionReceipt,
  token: ITrancheToken,
): { amount: bigint; index: bigint }[] {
  const address = (token.target as string).toLowerCase();
  const out: { amount: bigint; index: bigint }[] = [];
  for (const log of receipt.logs) {
    if (log.address.toLowerCase() !== address) continue;
    const parsed = token.interface.parseLog(log);
    if (parsed?.name === "Distributed")
      out.push({ amount: parsed.args.amount, index: parsed.args.index });
  }
  return out;
}

/** An EIP-2612 permit signature of `owner` over an OpenZeppelin-style token (`MockStablecoin` or a tranche token). */
export async function signPermit(
  ethers: HardhatEthers,
  token: MockStablecoin | ITrancheToken,
  owner: HardhatEthersSigner,
  spender: string,
  value: bigint,
  deadline: bigint,
  opts: { name?: string; nonce?: bigint; signer?: HardhatEthersSigner } = {},
): Promise<Signature> {
  const { chainId } = await ethers.provider.getNetwork();
  const domain = {
    name: opts.name ?? (await token.name()),
    version: "1",
    chainId,
    verifyingContract: await token.getAddress(),
  };
  const types = {
    Permit: [
      { name: "owner", type: "address" },
      { name: "spender", type: "address" },
      { name: "value", type: "uint256" },
      { name: "nonce", type: "uint256" },
      { name: "deadline", type: "uint256" },
    ],
  };
  const message = {
    owner: owner.address,
    spender,
    value,
    nonce: opts.nonce ?? (await token.nonces(owner.address)),
    deadline,
  };
  const sig = await (opts.signer ?? owner).signTypedData(domain, types, message);
  return ethers.Signature.from(sig);
}

/**
 * A pure model of the token's cash accounting: each balance change and each claim settles the account against the
 * current index with floor(balance × Δindex / 1e18); claimable is the settled amount plus the pending one.
 */
/** Where a token's cash index starts (`TrancheAccountLib.INDEX_ORIGIN`); `cashIndex()` reports it as zero. */
export const INDEX_ORIGIN = 2n ** 94n;

export class CashModel {
  /** The cash index as `cashIndex()` reports it: from its origin (`TrancheAccountLib.INDEX_ORIGIN`, 2⁹⁴). */
  index = 0n;
  private readonly accounts = new Map<
    string,
    { balance: bigint; checkpoint: bigint; accrued: bigint }
  >();

  private get(a: string) {
    const key = a.toLowerCase();
    let acc = this.accounts.get(key);
    if (!acc) {
      acc = { balance: 0n, checkpoint: this.index, accrued: 0n };
      this.accounts.set(key, acc);
    }
    return acc;
  }

  /**
   * The token's settlement (`TrancheTokenBase._settle`): the account takes `balance`. Its pending cash is carried in
   * its checkpoint (index − ⌊pending / balance⌋, pending unscaled) when the new balance is 1 to 1e18 units and the
   * checkpoint stays at or above the index's origin; otherwise it goes, rounded down, to the accrued slot.
   */
  private settleTo(a: string, balance: bigint) {
    const acc = this.get(a);
    const scaled = acc.balance * (this.index - acc.checkpoint);
    acc.balance = balance;
    if (scaled === 0n) {
      acc.checkpoint = this.index;
      return;
    }
    if (balance >= 1n && balance <= WAD) {
      const back = scaled / balance;
      if (back <= this.index + INDEX_ORIGIN) {
        acc.checkpoint = this.index - back;
        return;
      }
    }
    acc.accrued += scaled / WAD;
    acc.checkpoint = this.index;
  }

  mint(a: string, amount: bigint) {
    this.settleTo(a, this.get(a).balance + amount);
  }

  transfer(from: string, to: string, amount: bigint) {
    this.settleTo(from, this.get(from).balance - amount);
    this.settleTo(to, this.get(to).balance + amount);
  }

  setIndex(index: bigint) {
    this.index = index;
  }

  claim(a: string): bigint {
    const amount = this.claimable(a);
    const acc = this.get(a);
    acc.accrued = 0n;
    acc.checkpoint = this.index;
    return amount;
  }

  claimable(a: string): bigint {
    const acc = this.get(a);
    return acc.accrued + (acc.balance * (this.index - acc.checkpoint)) / WAD;
  }

  balance(a: string): bigint {
    return this.get(a).balance;
  }
}
