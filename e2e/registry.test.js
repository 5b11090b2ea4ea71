// Browser check of the 人口库/法人库 import page: the system administrator
// uploads an extract with bad cells (each listed with its row, column and
// reason; nothing stored), then a good one (the counts shown), at 1,366 px
// and on a 390 px phone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { start, shots, signInWithTotp } from './harness.js';

let base, browser, stop;

before(async () => {
  ({ base, browser, stop } = await start());
});

after(async () => {
  if (stop) await stop();
});

/** An identity number with its GB 11643 check character. */
function residentId(first17) {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...first17].reduce((s, c, i) => s + Number(c) * w[i], 0);
  return first17 + '10X98765432'[sum % 11];
}

async function fitsWidth(page) {
  return page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
}

async function upload(page, name, text) {
  await page.getByLabel('选择数据文件（xlsx、CSV 或 JSON）').setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(text) });
  await page.getByRole('button', { name: '导入' }).click();
  await page.waitForLoadState();
}

test('an extract is imported all or nothing, each bad cell listed, at 1366 and 390 px', async () => {
  const page = await signInWithTotp(browser, base, 'demo_admin', { width: 1366, height: 900 });
  await page.goto(base + '/admin/registry');
  await page.getByRole('heading', { name: '人口库/法人库', level: 1 }).waitFor();
  const before = await page.getByText(/^人口库：\d+ 条$/).innerText();

  const good = residentId('52990219910101001');
  await upload(page, 'persons.csv', `姓名,公民身份号码,住址\n王小明,${good},示例路1号\n,110105194912310021,\n`);
  const alert = page.getByRole('alert');
  assert.match(await alert.innerText(), /导入未执行：发现2处错误/);
  const table = page.getByRole('table', { name: '错误清单' });
  const rows = await table.locator('tbody tr').allInnerTexts();
  assert.equal(rows.length, 2, rows.join('\n'));
  assert.match(rows[0], /第3行[\s\S]*A 姓名[\s\S]*必须填写/);
  assert.match(rows[1], /第3行[\s\S]*B 公民身份号码[\s\S]*校验位/);
  assert.equal(await page.getByText(/^人口库：\d+ 条$/).innerText(), before, 'nothing stored');
  assert.ok(await fitsWidth(page), 'fits 1366 px');
  await page.screenshot({ path: join(shots, 'registry-import-1366.png'), fullPage: true });

  await page.setViewportSize({ width: 390, height: 844 });
  await upload(page, 'persons.csv', `姓名,公民身份号码,住址\n王小明,${good},示例路1号\n`);
  assert.match(await page.getByRole('status').first().innerText(), /自然人新增 1 条/);
  assert.ok(await page.getByText('王**').first().isVisible(), 'the name masked in the list');
  assert.ok(!(await page.content()).includes('王小明') && !(await page.content()).includes('示例路1号'), 'nor the name nor the address whole');
  assert.ok(!(await page.content()).includes(good), 'the full number is never shown');
  assert.ok(await fitsWidth(page), 'fits a 390 px phone');
  await page.screenshot({ path: join(shots, 'registry-import-390.png'), fullPage: true });
});
