// Shared by the browser checks: starts zwfw (ZWFW_BIN, default
// ../target/debug/zwfw) with `serve --demo` on a free port and a fresh data
// directory, unless ZWFW_E2E_URL names a running server, and launches
// Debian's headless Chromium (never a downloaded browser).
//
// Every page the checks visit is checked: each HTML document, once loaded, is
// copied into a page of its own (without its scripts, with the server's stylesheets) where it
// must not be wider than its viewport nor than a 390 px phone (`scrollWidth`),
// and where axe-core must find no serious or critical accessibility violation.
// `stop()` fails with every problem found.
import { spawn } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import { createRequire } from 'node:module';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';

const axeSource = createRequire(import.meta.url)('axe-core').source;

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

/** The width of the phone every visited page must fit. */
const PHONE = 390;

/** The document's width against its viewport's, and the first elements that stick out. */
const overflowOf = page => page.evaluate(() => {
  const el = document.documentElement;
  const wide = [...document.body.querySelectorAll('*')]
    .filter(e => e.getBoundingClientRect().right > el.clientWidth + 1)
    .slice(-3)
    .map(e => e.tagName.toLowerCase() + (typeof e.className === 'string' && e.className.trim() ? '.' + e.className.trim().split(/\s+/).join('.') : ''));
  return { scroll: el.scrollWidth, width: el.clientWidth, wide };
});

/** Checks every HTML document that a page of `browser` loads; returns a function that waits for
 * the checks still running. Problems are pushed to `problems`. */
function watch(browser, origin, problems) {
  const newContext = browser.newContext.bind(browser);
  const seen = new Set();
  let checker = null;
  let queue = Promise.resolve();

  async function check({ html, where, width }) {
    if (!checker) checker = await (await newContext()).newPage();
    await checker.setViewportSize({ width, height: 900 });
    const page = html.replace(/<script\b[^>]*>[\s\S]*?<\/script>/gi, '').replace(/<head>/i, `<head><base href="${origin}/">`);
    await checker.setContent('<!doctype html>' + page, { waitUntil: 'load' });
    for (const w of width === PHONE ? [width] : [width, PHONE]) {
      if (w !== width) await checker.setViewportSize({ width: w, height: 900 });
      const o = await overflowOf(checker);
      if (o.scroll > o.width) problems.push(`${where}: ${o.scroll}px wide in a ${o.width}px viewport (${o.wide.join(', ')})`);
    }
    await checker.setViewportSize({ width, height: 900 });
    await checker.evaluate(axeSource);
    const found = await checker.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }).then(r =>
      r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
        .map(v => `${v.impact} ${v.id} (${v.help}): ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')}`)));
    for (const v of found) problems.push(`${where}: ${v}`);
  }

  const reading = new Set();
  function loaded(page) {
    const p = read(page).finally(() => reading.delete(p));
    reading.add(p);
  }

  async function read(page) {
    let snap;
    try {
      snap = await page.evaluate(() => document.contentType === 'text/html' && document.body
        ? { html: document.documentElement.outerHTML, where: location.pathname + location.search } : null);
    } catch {
      return; // left or closed before it could be read
    }
    if (!snap) return;
    snap.width = page.viewportSize()?.width ?? 1280;
    const key = createHash('sha256').update(`${snap.width} ${snap.html}`).digest('hex');
    if (seen.has(key)) return;
    seen.add(key);
    queue = queue.then(() => check(snap)).catch(e => problems.push(`${snap.where}: check failed: ${e.message}`));
  }

  browser.newContext = async (...args) => {
    const ctx = await newContext(...args);
    ctx.on('page', page => {
      page.on('load', () => loaded(page));
      const close = page.close.bind(page);
      page.close = async (...a) => { await Promise.all(reading); return close(...a); };
    });
    const close = ctx.close.bind(ctx);
    ctx.close = async (...a) => { await Promise.all(reading); return close(...a); };
    return ctx;
  };
  // A page of its own context, closed with it.
  browser.newPage = async (options = {}) => {
    const ctx = await browser.newContext(options);
    const page = await ctx.newPage();
    const close = page.close.bind(page);
    page.close = async (...a) => { await close(...a); await ctx.close(); };
    return page;
  };
  return async () => {
    for (let q = null; q !== queue || reading.size;) {
      await Promise.all(reading);
      q = queue;
      await q;
    }
  };
}

/** Starts the server and the browser; `stop()` ends both and removes the data.
 * `env` adds to the server's environment (for example ZWFW_NOW). */
