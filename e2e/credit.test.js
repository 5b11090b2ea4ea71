// Browser check of 双公示 (行政许可 credit publication): a company's
// 食品经营许可 is granted through the API, which writes its publication
// record. On 双公示管理 (/credit/licensing/manage) the counter sees it pending
// without a form, the market bureau's head publishes it with its 许可类别, at
// 1,366 and 390 px without horizontal overflow. The public list
// (/credit/licensing, no sign-in) then shows it; its filters work with the
// department left at 全部 (an empty value), a name that matches nothing
// gives the empty list, and the Excel export link answers the workbook.
// Every page loaded is also checked by the harness (overflow at 390 px,
// axe-core serious/critical).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { start, shots as defaultShots, signIn, grantToCompany, walkWidths } from './harness.js';

const shots = process.env.ZWFW_SHOTS || defaultShots;
mkdirSync(shots, { recursive: true });
const DESK = { viewport: { width: 1366, height: 900 } };
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true };

let base, browser, stop;

before(async () => {
  ({ base, browser, stop } = await start());
});

after(async () => {
  if (stop) await stop();
});

const fits = (page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

test('a grant is published by the head and read, filtered and exported by the public', async () => {
  const documentNo = 'JY15299002026091';
  const { caseId } = await grantToCompany(base, documentNo);
  const row = (page) => page.locator('tr', { has: page.locator(`a[href="/cases/${caseId}"]`) });

  // The counter reads the pending record and is offered no form.
  const counter = await signIn(browser, base, 'demo_counter', PHONE);
  await counter.goto(base + '/credit/licensing/manage?state=pending');
  await row(counter).first().waitFor();
  assert.equal(await row(counter).getByRole('button', { name: '公示' }).count(), 0, 'the counter does not publish');
  assert.ok(await fits(counter), 'the staff list fits 390 px');
  await counter.screenshot({ path: join(shots, 'credit-manage-counter-390.png'), fullPage: true });
  await counter.close();

  // The head sees the list at both widths, then publishes with the category.
  const head = await signIn(browser, base, 'demo_head', DESK);
  await walkWidths(base, head, '/credit/licensing/manage?state=pending', 'credit-manage', async (page) => {
    await row(page).first().waitFor();
    assert.ok(await row(page).getByRole('button', { name: '公示' }).isVisible(), 'the head is offered the form');
  });
  await head.setViewportSize({ width: 1366, height: 900 });
  await head.goto(base + '/credit/licensing/manage?state=pending');
  await row(head).getByLabel('许可类别').selectOption({ label: '普通' });
  await Promise.all([head.waitForURL(/done=publish/), row(head).getByRole('button', { name: '公示' }).click()]);
  await head.goto(base + '/credit/licensing/manage?state=published');
  await row(head).getByText(/公示/).first().waitFor();
  assert.equal(await row(head).getByRole('button', { name: '公示' }).count(), 0, 'published once');
  await head.screenshot({ path: join(shots, 'credit-manage-published-1366.png'), fullPage: true });
  await head.close();

  // The public list: at both widths, the published decision among the rows.
  const ctx = await browser.newContext(DESK);
  const pub = await ctx.newPage();
  await walkWidths(base, pub, '/credit/licensing', 'credit-public', async (page) => {
    await page.getByRole('heading', { name: '行政许可信息公示' }).waitFor();
    await page.getByText(documentNo).first().waitFor();
  });
  await pub.setViewportSize({ width: 1366, height: 900 });
  await pub.goto(base + '/credit/licensing');
  // Filter by the document number, the department left at 全部 (sent empty).
  await pub.getByLabel('统一社会信用代码/文书号').fill(documentNo);
  assert.equal(await pub.getByLabel('许可机关').inputValue(), '', 'the department is 全部');
  await Promise.all([pub.waitForURL(/code=/), pub.getByRole('button', { name: '查询' }).click()]);
  assert.match(pub.url(), /department_id=(&|$)/, 'the empty 全部 is sent');
  assert.ok(await pub.getByText('共 1 条').isVisible(), await pub.content());
  await pub.getByText(documentNo).first().waitFor();
  // A department chosen, then a date range that holds the decision.
  const option = await pub.getByLabel('许可机关').locator('option', { hasText: '示例市市场监督管理局' }).getAttribute('value');
  await pub.getByLabel('许可机关').selectOption(option);
  await Promise.all([pub.waitForURL(new RegExp(`department_id=${option}`)), pub.getByRole('button', { name: '查询' }).click()]);
  await pub.getByText(documentNo).first().waitFor();
  // The export link carries the filters and answers a workbook.
  const href = await pub.getByRole('link', { name: '导出Excel' }).getAttribute('href');
  assert.match(href, /^\/credit\/licensing\/export\?/, href);
  assert.match(href, new RegExp(`department_id=${option}`), href);
  const x = await fetch(new URL(href, base));
  assert.equal(x.status, 200);
  assert.match(x.headers.get('content-type') || '', /spreadsheetml/);
  const bytes = Buffer.from(await x.arrayBuffer());
  assert.equal(bytes.subarray(0, 2).toString(), 'PK', 'an xlsx (zip) file');
  await pub.screenshot({ path: join(shots, 'credit-public-filtered-1366.png'), fullPage: true });
  // A name that matches nothing: the empty list, said so, still fitting a phone.
  await pub.setViewportSize({ width: 390, height: 844 });
  await pub.goto(base + '/credit/licensing?name=%E6%B2%A1%E6%9C%89%E8%BF%99%E4%B8%AA%E5%90%8D%E5%AD%97&department_id=');
  await pub.getByText('没有符合条件的公示信息').waitFor();
  assert.ok(await fits(pub), 'the empty list fits 390 px');
  await ctx.close();
});
