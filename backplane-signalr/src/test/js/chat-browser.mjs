// The chat demo in Debian's headless chromium, driven by playwright-core: a page on node 1 and a
// page on node 2 exchange messages in one room; both see each other online. Screenshots of both
// pages go to SCREENSHOT_DIR. Env: NODE1, NODE2 (page URLs), SCREENSHOT_DIR.
import { createRequire } from "node:module";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const require = createRequire(import.meta.url);
const { chromium } = require("playwright-core");

const profile = mkdtempSync(join(tmpdir(), "chat-chromium-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: "/usr/bin/chromium",
  headless: true,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  viewport: { width: 720, height: 420 },
});
const timeout = 15000;
try {
  const [alice, bob] = [await context.newPage(), await context.newPage()];
  const pageErrors = [];
  for (const p of [alice, bob]) p.on("pageerror", (e) => pageErrors.push(String(e)));
  await alice.goto(process.env.NODE1);
  await bob.goto(process.env.NODE2);
  for (const [page, name] of [[alice, "alice"], [bob, "bob"]]) {
    await page.fill("#name", name);
    await page.fill("#room", "lobby");
    await page.click("#connect");
    await page.waitForSelector("#text:not([disabled])", { timeout });
  }
  await alice.waitForFunction(() => document.getElementById("node").textContent.includes("node-1"), null, { timeout });
  await bob.waitForFunction(() => document.getElementById("node").textContent.includes("node-2"), null, { timeout });

  await alice.fill("#text", "hello from node 1");
  await alice.click("#send");
  await bob.waitForSelector("#messages li:has-text('hello from node 1')", { timeout });
  await bob.fill("#text", "hi alice, bob on node 2 here");
  await bob.click("#send");
  await alice.waitForSelector("#messages li:has-text('bob on node 2 here')", { timeout });

  // Who is online: both names on both pages, whichever node they are on.
  for (const page of [alice, bob]) {
    await page.waitForFunction(() => {
      const names = [...document.querySelectorAll("#online li")].map((li) => li.textContent);
      return names.includes("alice") && names.includes("bob");
    }, null, { timeout });
  }
  const dir = process.env.SCREENSHOT_DIR;
  await alice.screenshot({ path: join(dir, "chat-demo-node-1.png") });
  await bob.screenshot({ path: join(dir, "chat-demo-node-2.png") });
  if (pageErrors.length) throw new Error("page errors: " + pageErrors.join("; "));
  console.log("PASS chat-browser");
} catch (e) {
  console.error("FAIL chat-browser:", e);
  process.exitCode = 1;
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
