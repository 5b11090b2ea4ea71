// Browser check of the portal for a visitor on a phone (390 px), without
// signing in: the home page → a theme → the guide's tabs → the blank form's
// download, with no page wider than the screen. Screenshots at 390 and
// 1,366 px go to test-results/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { start, shots } from './harness.js';

let base, browser, stop;

before(async () => {
  ({ base, browser, stop } = await start());
});

after(async () => {
  if (stop) await stop();
});

/** Fails when the page is wider than its viewport. */
async function fits(page, what) {
  const { scroll, inner } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    inner: window.innerWidth,
  }));
  assert.ok(scroll <= inner, `${what}: ${scroll}px wide in a ${inner}px viewport`);
}

test('visitor: home → theme → guide tabs → form download, on a phone', async () => {
  const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, acceptDownloads: true });
  ctx.setDefaultTimeout(60000);
  const page = await ctx.newPage();
  await page.goto(base + '/');
  assert.match(await page.title(), /^首页 - /);
  assert.equal(await page.locator('h1').count(), 1);
  for (const h of ['热门事项', '按人生事件', '按主题', '按部门', '按层级', '通知公告', '政策文件', '政民互动', '好差评']) {
    assert.ok(await page.getByRole('heading', { name: h, exact: true }).isVisible(), h);
  }
  await fits(page, 'home');
  await page.screenshot({ path: join(shots, '60-portal-phone.png'), fullPage: true });

  // A policy document and its PDF.
  await page.locator('section', { has: page.getByRole('heading', { name: '政策文件', exact: true }) })
    .getByRole('link').first().click();
  await page.waitForURL(/\/notices\/\d+$/);
  await fits(page, 'notice');
  const pdfLink = page.locator('ul.files a').first();
  const pdf = await (await fetch(base + await pdfLink.getAttribute('href'))).arrayBuffer();
  assert.equal(Buffer.from(pdf).subarray(0, 5).toString(), '%PDF-');
  await page.screenshot({ path: join(shots, '61-notice-phone.png'), fullPage: true });
  await page.goBack();

  // Browse by the life event 生育.
  await page.locator('section', { has: page.getByRole('heading', { name: '按人生事件', exact: true }) })
    .getByRole('link', { name: '生育', exact: true }).click();
  await page.waitForURL(/life_event=birth/);
  await fits(page, 'guide list');
  await page.getByRole('link', { name: '出生医学证明首次签发' }).click();
  await page.waitForURL(/\/guide\/\d+$/);
  await fits(page, 'guide');
  // Tabs without script: the first panel shows, a tab shows its own panel.
  assert.ok(await page.locator('#basic').isVisible());
  assert.ok(!(await page.locator('#materials').isVisible()));
  await page.locator('nav.guide-tabs').getByRole('link', { name: '申请材料' }).click();
  await page.waitForURL(/#materials$/);
  assert.ok(await page.locator('#materials').isVisible());
  assert.ok(!(await page.locator('#basic').isVisible()));
  await fits(page, 'guide materials');
  await page.screenshot({ path: join(shots, '62-guide-materials-phone.png'), fullPage: true });

  // The blank form downloads as a PDF, the sample as a Word document.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.locator('#materials').getByRole('link', { name: '空白表格' }).first().click(),
  ]);
  const file = await download.path();
  const { readFileSync } = await import('node:fs');
  const bytes = readFileSync(file);
  assert.equal(bytes.subarray(0, 5).toString(), '%PDF-');
  assert.ok(bytes.length > 1000 && bytes.length < 200000, `${bytes.length} bytes`);
  const sample = await page.locator('#materials').getByRole('link', { name: '样表' }).first().getAttribute('href');
  const r = await fetch(base + sample);
  assert.equal(r.headers.get('content-type'), 'application/vnd.openxmlformats-officedocument.wordprocessingml.document');
  assert.ok((await r.arrayBuffer()).byteLength > 500);
  const form = await fetch(base + await page.locator('#materials').getByRole('link', { name: '空白表格' }).first().getAttribute('href'));
  assert.equal(form.headers.get('content-type'), 'application/pdf');

  // The print view shows every part.
  await page.getByRole('link', { name: '打印办事指南' }).click();
  await page.waitForURL(/print=1/);
  for (const id of ['basic', 'conditions', 'materials', 'process', 'fees', 'faq', 'contact']) {
    assert.ok(await page.locator('#' + id).isVisible(), id);
  }
  await ctx.close();
});

test('the same pages at 1,366 px', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  const page = await ctx.newPage();
  await page.goto(base + '/');
  await fits(page, 'home');
  await page.screenshot({ path: join(shots, '63-portal-desktop.png'), fullPage: true });
  await page.goto(base + '/guide?level=&department=&life_event=');
  assert.match(await page.locator('main').innerText(), /共 \d+ 个事项/);
  await page.getByRole('link', { name: '食品经营许可', exact: true }).click();
  await page.waitForURL(/\/guide\/\d+$/);
  await fits(page, 'guide');
  await page.screenshot({ path: join(shots, '64-guide-desktop.png'), fullPage: true });
  await page.goto(base + '/notices');
  await fits(page, 'notices');
  await page.screenshot({ path: join(shots, '65-notices-desktop.png'), fullPage: true });
  await ctx.close();
});
