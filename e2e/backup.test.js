// Browser check of 数据备份: the server makes its first backup and restore
// drill at start; the system administrator reads them, makes a backup now,
// and reads the page on a wide screen and on a phone; a counter clerk is
// refused the page and not offered it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { start, shots, signIn, signInWithTotp } from './harness.js';

let base, browser, stop;

before(async () => {
  ({ base, browser, stop } = await start());
});

after(async () => {
  if (stop) await stop();
});

async function fitsWidth(page) {
  return page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
}

test('the administrator reads the backups and drills and backs up now', async () => {
  const page = await signInWithTotp(browser, base, 'demo_admin', { width: 1366, height: 900 });
  await page.getByRole('link', { name: '数据备份' }).first().click();
  assert.equal(new URL(page.url()).pathname, '/admin/backups');
  // The scheduled backup and drill of the start (the drill takes a few seconds).
  for (let i = 0; i < 60 && !(await page.locator('table').nth(1).getByText('通过').count()); i++) {
    await page.waitForTimeout(1000);
    await page.reload();
  }
  const backups = page.locator('table').first();
  assert.equal(await backups.locator('tbody tr').count(), 1);
  assert.match(await backups.innerText(), /定时/);
  assert.match(await backups.innerText(), /已演练，通过/);
  assert.match(await page.locator('table').nth(1).innerText(), /张表/);
  await page.getByRole('button', { name: '立即备份' }).click();
  await page.waitForURL(u => new URL(u).search === '?done=backup');
  assert.match(await page.locator('[role=status]').first().innerText(), /数据备份已完成/);
  assert.equal(await backups.locator('tbody tr').count(), 2);
  assert.match(await backups.locator('tbody tr').first().innerText(), /手动/);
  await page.screenshot({ path: join(shots, 'backups-1366.png'), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  assert.ok(await fitsWidth(page), 'the page fits a phone');
  await page.screenshot({ path: join(shots, 'backups-390.png'), fullPage: true });
});

test('a counter clerk is refused the backups', async () => {
  const page = await signIn(browser, base, 'demo_counter');
  assert.equal(await page.getByRole('link', { name: '数据备份' }).count(), 0);
  const r = await page.goto(base + '/admin/backups');
  assert.equal(r.status(), 403);
});
