/**
 * What every `cascade` command needs: the endpoint (`--rpc-url`, or `--network` from sdk/networks.ts), the chain
 * behind it, the signing account (a key from an environment variable or an encrypted keystore file — never from a
 * file in the clear or an argument), viem clients with the Cascade actions, and the address book.
 */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";

import type { Address, Chain, LocalAccount } from "viem";
import { getCode, readContract } from "viem/actions";

import { NAMED_NETWORKS } from "../../sdk/networks.js";
import {
  dealFactoryAbi,
  deploymentFile,
  findDeal,
  readDeployment,
  writeDeployment,
  CascadeError,
  type DealRecord,
  type Deployment,
} from "../../sdk/index.js";
import { parseAddress, UsageError } from "./args.js";
import { chainOf, localAccount, privateKeyFromEnv, readerFor, walletFor } from "./clients.js";

/** Options every command takes (commander's global options). */
export interface GlobalOptions {
  network?: string;
  rpcUrl?: string;
  json?: boolean;
  deployments?: string;
  keyEnv?: string;
  keystore?: string;
}

export const DEFAULT_KEY_ENV = "CASCADE_PRIVATE_KEY";
export const KEYSTORE_PASSWORD_ENV = "CASCADE_KEYSTORE_PASSWORD";

export interface Endpoint {
  url: string;
  /** The network's name when given by --network. */
  network: string | undefined;
  expectedChainId: number | undefined;
  keyVariable: string | undefined;
}

