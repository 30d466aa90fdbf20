import {
  domainSeparator,
  erc20Abi,
  parseSignature,
  type Address,
  type Hash,
  type TypedDataDomain,
} from "viem";
import { getBlock, getChainId, readContract, signTypedData } from "viem/actions";

import {
  resolveAccount,
  withErrors,
  writeAndWait,
  type AccountParameter,
  type CascadeClient,
} from "../../client.js";
import { CascadeError } from "../../errors.js";
import { erc20PermitAbi } from "../../erc20.js";
import { offeringAbi } from "../../generated/abis.js";
import { checkSubscription } from "./checkSubscription.js";

export interface SubscribeParameters extends AccountParameter {
  offering: Address;
  /** Stablecoin units to subscribe. */
  assets: bigint;
  /** Who the request belongs to (claims shares and refunds); defaults to the account. */
  controller?: Address;
  /**
   * `auto` (default): sign an EIP-2612 permit when the stablecoin supports it, else approve and request.
   * `permit` / `approve` force one path.
   */
  method?: "auto" | "permit" | "approve";
  /** Permit lifetime in seconds after the latest block's time (default 3600). */
  deadlineSeconds?: bigint;
  /**
   * Check first what the offering and the delivery of the tokens would refuse ({@link checkSubscription}) and throw
   * before signing anything (default true).
   */
  check?: boolean;
}

export interface SubscribeReturnType {
  method: "permit" | "approve";
  assets: bigint;
  controller: Address;
  /** The controller's pending request after this one. */
  pending: bigint;
  /** Set on the approve path. */
  approveTransactionHash: Hash | undefined;
  transactionHash: Hash;
}

const PERMIT_TYPES = {
  Permit: [
    { name: "owner", type: "address" },
    { name: "spender", type: "address" },
    { name: "value", type: "uint256" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
} as const;

/**
 * The EIP-712 domain of the token's permit, or undefined when the token has no usable EIP-2612 permit. The domain
 * comes from EIP-5267 `eip712Domain()` when available, else from `name()` with version "1"; either way it must hash
 * to the token's `DOMAIN_SEPARATOR()`.
 */
async function permitDomain(
  client: CascadeClient,
  token: Address,
): Promise<TypedDataDomain | undefined> {
  let separator: `0x${string}`;
  try {
    separator = await readContract(client, {
      address: token,
      abi: erc20PermitAbi,
      functionName: "DOMAIN_SEPARATOR",
    });
  } catch {
    return undefined;
  }
  const candidates: TypedDataDomain[] = [];
  try {
    const [, name, version, chainId, verifyingContract] = await readContract(client, {
      address: token,
      abi: erc20PermitAbi,
      functionName: "eip712Domain",
    });
    candidates.push({ name, version, chainId, verifyingContract });
  } catch {
    const name = await readContract(client, {
      address: token,
      abi: erc20Abi,
      functionName: "name",
    });
    const chainId = client.chain?.id ?? (await getChainId(client));
    candidates.push({ name, version: "1", chainId, verifyingContract: token });
  }
  return candidates.find((d) => domainSeparator({ domain: d }) === separator);
}

/**
 * Subscribes to a tranche's offering (ERC-7540 deposit request). First it checks what the offering would refuse
 * and whether the tranche's rules would deliver the tokens to the controller ({@link checkSubscription}); then,
 * with a permit-capable stablecoin, the investor signs an EIP-2612 permit and sends one `requestDepositWithPermit`
 * transaction; otherwise it approves the offering and calls `requestDeposit`.
 * @throws SubscriptionRefusedError (nothing signed or sent) with the offering's error and a sentence in stablecoin
 * units and dates: `ZeroAmount`, `OfferingPaused`, `OfferingNotOpen` (not yet open, or closed),
 * `BelowMinimumTicket` (`10.00 < minimum 100,000.00 USDC`), `ERC20InsufficientBalance`.
 * @throws TransferRestrictedError (operation `subscription`, nothing signed or sent) with the token's ERC-1404 code
 * and sentence when the tranche would not deliver to the controller, e.g. 9: not a registered investor.
 * @example
 * const { pending } = await client.subscribe({ offering, assets: 250_000n * 10n ** 6n });
 */
export async function subscribe(
  client: CascadeClient,
  params: SubscribeParameters,
): Promise<SubscribeReturnType> {
  const account = resolveAccount(client, params.account);
  const owner = account.address;
  const controller = params.controller ?? owner;
  const method = params.method ?? "auto";
  if (params.check ?? true) {
    const checked = await checkSubscription(client, {
      offering: params.offering,
      assets: params.assets,
      owner,
      controller,
    });
    if (checked.error) throw checked.error;
  }
  const asset = await readContract(client, {
    address: params.offering,
    abi: offeringAbi,
    functionName: "asset",
  });

  const domain = method === "approve" ? undefined : await permitDomain(client, asset);
  if (method === "permit" && domain === undefined) {
    throw new CascadeError("subscribe: the stablecoin has no EIP-2612 permit", {
      stablecoin: asset,
    });
  }

  let transactionHash: Hash;
  let approveTransactionHash: Hash | undefined;
  if (domain !== undefined) {
    const nonce = await readContract(client, {
      address: asset,
      abi: erc20PermitAbi,
      functionName: "nonces",
      args: [owner],
    });
    const { timestamp } = await getBlock(client, { blockTag: "latest" });
    const deadline = timestamp + (params.deadlineSeconds ?? 3600n);
    const signature = await withErrors(() =>
      signTypedData(client, {
        account,
        domain,
        types: PERMIT_TYPES,
        primaryType: "Permit",
        message: { owner, spender: params.offering, value: params.assets, nonce, deadline },
      }),
    );
    const { r, s, v, yParity } = parseSignature(signature);
    const receipt = await writeAndWait(client, {
      address: params.offering,
      abi: offeringAbi,
      functionName: "requestDepositWithPermit",
      args: [params.assets, controller, deadline, Number(v ?? BigInt(yParity + 27)), r, s],
      account,
    });
    transactionHash = receipt.transactionHash;
  } else {
    const allowance = await readContract(client, {
      address: asset,
      abi: erc20Abi,
      functionName: "allowance",
      args: [owner, params.offering],
    });
    if (allowance < params.assets) {
      const approval = await writeAndWait(client, {
        address: asset,
        abi: erc20Abi,
        functionName: "approve",
        args: [params.offering, params.assets],
        account,
      });
      approveTransactionHash = approval.transactionHash;
    }
    const receipt = await writeAndWait(client, {
      address: params.offering,
      abi: offeringAbi,
      functionName: "requestDeposit",
      args: [params.assets, controller, owner],
      account,
    });
    transactionHash = receipt.transactionHash;
  }

  const pending = await readContract(client, {
    address: params.offering,
    abi: offeringAbi,
    functionName: "pendingDepositRequest",
    args: [0n, controller],
  });
  return {
    method: domain !== undefined ? "permit" : "approve",
    assets: params.assets,
    controller,
    pending,
    approveTransactionHash,
    transactionHash,
  };
}
