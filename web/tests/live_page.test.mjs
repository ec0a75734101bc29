// Browser tier: the live page in headless Chromium (Debian's, driven by playwright-core).
//
// Starts `boiler dev --seed seed.yaml --free-ports` (emulator, generated functions, page server, the
// app's seed documents; free ports, so two runs can overlap on one machine), opens
// three pages as three participants of meeting_1 and one as a user who is not invited, then:
// one participant leaves and the other two pages show it within DEADLINE_MS; a participant closes
// the session and every page shows it; the outsider's page is refused by the security rules.
// Screenshots go to .artifacts/browser/. Afterwards nothing it started may still run: the browser
// (found by its own --user-data-dir) and boiler dev's emulator and dispatcher (by the process
// groups `boiler dev` printed). Run by `make test-browser`.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const REPO = fileURLToPath(new URL("../..", import.meta.url));
const BOILER = process.env.BOILER ?? join(REPO, ".venv/bin/boiler");
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const ARTIFACTS = join(REPO, ".artifacts/browser");
const START_MS = 120_000; // boiler dev: JVM start, functions import, seeding (cold, 2 cores)
const LOAD_MS = 60_000; // a page's first snapshot (cold WebChannel, 4 pages at once, busy machine)
const DEADLINE_MS = Number(process.env.LIVE_DEADLINE_MS ?? 10_000); // a change on one page must show on the others within this
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const PARTICIPANTS = ["tijuana", "thomasina", "joshua"];
const OUTSIDER = "mallory";

let dev; // { child, url, groups, output, exited }
let context;
let profileDir;
const pages = {};
const pageErrors = [];

before(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  dev = await startDev();
  profileDir = mkdtempSync(join(tmpdir(), "boiler-chromium-"));
  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width: 1000, height: 900 },
  });
  for (const uid of [...PARTICIPANTS, OUTSIDER]) {
    const page = await context.newPage();
    page.on("pageerror", (error) => pageErrors.push(`${uid}: ${error.message}`));
    await page.goto(`${dev.url}?user=${uid}`);
    pages[uid] = page;
  }
});

after(async () => {
  await stopAll(); // also when a test failed; the last test checks it worked
});

test("each participant sees the seeded meeting from their own copy", async (t) => {
  const started = Date.now();
  for (const uid of PARTICIPANTS) {
    await expectPage(
      pages[uid],
      `${uid}'s page shows 3 attending, in session`,
      () => {
        const count = document.querySelector("[data-testid=attending-count]")?.textContent;
        const status = document.querySelector("[data-testid=status]")?.textContent;
        return count === "3" && status === "In session";
      },
      LOAD_MS,
    );
    t.diagnostic(`${uid}'s page showed the meeting after ${Date.now() - started} ms`);
    assert.equal(await text(pages[uid], "hearing-aids"), "2");
    assert.equal(await text(pages[uid], "address"), "9500 Gilman Drive, La Jolla, CA");
    assert.match(
      await pages[uid].locator("footer").innerText(),
      new RegExp(`users/${uid}/meeting_sessions/meeting_1`),
    );
  }
  assert.equal(await text(pages.thomasina, "signed-in-as"), "Thomasina Manes");
  assert.equal(await text(pages.thomasina, "your-attendance"), "You are attending this meeting.");
});

test("a non-participant's page is refused by the security rules", async () => {
  const page = pages[OUTSIDER];
  await expectPage(
    page,
    "mallory's page says access is denied",
    () =>
      document.querySelector("[data-testid=denied]")?.textContent?.includes("permission-denied"),
    LOAD_MS,
  );
  assert.equal(await page.locator("[data-testid=attendee]").count(), 0);
  await page.screenshot({ path: join(ARTIFACTS, "outsider-denied.png"), fullPage: true });
});