export async function start({ env: extra = {} } = {}) {
  let server, dataDir, base;
  if (process.env.ZWFW_E2E_URL) {
    base = process.env.ZWFW_E2E_URL;
  } else {
    const port = await freePort();
    dataDir = mkdtempSync(join(tmpdir(), 'zwfw-e2e-'));
    const bin = process.env.ZWFW_BIN || join(here, '..', 'target', 'debug', 'zwfw');
    const env = { ...process.env, ZWFW_DATA_DIR: dataDir, ZWFW_LOG: 'warn', ...extra };
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
  const problems = [];
  const checked = watch(browser, base, problems);
  const stop = async () => {
    await checked();
    await browser.close();
    if (server) {
      // The server's files are removed once it has exited: a job still
      // writing (a backup drill's scratch copy) would race the removal.
      const exited = new Promise(resolve => (server.exitCode !== null || server.signalCode !== null)
        ? resolve() : server.once('exit', resolve));
      server.kill('SIGTERM');
      await Promise.race([exited, new Promise(resolve => setTimeout(resolve, 10000))]);
      if (server.exitCode === null && server.signalCode === null) {
        server.kill('SIGKILL');
        await exited;
      }
    }
    if (dataDir) rmSync(dataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
    if (problems.length) {
      throw new Error(`pages that overflow or fail axe-core (serious/critical):\n  ${[...new Set(problems)].join('\n  ')}`);
    }
  };
  return { base, browser, stop };
}

/** The demo accounts whose first password was changed, per server: later
 * sign-ins use the new one. */
const changed = new Set();
const DEMO_PASSWORD = 'Demo@12345';
const NEW_PASSWORD = 'Officer#2026x';

/** A signed-in page of its own (its own cookies); a first sign-in changes the demo password. */
export async function signIn(browser, base, user, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
  context.setDefaultTimeout(90000); // a loaded CI machine hashes passwords slowly
  const page = await context.newPage();
  await page.goto(base + '/login');
  await page.getByLabel('用户名').fill(user);
  await page.getByLabel('密码', { exact: true }).fill(changed.has(`${base}|${user}`) ? NEW_PASSWORD : DEMO_PASSWORD);
  await Promise.all([
    page.waitForURL(u => new URL(u).pathname !== '/login'),
    page.getByRole('button', { name: '登录' }).click(),
  ]);
  if (new URL(page.url()).pathname === '/account/password') {
    await page.getByLabel('原密码').fill(DEMO_PASSWORD);
    await page.getByLabel('新密码', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('确认新密码').fill(NEW_PASSWORD);
    // Home, or for administrators and supervisors the enrolment of their authenticator.
    await Promise.all([
      page.waitForURL(u => new URL(u).pathname !== '/account/password'),
      page.getByRole('button', { name: '保存新密码' }).click(),
    ]);
    changed.add(`${base}|${user}`);
  }
  return page;
}

/** Signs in an account that must enrol a second factor on first sign-in
 * (administrators, supervision officers). */
export async function signInWithTotp(browser, base, user, viewport) {
  const page = await signIn(browser, base, user, viewport ? { viewport } : {});
  if (new URL(page.url()).pathname.startsWith('/account/totp')) {
    const secret = (await page.locator('#totp-secret').innerText()).trim();
    await page.getByLabel('6位动态口令').fill(totp(secret, await serverNow(base)));
    await Promise.all([
      page.waitForURL(u => !new URL(u).pathname.startsWith('/account/totp')),
      page.getByRole('button', { name: '确认绑定' }).click(),
    ]);
  }
  return page;
}

/** The server's time (its clock may be set or moved in demo mode), read from its banner. */
export async function serverNow(base) {
  const html = await (await fetch(base + '/login')).text();
  const m = html.match(/当前系统时间 (\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)/);
  return m ? Date.parse(`${m[1]}T${m[2]}+08:00`) : Date.now();
}

/** The six-digit TOTP code (RFC 6238, SHA-1, 30 s) of a base32 secret at `ms`. */
export function totp(secret, ms) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of secret.replace(/[=\s]/g, '').toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map(b => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(ms / 30000)));
  const h = createHmac('sha1', key).update(counter).digest();
  const o = h[h.length - 1] & 0xf;
  return String((h.readUInt32BE(o) & 0x7fffffff) % 1000000).padStart(6, '0');
}

/** An API session of a demo account made ready: password changed and, for the
 * accounts that must have one (`totp`), the second factor enrolled. */
export async function apiSession(base, user, { totp: withTotp = false } = {}) {
  const call = async (method, path, token, body) => {
    const r = await fetch(base + path, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : null };
  };
  const password = changed.has(`${base}|${user}`) ? NEW_PASSWORD : DEMO_PASSWORD;
  let r = await call('POST', '/api/v1/auth/login', null, { username: user, password });
  if (r.status !== 200) throw new Error(`${user}: ${JSON.stringify(r.body)}`);
  const token = r.body.token;
  if (r.body.next_step === 'change_password') {
    r = await call('POST', '/api/v1/me/password', token, { old_password: DEMO_PASSWORD, new_password: NEW_PASSWORD });
    if (r.status !== 204) throw new Error(`${user}: ${JSON.stringify(r.body)}`);
    changed.add(`${base}|${user}`);
  }
  if (withTotp) {
    r = await call('POST', '/api/v1/me/totp/begin', token, {});
    if (r.status !== 200) throw new Error(`${user} TOTP: ${JSON.stringify(r.body)}`);
    const code = totp(r.body.secret, await serverNow(base));
    r = await call('POST', '/api/v1/me/totp/confirm', token, { code });
    if (r.status !== 204) throw new Error(`${user} TOTP: ${JSON.stringify(r.body)}`);
  }
  return {
    get: path => call('GET', path, token),
    post: (path, body) => call('POST', path, token, body),
    token,
  };
}

const pdf = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

/** The online application for 食品经营许可 through the API (by the citizen
 * unless `user` names another demo applicant); the case id. */
export async function applyOnline(base, user = 'demo_citizen') {
  const login = await fetch(base + '/api/v1/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: user, password: changed.has(`${base}|${user}`) ? NEW_PASSWORD : DEMO_PASSWORD }),
  });
  const { token } = await login.json();
  const auth = { authorization: `Bearer ${token}` };
  const items = await (await fetch(base + '/api/v1/guide/items')).json();
  const item = items.find(i => i.name === '食品经营许可');
  assert.ok(item, 'the demo item is published');
  const materials = [];
  for (let n = 1; n <= 4; n++) {
    const fd = new FormData();
    fd.append('file', new Blob([pdf], { type: 'application/pdf' }), `材料${n}.pdf`);
    const up = await (await fetch(base + '/api/v1/uploads', { method: 'POST', headers: auth, body: fd })).json();
    materials.push({ material_no: n, upload_id: up.id });
  }
  const r = await fetch(`${base}/api/v1/items/${item.item_id}/applications`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({
      materials,
      form: { 经营场所: '示例市市民大道 1 号', 主体业态: '餐饮服务经营者', 经营项目: '热食类食品制售' },
    }),
  });
  const b = await r.json();
  assert.equal(r.status, 201, JSON.stringify(b));
  return b.case_id;
}

