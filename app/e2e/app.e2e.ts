/**
 * The app end to end in a real headless Chromium (Debian's `chromium`, driven by playwright-core) against anvil
 * seeded by the test (scripts/lib/app-chain.ts): an auditor's statements equal the chain's cell by cell and every
 * chart draws its data; an investor subscribes with a permit, claims shares after the close, and claims the coupons
 * of a distributed period; a transfer to an unregistered wallet is refused with the token's sentence. Screenshots go
 * to app/e2e/screenshots/ (git-ignored).
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

import { chromium, type Browser, type Page } from "playwright-core";
import { mnemonicToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { freePort, startAnvil, stopAnvil } from "../../cli/lib/anvil.js";
import { chainFor } from "../../cli/lib/clients.js";
import {
  ANVIL_MNEMONIC,
  devnetClients,
  mintDemo,
  reportAndDistribute,
  warpTo,
  type DevnetClients,
} from "../../cli/lib/devnet.js";
import {
  appConfig,
  depositFor,
  INVESTOR2_INDEX,
  periodReport,
  seedAppChain,
  type AppChain,
} from "../../scripts/lib/app-chain.js";
import { startAppServer, type AppServer } from "../../scripts/lib/app-server.js";
import { historyCsv, StatementText } from "../../sdk/statementText.js";
import type { AppConfig } from "../src/config.js";
import {
  exactAmount,
  parseTermSheet,
  TrancheKind,
  TRANSFER_RESTRICTION_MESSAGES,
  type TermSheetError,
} from "../../sdk/index.js";

const CHROMIUM = "/usr/bin/chromium";
const SHOTS = fileURLToPath(new URL("screenshots/", import.meta.url));

let anvil: Awaited<ReturnType<typeof startAnvil>>;
let c: DevnetClients;
let seeded: AppChain;
let server: AppServer;
let config: AppConfig;
let browser: Browser;
let page: Page;
const investor2 = mnemonicToAccount(ANVIL_MNEMONIC, { addressIndex: INVESTOR2_INDEX }).address;

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `no Chromium at ${CHROMIUM}: install Debian's package (as root: apt-get update && apt-get install -y chromium)`,
    );
  mkdirSync(SHOTS, { recursive: true });
  const port = await freePort();
  anvil = await startAnvil(port, ["--accounts", "11", "--quiet"]);
  const rpcUrl = `http://127.0.0.1:${port}`;
  const chain = chainFor(rpcUrl, 31_337);
  c = devnetClients(rpcUrl, chain, 20);
  seeded = await seedAppChain(c, { investor2 });
  config = appConfig(c, seeded, rpcUrl, investor2);
  server = await startAppServer(config);

  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
    ],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (anvil) stopAnvil(anvil);
});

async function connect(role: string) {
  await page.goto(`${server.url}#/deals`);
  const disconnect = page.getByRole("button", { name: "Disconnect" });
  if (await disconnect.isVisible().catch(() => false)) await disconnect.click();
  await page.getByLabel("Wallet").selectOption({ label: `Development account: ${role}` });
  await page.getByRole("button", { name: "Connect" }).click();
  await page.getByTestId("connected").waitFor();
}

describe("the Cascade app in Chromium", () => {
  it("an auditor's statements equal the chain's, cell by cell, and every chart draws its data", async () => {
    const audit = await c.keeper.dealAudit({ deal: seeded.audited.deal });
    expect(audit.history.periods).toHaveLength(12);
    await page.goto(`${server.url}#/deals`);
    const deals = page.getByTestId("deals");
    await expect.poll(() => deals.locator("tbody tr td").first().textContent(), { timeout: 60_000 }).toBe("Repaid");
    expect(await deals.locator("tbody th").allTextContents()).toEqual(["Audited", "Running", "Offering"]);
    const network = page.getByLabel("Network");
    expect(await network.inputValue()).toBe("31337");
    expect(await network.locator("option").allTextContents()).toEqual(["Local devnet (anvil)"]);
    await page.screenshot({ path: `${SHOTS}deals.png`, fullPage: true });
    await page.goto(`${server.url}#/deal/${seeded.audited.deal}`);
    await page.getByTestId("statement").waitFor({ timeout: 60_000 });
    let cells = 0;
    for (const p of audit.history.periods) {
      await page.getByLabel("Period", { exact: true }).selectOption(String(p.number));
      const table = page.locator(`table[data-testid=statement][data-period="${p.number}"]`);
      await table.waitFor();
      const shown = await table.locator("tbody tr").evaluateAll((trs) =>
        trs.map((tr) => [...tr.querySelectorAll("td.num")].map((td) => [td.getAttribute("data-raw"), td.textContent])),
      );
      const expected = p.rows.map((r) =>
        [r.due, r.paid, r.unpaid, r.cashLeft, r.reserve].map((v) =>
          v === undefined ? ["", ""] : [v.toString(), exactAmount(v, audit.decimals)],
        ),
      );
      expect(shown).toEqual(expected);
      cells += expected.flat().length;
    }
    expect(cells).toBeGreaterThan(12 * 5 * 10);
    // The export buttons write the files of `cascade deal history --csv / --json`: the CSV, byte for byte.
    const names = new Map(config.deals.map((d) => [d.deal.toLowerCase(), d.name]));
    const [csvFile] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Export CSV" }).click(),
    ]);
    expect(csvFile.suggestedFilename()).toBe("Audited-history.csv");
    expect(readFileSync(await csvFile.path(), "utf8")).toBe(
      historyCsv(new StatementText(audit.facts, audit.decimals, names), audit.history.periods),
    );
    const [jsonFile] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Export JSON" }).click(),
    ]);
    const exported = JSON.parse(readFileSync(await jsonFile.path(), "utf8"));
    expect(exported.periods).toHaveLength(12);
    // Each period's report: the reporters who signed its accepted round, as the oracle's events name them.
    const reports = await c.keeper.reportHistory({ deal: seeded.audited.deal });
    expect(reports).toHaveLength(12);
    for (const r of reports) {
      const accepted = r.rounds[r.rounds.length - 1];
      const cell = page.getByTestId(`signers-${r.period}`);
      await expect.poll(() => cell.textContent(), { timeout: 30_000 }).toBe(
        accepted.signers.map((a) => `${a.slice(0, 6)}…${a.slice(-4)}`).join(", "),
      );
    }
    for (const id of ["utilization", "dscr", "collateral", "ltv", "cash", "waterfall"]) {
      const chart = page.getByTestId(`chart-${id}`);
      expect(Number(await chart.getAttribute("data-points"))).toBeGreaterThan(0);
      const marks = await chart.locator(".recharts-line-curve, .recharts-bar-rectangle").count();
      expect(marks, `${id} draws its series`).toBeGreaterThan(0);
      await chart.screenshot({ path: `${SHOTS}chart-${id}.png` });
    }
    await page.screenshot({ path: `${SHOTS}deal-1280.png`, fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    // At a phone's width nothing but the tables' own scroll boxes is wider than the screen.
    await expect
      .poll(() => page.evaluate(() => document.documentElement.scrollWidth))
      .toBeLessThanOrEqual(390);
    await page.screenshot({ path: `${SHOTS}deal-phone.png`, fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${server.url}#/risk/${seeded.running.deal}`);
    await page.getByTestId("chart-projection").waitFor({ timeout: 60_000 });
    await page.getByTestId("chart-projection").screenshot({ path: `${SHOTS}chart-projection.png` });
    // The stress engine's Monte Carlo and break-evens of the running deal, and its three charts.
    const notesTable = page.getByTestId("stress-notes");
    await notesTable.waitFor({ timeout: 120_000 });
    const notes = seeded.running.terms.tranches.filter((t) => t.kind === TrancheKind.Note);
    expect(await notesTable.locator("tbody tr").count()).toBe(notes.length);
    for (const id of ["loss", "fan", "triggers"]) {
      const chart = page.getByTestId(`stress-${id}`);
      const marks = await chart.locator("svg rect, svg path, svg polygon, svg polyline").count();
      expect(marks, `stress ${id} draws`).toBeGreaterThan(1);
      await chart.screenshot({ path: `${SHOTS}stress-${id}.png` });
    }
  });

  it("an investor subscribes with a permit, claims shares after the close and claims a period's coupons", async () => {
    const d = seeded.offering;
    const thousand = exactAmount(1_000_000_000n, 6);
    // The other tranches' subscriptions, so that every offering reaches its minimum raise.
    await mintDemo(c.admin, seeded.stablecoin, c.investor.account.address, 4_000_000_000n);
    for (const t of [1, 2]) await c.investor.subscribe({ offering: d.offerings[t], assets: d.terms.tranches[t].faceAmount });
    await connect("investor2");
    await page.goto(`${server.url}#/subscribe/${d.deal}`);
    const card = page.getByTestId("offering-SR");
    await card.getByLabel("Amount (USDC)").fill("1,000");
    await card.getByRole("button", { name: "Subscribe SR with a permit" }).click();
    await expect.poll(() => card.locator(".ok").textContent(), { timeout: 30_000 }).toContain(
      `requested ${thousand} USDC (permit); pending ${thousand} USDC`,
    );
    await warpTo(c, d.terms.offeringClosesAt);
    await connect("keeper");
    await page.goto(`${server.url}#/issue`);
    await page.getByLabel("Deal").selectOption({ label: "Offering" });
    await page.getByRole("button", { name: "Close the offerings" }).click();
    await expect.poll(() => page.locator(".ok").last().textContent(), { timeout: 30_000 }).toContain(
      `closed: SR: accepted ${thousand} USDC`,
    );
    await connect("investor2");
    await page.goto(`${server.url}#/subscribe/${d.deal}`);
    await page.getByRole("button", { name: "Claim SR shares and refund" }).click();
    await expect.poll(() => page.getByTestId("offering-SR").locator(".ok").textContent(), { timeout: 30_000 }).toContain(
      `received ${thousand} USDC of tokens; refunded ${exactAmount(0n, 6)} USDC`,
    );
    await c.investor.claimShares({ offering: d.offerings[1] });
    await c.investor.claimShares({ offering: d.offerings[2] });
    const report = periodReport(d, 0, 80);
    await depositFor(c, seeded.stablecoin, d, report);
    await reportAndDistribute(c, d, report);

    const before = await c.keeper.position({ deal: d.deal, investor: investor2, claimed: true });
    const sr = before.tranches[0];
    expect(sr.claimable).toBeGreaterThan(0n);
    await page.goto(`${server.url}#/portfolio`);
    const row = page.getByTestId("positions-Offering").locator('tr[data-symbol="SR"]');
    await row.waitFor({ timeout: 60_000 });
    expect(await row.getByTestId("claimable").getAttribute("data-raw")).toBe(sr.claimable.toString());
    expect(await row.getByTestId("claimable").textContent()).toBe(`${exactAmount(sr.claimable, 6)} USDC`);
    await row.getByRole("button", { name: "Claim SR" }).click();
    await expect.poll(() => row.locator(".ok").textContent(), { timeout: 30_000 }).toContain(
      `claimed ${exactAmount(sr.claimable, 6)} USDC`,
    );
    const after = await c.keeper.position({ deal: d.deal, investor: investor2, claimed: true });
    expect(after.tranches[0].claimable).toBe(0n);
    expect(after.tranches[0].claimed).toBe(sr.claimable);
    await connect("investor2");
    await page.goto(`${server.url}#/portfolio`);
    const fresh = page.getByTestId("positions-Offering").locator('tr[data-symbol="SR"]');
    await fresh.waitFor({ timeout: 60_000 });
    // The row first shows the cached read of the claim's moment, then the page's own read of the chain.
    await expect
      .poll(() => fresh.getByTestId("claimed").getAttribute("data-raw"), { timeout: 30_000 })
      .toBe(sr.claimable.toString());
    expect(await fresh.getByTestId("claimable").getAttribute("data-raw")).toBe("0");
    await page.screenshot({ path: `${SHOTS}portfolio.png`, fullPage: true });
  });

  it("a transfer to an unregistered wallet is refused with the token's sentence, before anything is signed", async () => {
    await connect("investor");
    await page.goto(`${server.url}#/portfolio`);
    await page.getByLabel("Tranche").selectOption({ label: "Audited SR" });
    const outsider = c.keeper.account.address;
    await page.getByLabel("To", { exact: true }).fill(outsider);
    await page.getByLabel("Tokens").fill("1");
    await page.getByRole("button", { name: "Check" }).click();
    const sentence = TRANSFER_RESTRICTION_MESSAGES[9];
    await expect.poll(() => page.getByTestId("transfer-check").textContent(), { timeout: 30_000 }).toBe(
      `Refused (9 ReceiverNotRegistered): ${sentence}`,
    );
    const nonce = await c.publicClient.getTransactionCount({ address: c.investor.account.address });
    await page.getByRole("button", { name: "Transfer", exact: true }).click();
    await expect.poll(() => page.locator(".tx .error").last().textContent(), { timeout: 30_000 }).toContain(
      `transfer restricted (9 ReceiverNotRegistered): ${sentence}`,
    );
    expect(await c.publicClient.getTransactionCount({ address: c.investor.account.address })).toBe(nonce);
    await page.screenshot({ path: `${SHOTS}transfer-refused.png` });
  });

  it("an issuer sees every problem of a term sheet with its field, as the SDK's schema finds them", async () => {
    const sheet = JSON.parse(
      readFileSync(fileURLToPath(new URL("../../examples/h100-fleet.json", import.meta.url)), "utf8"),
    ) as Record<string, unknown> & { tranches: Record<string, unknown>[] };
    sheet.pledgedSharePct = 140;
    sheet.tranches[0] = { ...sheet.tranches[0], face: "lots" };
    const expected = (() => {
      try {
        parseTermSheet(sheet, { now: 0n });
        return [];
      } catch (e) {
        return (e as TermSheetError).issues.map((i) => `${i.path || "(term sheet)"}: ${i.message}`);
      }
    })();
    expect(expected.length).toBeGreaterThanOrEqual(2);
    await connect("issuer");
    await page.goto(`${server.url}#/issue`);
    await page.getByLabel("Term sheet JSON").fill(JSON.stringify(sheet, null, 2));
    await page.getByRole("button", { name: "Validate" }).click();
    await page.getByTestId("issues").waitFor();
    const shown = await page.getByTestId("issues").locator("li").allTextContents();
    // The page fills the chain's placeholders; every other problem is the schema's, field by field.
    const placeholders = (t: string) => /placeholder|\$/.test(t);
    expect(shown.filter((t) => !placeholders(t))).toEqual(expected.filter((t) => !placeholders(t)));
    expect(shown.some((t) => t.startsWith("pledgedSharePct"))).toBe(true);
    expect(shown.some((t) => t.startsWith("tranches[0].face"))).toBe(true);
    await page.screenshot({ path: `${SHOTS}issue-errors.png`, fullPage: true });
  });
});