/** The endpoint from --rpc-url (wins) or --network (default: localhost). */
export function endpointOf(o: GlobalOptions): Endpoint {
  if (o.rpcUrl) {
    if (!/^https?:\/\//.test(o.rpcUrl))
      throw new UsageError(`--rpc-url must be an http(s) URL, not "${o.rpcUrl}"`);
    return {
      url: o.rpcUrl,
      network: o.network,
      expectedChainId: undefined,
      keyVariable: undefined,
    };
  }
  const name = o.network ?? "localhost";
  if (name === "hardhat" || name === "default")
    throw new UsageError(
      "the in-process network lives only as long as one process: use `cascade demo`, or a node (--network localhost)",
    );
  const n = NAMED_NETWORKS[name];
  if (!n)
    throw new UsageError(
      `unknown network "${name}" (known: ${Object.keys(NAMED_NETWORKS).join(", ")}; or give --rpc-url)`,
    );
  const url = process.env[n.urlVariable]?.trim() || n.defaultUrl;
  if (!url)
    throw new UsageError(`set ${n.urlVariable} to the RPC URL of ${name} (or give --rpc-url)`);
  return { url, network: name, expectedChainId: n.chainId, keyVariable: n.keyVariable };
}

/**
 * The signing account: `--keystore FILE` (an encrypted JSON keystore, password from CASCADE_KEYSTORE_PASSWORD), else
 * the key in `--key-env VAR`, CASCADE_PRIVATE_KEY, or the named network's key variable. Needs no node.
 */
export async function loadSigner(
  options: GlobalOptions,
  endpoint: Endpoint,
): Promise<LocalAccount> {
  if (options.keystore) {
    const password = process.env[KEYSTORE_PASSWORD_ENV];
    if (password === undefined)
      throw new UsageError(`set ${KEYSTORE_PASSWORD_ENV} to the password of ${options.keystore}`);
    // ethers decrypts the standard (scrypt / pbkdf2) keystore format; loaded only when used.
    const { Wallet } = await import("ethers");
    const wallet = await Wallet.fromEncryptedJson(
      await readFile(options.keystore, "utf8"),
      password,
    );
    return localAccount(wallet.privateKey as `0x${string}`);
  }
  const variable =
    options.keyEnv ??
    (process.env[DEFAULT_KEY_ENV] === undefined && endpoint.keyVariable !== undefined
      ? endpoint.keyVariable
      : DEFAULT_KEY_ENV);
  return localAccount(privateKeyFromEnv(variable));
}

/** The command's context: endpoint, chain, address book; the account is loaded on first use. */
export class Context {
  private account: LocalAccount | undefined;

  private constructor(
    readonly options: GlobalOptions,
    readonly endpoint: Endpoint,
    readonly chain: Chain,
    readonly deploymentsDir: string,
    public deployment: Deployment,
  ) {}

  static async open(options: GlobalOptions): Promise<Context> {
    const endpoint = endpointOf(options);
    let chain: Chain;
    try {
      chain = await chainOf(endpoint.url);
    } catch (e) {
      throw new CascadeError(
        `no node answers at ${endpoint.url}${endpoint.network ? ` (--network ${endpoint.network})` : ""}: ${
          (e as Error).message.split("\n")[0]
        }`,
        { url: endpoint.url },
      );
    }
    if (endpoint.expectedChainId !== undefined && chain.id !== endpoint.expectedChainId)
      throw new UsageError(
        `${endpoint.network} is chain ${endpoint.expectedChainId}, but ${endpoint.url} is chain ${chain.id}`,
      );
    const dir = resolve(options.deployments ?? process.env.CASCADE_DEPLOYMENTS ?? "deployments");
    const ctx = new Context(options, endpoint, chain, dir, await readDeployment(dir, chain.id));
    const recorded = ctx.deployment.protocol;
    if (recorded !== undefined) {
      const code = await getCode(ctx.reader(), { address: recorded.factory });
      if (code === undefined || code === "0x") ctx.staleProtocol = recorded;
    }
    return ctx;
  }

  /** The recorded protocol when the chain has no code at its factory (a restarted or reset node). */
  private staleProtocol: Deployment["protocol"];

  /** Whether the address book still names the protocol found stale (`cascade deploy` replaces it). */
  private get stale(): boolean {
    return this.staleProtocol !== undefined && this.deployment.protocol === this.staleProtocol;
  }

  /** The address book's file for this chain. */
  get deploymentFile(): string {
    return deploymentFile(this.deploymentsDir, this.chain.id);
  }

  private staleError(): UsageError {
    return new UsageError(
      `the address book ${this.deploymentFile} is stale: chain ${this.chain.id} has no code at its factory ` +
        `${this.deployment.protocol?.factory} (was the node restarted?); delete the file and run \`cascade deploy\` again`,
    );
  }

  get json(): boolean {
    return this.options.json === true;
  }

  /** A read-only client with the Cascade actions. */
  reader() {
    return readerFor(this.endpoint.url, this.chain);
  }

  /** A wallet client for the signing account. */
  async wallet() {
    return walletFor(this.endpoint.url, this.chain, await this.signer());
  }

  /** The signing account ({@link loadSigner}), loaded once. */
  async signer(): Promise<LocalAccount> {
    this.account ??= await loadSigner(this.options, this.endpoint);
    return this.account;
  }

  /** The recorded protocol, or a usage error saying to deploy first. */
  protocol(): NonNullable<Deployment["protocol"]> {
    if (this.stale) throw this.staleError();
    const p = this.deployment.protocol;
    if (!p)
      throw new UsageError(
        `no Cascade deployment for chain ${this.chain.id} in ${this.deploymentsDir}: run \`cascade deploy\` first`,
      );
    return p;
  }

  /**
   * A deal by name (from the address book) or address, checked against the chain: an address must pass its checksum,
   * hold code, and be a deal of the recorded factory (when one is recorded); a name whose deal has no code means a
   * stale address book.
   */
  async deal(ref: string): Promise<{ address: Address; record: DealRecord | undefined }> {
    if (this.stale) throw this.staleError();
    if (/^0x/i.test(ref.trim())) parseAddress(ref, "deal");
    let found: DealRecord | Address;
    try {
      found = findDeal(this.deployment, ref);
    } catch (e) {
      // An unknown name is bad input: a usage error (exit code 2) with the names the address book knows.
      throw e instanceof CascadeError ? new UsageError(e.message) : e;
    }
    const resolved =
      typeof found === "string"
        ? { address: found, record: undefined }
        : { address: found.deal, record: found };
    const code = await getCode(this.reader(), { address: resolved.address });
    if (code === undefined || code === "0x") {
      if (resolved.record)
        throw new UsageError(
          `deal "${resolved.record.name}" of ${this.deploymentFile} has no code at ${resolved.address} on chain ` +
            `${this.chain.id}: the address book is stale (was the node restarted?); create the deal again`,
        );
      throw new UsageError(
        `${resolved.address} is not a deal: chain ${this.chain.id} has no contract there; check the address and ` +
          `the node (--rpc-url, --network)`,
      );
    }
    const factory = this.deployment.protocol?.factory;
    if (factory !== undefined && resolved.record === undefined) {
      const isDeal = await readContract(this.reader(), {
        address: factory,
        abi: dealFactoryAbi,
        functionName: "isDeal",
        args: [resolved.address],
      });
      if (!isDeal)
        throw new UsageError(
          `${resolved.address} is not a deal of the Cascade factory ${factory} on chain ${this.chain.id}; give a ` +
            `deal's address or name (\`cascade deal list\`)`,
        );
    }
    return resolved;
  }

  async save(): Promise<string> {
    return writeDeployment(this.deploymentsDir, this.deployment);
  }
}