test("one participant leaves; the two other pages show it within the deadline", async (t) => {
  await pages.tijuana.click("[data-testid=toggle-attendance]");
  const clicked = Date.now();
  for (const uid of ["thomasina", "joshua"]) {
    await expectPage(
      pages[uid],
      `${uid}'s page shows Tijuana gone (2 attending, 1 hearing aid)`,
      () => {
        const names = [...document.querySelectorAll("[data-testid=attendee] strong")].map(
          (e) => e.firstChild?.textContent,
        );
        return (
          names.join(",") === "Joshua Pendergrast,Thomasina Manes" &&
          document.querySelector("[data-testid=hearing-aids]")?.textContent === "1"
        );
      },
      DEADLINE_MS - (Date.now() - clicked),
    );
  }
  t.diagnostic(`both other pages updated ${Date.now() - clicked} ms after the click`);
  await expectPage(
    pages.tijuana,
    "tijuana's own page says she is not attending",
    () =>
      document.querySelector("[data-testid=your-attendance]")?.textContent ===
      "You are not attending this meeting.",
  );
});

test("a participant closes the session; every page shows it", async (t) => {
  await pages.thomasina.click("[data-testid=toggle-session]");
  const clicked = Date.now();
  for (const uid of PARTICIPANTS) {
    await expectPage(
      pages[uid],
      `${uid}'s page shows the session closed`,
      () => document.querySelector("[data-testid=status]")?.textContent === "Not in session",
      DEADLINE_MS - (Date.now() - clicked),
    );
  }
  t.diagnostic(`all three pages showed it ${Date.now() - clicked} ms after the click`);
  await pages.thomasina.screenshot({
    path: join(ARTIFACTS, "closed-thomasina.png"),
    fullPage: true,
  });
});

test("the API refuses a non-participant's change, also sent from the page's origin", async () => {
  const token = unsignedToken(OUTSIDER, "demo-boiler");
  const status = await pages[OUTSIDER].evaluate(async (bearer) => {
    const response = await fetch("/api/meeting_sessions/meeting_1/attendance", {
      method: "PATCH",
      headers: { Authorization: `Bearer ${bearer}`, "Content-Type": "application/json" },
      body: JSON.stringify({ attendance: true }),
    });
    return response.status;
  }, token);
  assert.equal(status, 403);
  assert.equal(await text(pages.joshua, "status"), "Not in session", "nothing changed");
});

test("everyone back: the session reopens and Tijuana rejoins on every page", async () => {
  await pages.joshua.click("[data-testid=toggle-session]");
  await expectPage(
    pages.joshua,
    "joshua sees the session reopened",
    () => document.querySelector("[data-testid=status]")?.textContent === "In session",
  );
  await pages.tijuana.click("[data-testid=toggle-attendance]");
  for (const uid of PARTICIPANTS) {
    await expectPage(
      pages[uid],
      `${uid}'s page shows 3 attending again`,
      () =>
        document.querySelector("[data-testid=attending-count]")?.textContent === "3" &&
        document.querySelector("[data-testid=status]")?.textContent === "In session",
    );
  }
  await expectPage(
    pages.thomasina,
    "thomasina's notice from closing the session is gone",
    () => !document.querySelector("[data-testid=notice]"),
  );
  await pages.thomasina.screenshot({
    path: join(ARTIFACTS, "live-page-thomasina.png"),
    fullPage: true,
  });
  const picker = await context.newPage();
  await picker.goto(dev.url);
  await picker.waitForSelector("[data-testid=picker]");
  await picker.screenshot({ path: join(ARTIFACTS, "picker.png"), fullPage: true });
  assert.deepEqual(pageErrors, [], "no page threw");
});

test("stopping leaves no browser, emulator or dispatcher process behind", async () => {
  const { groups, exitCode } = await stopAll();
  assert.equal(exitCode, 0, `boiler dev exited with ${exitCode}:\n${dev.output.join("")}`);
  // a process that was just killed may take a moment to be reaped: poll, briefly
  assert.deepEqual(
    await leftOver((stat) => groups.includes(pgid(stat))),
    [],
    "emulator/dispatcher groups",
  );
  assert.deepEqual(await leftOver((stat, cmdline) => cmdline.includes(profileDir)), [], "chromium");
  assert.equal(alive(dev.child.pid), false, "boiler dev");
});

