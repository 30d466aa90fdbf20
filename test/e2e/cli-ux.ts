/**
 * What a new user of the `cascade` CLI meets first, end to end against anvil: addresses checked before anything is
 * read (a mistyped checksum, an address without code, a contract that is not a deal, an unknown name), an address
 * book left stale by a node restart (the same book pointed at a fresh anvil with the same chain id), output without
 * escape codes when stdout and stderr are pipes (colour only when FORCE_COLOR asks), and failures as JSON with --json.
 * Every refusal is checked against its exact line. Skipped when the anvil binary is not installed.
 */
import { copyFile } from "node:fs/promises";
import { join } from "node:path";

import { expect } from "chai";
import { getAddress, isAddress } from "viem";

import { useColor } from "../../cli/lib/output.js";
import { addressOf, CliSession, freePort, type Run } from "./harness.js";

/** The environment of a user's shell whose terminal has colours, with stdout and stderr piped. */
const PLAIN = { FORCE_COLOR: undefined, NO_COLOR: undefined, TERM: "xterm-256color" };
const ESC = "\x1b[";

function expectPlain(r: Run, what: string): void {
  expect(r.stdout.includes(ESC), `${what}: escape code on stdout\n${r.stdout}`).to.equal(false);
  expect(r.stderr.includes(ESC), `${what}: escape code on stderr\n${r.stderr}`).to.equal(false);
}

/** The last line of stderr. */
const lastLine = (r: Run) => r.stderr.trim().split("\n").at(-1) ?? "";