/** Opens `path` in `page` at 1,366 and 390 px: no horizontal overflow, a
 * screenshot each (`shot`-WIDTH.png); `check` runs at each width. */
export async function walkWidths(base, page, path, shot, check = async () => {}) {
  for (const width of [1366, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await page.goto(base + path);
    const [scroll, inner] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    assert.ok(scroll <= inner, `${path}: ${scroll} px wide in ${inner}`);
    await check(page, width);
    await page.screenshot({ path: join(shots, `${shot}-${width}.png`), fullPage: true });
  }
}

/** A grant of 食品经营许可 to demo_company through the API, numbered
 * `documentNo`: the case and its licence's identifier. */
export async function grantToCompany(base, documentNo) {
  const caseId = await applyOnline(base, 'demo_company');
  const [counter, reviewer, head, legal] = await Promise.all(
    ['demo_counter', 'demo_reviewer', 'demo_head', 'demo_legal'].map(u => apiSession(base, u)));
  for (const action of [{ action: 'accept' }, { action: 'pass', opinion: '材料齐全，予以受理' }]) {
    const r = await counter.post(`/api/v1/cases/${caseId}/actions`, action);
    assert.equal(r.status, 200, JSON.stringify(r.body));
  }
  const conclude = { action: 'conclude', outcome: 'granted', document_no: documentNo, valid_until: '2031-12-31' };
  let done = false;
  for (let step = 0; step < 6 && !done; step++) {
    done = (await head.post(`/api/v1/cases/${caseId}/actions`, conclude)).status === 200;
    for (const who of done ? [] : [reviewer, legal, head]) {
      if ((await who.post(`/api/v1/cases/${caseId}/actions`, { action: 'pass', opinion: '同意' })).status === 200) break;
    }
  }
  assert.ok(done, 'granted');
  const company = await apiSession(base, 'demo_company');
  const cl = await company.get(`/api/v1/cases/${caseId}/license`);
  assert.equal(cl.body.job?.state, 'issued', JSON.stringify(cl.body));
  return { caseId, identifier: cl.body.licenses[0].identifier, counter };
}
