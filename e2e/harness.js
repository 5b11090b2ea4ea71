// Shared by the browser checks: starts zwfw (ZWFW_BIN, default
// ../target/debug/zwfw) with `serve --demo` on a free port and a fresh data
// directory, unless ZWFW_E2E_URL names a running server, and launches
// Debian's headless Chromium (never a downloaded browser).
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const shots = join(here, 'test-results');
mkdirSync(shots, { recursive: true });

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
    s.on('error', reject);
  });
}

async function waitReady(url, ms) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    try { const r = await fetch(url + '/readyz'); if (r.ok) return; } catch { /* not yet */ }
    await new Promise(r => setTimeout(r, 200));
  }
  throw new Error('server did not become ready at ' + url);
}

/** Starts the server and the browser; `stop()` ends both and removes the data. */
export async function start() {
  let server, dataDir, base;
  if (process.env.ZWFW_E2E_URL) {
    base = process.env.ZWFW_E2E_URL;
  } else {
    const port = await freePort();
    dataDir = mkdtempSync(join(tmpdir(), 'zwfw-e2e-'));
    const bin = process.env.ZWFW_BIN || join(here, '..', 'target', 'debug', 'zwfw');
    const env = { ...process.env, ZWFW_DATA_DIR: dataDir, ZWFW_LOG: 'warn' };
    delete env.ZWFW_DATABASE_URL;
    server = spawn(bin, ['serve', '--demo', '--listen', `127.0.0.1:${port}`], {
      env,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    base = `http://127.0.0.1:${port}`;
    server.on('exit', code => { if (code) console.error('zwfw exited with', code); });
    server.on('error', err => { throw new Error(`cannot start ${bin}: ${err.message}`); });
  }
  await waitReady(base, 90000);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const stop = async () => {
    await browser.close();
    if (server) server.kill('SIGTERM');
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  };
  return { base, browser, stop };
}

/** A signed-in page of its own (its own cookies); a first sign-in changes the demo password. */
export async function signIn(browser, base, user, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
  context.setDefaultTimeout(90000); // a loaded CI machine hashes passwords slowly
  const page = await context.newPage();
  await page.goto(base + '/login');
  await page.getByLabel('用户名').fill(user);
  await page.getByLabel('密码', { exact: true }).fill('Demo@12345');
  await Promise.all([
    page.waitForURL(u => new URL(u).pathname !== '/login'),
    page.getByRole('button', { name: '登录' }).click(),
  ]);
  if (new URL(page.url()).pathname === '/account/password') {
    await page.getByLabel('原密码').fill('Demo@12345');
    await page.getByLabel('新密码', { exact: true }).fill('Officer#2026x');
    await page.getByLabel('确认新密码').fill('Officer#2026x');
    await page.getByRole('button', { name: '保存新密码' }).click();
    await page.waitForURL(u => new URL(u).pathname === '/');
  }
  return page;
}