describe("cascade CLI: addresses, stale address books, plain output and JSON failures", function () {
  // About fifteen `cascade` processes and two anvils.
  this.timeout(180_000);
  const session = new CliSession();
  /** A fresh anvil (same chain id, 31337) with a copy of the first one's address book: a restarted node. */
  const restarted = new CliSession();
  let factory: string;
  let stablecoin: string;

  before(async function () {
    if (!(await session.start())) this.skip();
    const deployed = await session.ok<{ protocol: { factory: string }; stablecoin: string }>(
      ["deploy", "--mock-stablecoin"],
      "admin",
    );
    factory = getAddress(deployed.protocol.factory);
    stablecoin = getAddress(deployed.stablecoin);
  });

  afterEach(function () {
    if (this.currentTest?.state === "failed") console.log(session.tail(), restarted.tail());
  });

  after(async () => {
    await restarted.stop();
    await session.stop();
  });

  it("refuses a mistyped address, an address without code, a contract that is not a deal and an unknown name", async () => {
    // One digit of the checksummed stablecoin address changed: mixed case whose checksum fails.
    const i = stablecoin.slice(2).search(/[0-9]/) + 2;
    const typo = `${stablecoin.slice(0, i)}${(Number(stablecoin[i]) + 1) % 10}${stablecoin.slice(i + 1)}`;
    expect(isAddress(typo, { strict: true })).to.equal(false);
    const eoa = addressOf("investor");
    const [mistyped, noCode, notADeal, unknown] = await Promise.all([
      session.fails(["deal", "show", typo], undefined, 2),
      // All lower case carries no checksum and is taken as given (printed checksummed).
      session.fails(["deal", "show", eoa.toLowerCase()], undefined, 2),
      session.fails(["deal", "show", stablecoin], undefined, 2),
      session.fails(["deal", "show", "h200"], undefined, 2),
    ]);
    expect(mistyped).to.equal(
      `cascade: deal: ${typo} fails its EIP-55 checksum (a mistyped character?); copy the address again`,
    );
    expect(noCode).to.equal(
      `cascade: ${eoa} is not a deal: chain 31337 has no contract there; check the address and the node ` +
        "(--rpc-url, --network)",
    );
    expect(notADeal).to.equal(
      `cascade: ${stablecoin} is not a deal of the Cascade factory ${factory} on chain 31337; give a deal's ` +
        "address or name (`cascade deal list`)",
    );
    expect(unknown).to.equal(
      `cascade: no deal "h200" in the address book of chain 31337 (give the deal's address)`,
    );
  });

  it("says in one line that an address book is stale after a node restart, with the fix", async () => {
    const roles = (
      ["servicer", "trustee", "guardian", "reporter0", "reporter1", "reporter2"] as const
    ).flatMap((r) => ["--address", `${r}=${addressOf(r)}`]);
    const created = await session.ok<{ deal: string }>(
      ["deal", "create", "examples/h100-fleet.json", "--name", "h100", ...roles],
      "issuer",
    );
    expect(await restarted.start()).to.equal(true);
    await copyFile(join(session.dir, "31337.json"), join(restarted.dir, "31337.json"));
    const book = join(restarted.dir, "31337.json");

    // The protocol is gone: every command that needs it says so.
    expect(await restarted.fails(["deal", "show", "h100"], undefined, 2)).to.equal(
      `cascade: the address book ${book} is stale: chain 31337 has no code at its factory ${factory} (was the ` +
        "node restarted?); delete the file and run `cascade deploy` again",
    );
    // `cascade deploy` redeploys what has no code, at the same addresses (same deployer, same nonces), and forgets
    // the deals of the old protocol; its progress goes into the pipe as plain lines.
    const redeployed = await restarted.cascade(["deploy"], "admin", PLAIN);
    expect(redeployed.code, redeployed.stderr).to.equal(0);
    expectPlain(redeployed, "cascade deploy");
    expect(redeployed.stderr).to.match(/^- deploying the protocol to chain 31337 from 0x/m);
    expect(redeployed.stderr).to.match(/^✔ protocol deployed: factory 0x/m);
    expect(redeployed.stdout).to.include(factory);
    // The old address book again: its protocol is there now, its deal is the one thing missing.
    await copyFile(join(session.dir, "31337.json"), book);
    expect(await restarted.fails(["deal", "show", "h100"], undefined, 2)).to.equal(
      `cascade: deal "h100" of ${book} has no code at ${getAddress(created.deal)} on chain 31337: the address ` +
        "book is stale (was the node restarted?); create the deal again",
    );
  });

  it("writes no escape codes into pipes (a table, help, a failure), colour only when FORCE_COLOR asks", async () => {
    const [list, help, failure, forced] = await Promise.all([
      session.cascade(["deal", "list"], undefined, PLAIN),
      session.cascade(["--help"], undefined, PLAIN),
      session.cascade(["deal", "show", stablecoin], undefined, PLAIN),
      session.cascade(["stablecoin", "mint", addressOf("investor"), "1,000"], "admin", {
        ...PLAIN,
        FORCE_COLOR: "1",
      }),
    ]);
    expect(list.code).to.equal(0);
    expect(list.stdout).to.include("h100");
    expectPlain(list, "cascade deal list");
    expect(help.code).to.equal(0);
    expect(help.stdout).to.include("Usage: cascade");
    expectPlain(help, "cascade --help");
    expect(failure.code).to.equal(2);
    expectPlain(failure, "cascade deal show <not a deal>");
    expect(forced.code, forced.stderr).to.equal(0);
    expect(forced.stderr).to.include(`\x1b[32m✔\x1b[39m minted 1,000 to ${addressOf("investor")}`);

    const stream = (isTTY: boolean) =>
      ({ isTTY, hasColors: () => true }) as unknown as NodeJS.WriteStream;
    expect(useColor(stream(false), {})).to.equal(false);
    expect(useColor(stream(true), {})).to.equal(true);
    expect(useColor(stream(true), { NO_COLOR: "1" })).to.equal(false);
    expect(useColor(stream(true), { TERM: "dumb" })).to.equal(false);
    expect(useColor(stream(true), { FORCE_COLOR: "0" })).to.equal(false);
    expect(useColor(stream(false), { FORCE_COLOR: "1" })).to.equal(true);
    expect(useColor(stream(false), { FORCE_COLOR: "1", NO_COLOR: "1" })).to.equal(true);
  });

  it("prints failures as JSON on stdout with --json: bad input, bad usage, no node", async () => {
    const nowhere = new CliSession();
    nowhere.dir = session.dir;
    nowhere.url = `http://127.0.0.1:${await freePort()}`;
    const [notADeal, missing, noNode] = await Promise.all([
      session.cascade(["deal", "show", stablecoin, "--json"]),
      session.cascade(["deal", "show", "--json"]),
      nowhere.cascade(["deal", "list", "--json"]),
    ]);
    expect(notADeal.code).to.equal(2);
    expect(JSON.parse(notADeal.stdout)).to.deep.equal({
      error: "UsageError",
      message: lastLine(notADeal).replace(/^cascade: /, ""),
    });
    expect(missing.code).to.equal(2);
    expect(JSON.parse(missing.stdout)).to.deep.equal({
      error: "UsageError",
      message: "missing required argument 'deal'",
    });
    expect(noNode.code).to.equal(1);
    const failed = JSON.parse(noNode.stdout) as { error: string; message: string };
    expect(failed.error).to.equal("CascadeError");
    expect(failed.message).to.match(new RegExp(`^no node answers at ${nowhere.url}: `));
  });
});