// -- helpers ------------------------------------------------------------------------------------

async function startDev() {
  const child = spawn(BOILER, ["dev", "--seed", "seed.yaml", "--free-ports"], {
    cwd: REPO,
    env: { ...process.env, PYTHONUNBUFFERED: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output = [];
  const state = { child, output, url: null, groups: [], exited: null };
  state.exited = new Promise((resolve) =>
    child.on("exit", (code, signal) => resolve(code ?? signal)),
  );
  return await new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => fail(`boiler dev did not print the page URL within ${START_MS} ms`),
      START_MS,
    );
    const fail = (why) => {
      clearTimeout(timer);
      child.kill("SIGTERM");
      reject(new Error(`${why}. Its output:\n${output.join("")}`));
    };
    const read = (chunk) => {
      output.push(chunk.toString());
      const all = output.join("");
      const groups = all.match(/emulator pid (\d+), dispatcher pid (\d+)/);
      if (groups) state.groups = [Number(groups[1]), Number(groups[2])];
      const page = all.match(/live page\s+(http:\/\/127\.0\.0\.1:\d+\/)/);
      if (all.includes("live page") && !page)
        fail("boiler dev serves no page (is web/dist built?)");
      if (page && groups) {
        clearTimeout(timer);
        state.url = page[1];
        resolve(state);
      }
    };
    child.stdout.on("data", read);
    child.stderr.on("data", read);
    state.exited.then((code) => fail(`boiler dev exited (${code}) before it was ready`));
  });
}

let stopped = null;
function stopAll() {
  stopped ??= (async () => {
    await context?.close().catch(() => undefined);
    let exitCode = null;
    if (dev) {
      if (alive(dev.child.pid)) dev.child.kill("SIGTERM"); // boiler dev stops its children itself
      exitCode = await Promise.race([dev.exited, delay(30_000).then(() => "timeout")]);
    }
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });
    return { groups: dev?.groups ?? [], exitCode };
  })();
  return stopped;
}

async function expectPage(page, what, predicate, timeout = DEADLINE_MS) {
  try {
    await page.waitForFunction(predicate, null, { timeout: Math.max(timeout, 1), polling: 50 });
  } catch (error) {
    const shown = await page
      .locator("main")
      .innerText()
      .catch(() => "(page unreadable)");
    throw new Error(
      `${what}: not within ${timeout} ms. The page shows:\n${shown}\n${error.message}`,
    );
  }
}

async function text(page, testid) {
  return (await page.locator(`[data-testid=${testid}]`).first().textContent())?.trim();
}

async function leftOver(predicate, timeout = 5_000) {
  const deadline = Date.now() + timeout;
  let found = processesMatching(predicate);
  while (found.length && Date.now() < deadline) {
    await delay(100);
    found = processesMatching(predicate);
  }
  return found;
}

/** Live processes (zombies excluded: they are dead, only not yet reaped) matching predicate. */
function processesMatching(predicate) {
  const found = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const cmdline = readFileSync(`/proc/${name}/cmdline`, "utf8").replaceAll("\0", " ");
      if (state(stat) !== "Z" && predicate(stat, cmdline))
        found.push(`${name} ${cmdline.slice(0, 120)}`);
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

function unsignedToken(uid, project) {
  // what the SDK's createMockUserToken({ sub: uid }, project) makes: an emulator ID token
  const segment = (data) => Buffer.from(JSON.stringify(data)).toString("base64url");
  const claims = {
    iss: `https://securetoken.google.com/${project}`,
    aud: project,
    sub: uid,
    user_id: uid,
    iat: 0,
    exp: 3600,
  };
  return `${segment({ alg: "none", type: "JWT" })}.${segment(claims)}.`;
}

// /proc/PID/stat fields after the ")" closing the command name: state ppid pgrp ...
function state(stat) {
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0];
}

function pgid(stat) {
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
