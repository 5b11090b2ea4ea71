// Browser check of 审管交互: a company's 食品经营许可 is granted through the API;
// the demo item names the city's market bureau and the district's as its
// regulators, so one record goes to the market bureau itself. Its head finds
// it on 审管推送 at 390 px (one card per record, no horizontal overflow) and
// 1,366 px, opens it (opinions, materials, licence) and claims it with a
// note; the record then shows who claimed it and offers no claim form, and
// the head records a 行政处罚 on it (the page still fits 390 px). Staff of another
// department do not find it in their inbox and are told it is not there.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { start, shots as defaultShots, signIn, apiSession, grantToCompany } from './harness.js';

const shots = process.env.ZWFW_SHOTS || defaultShots;
mkdirSync(shots, { recursive: true });
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true };
const DESK = { viewport: { width: 1366, height: 900 } };

let base, browser, stop;

before(async () => {
  ({ base, browser, stop } = await start());
});

after(async () => {
  if (stop) await stop();
});

test('a grant reaches the regulator, who claims it; another department does not see it', async () => {
  const { caseId } = await grantToCompany(base, 'JY15299002026077');
  const head = await apiSession(base, 'demo_head');
  // Every record, newest first (the inbox lists the unclaimed by their last day to claim).
  const list = await head.get('/api/v1/handover?state=all');
  assert.equal(list.status, 200, JSON.stringify(list.body));
  const record = list.body.rows.find((r) => r.case_id === caseId);
  assert.ok(record, JSON.stringify(list.body));

  for (const [name, options] of [['390', PHONE], ['1366', DESK]]) {
    const page = await signIn(browser, base, 'demo_head', options);
    await page.goto(base + '/');
    await Promise.all([page.waitForURL(/\/handover$/), page.getByRole('link', { name: '审管推送' }).first().click()]);
    await page.getByRole('heading', { name: '审管推送' }).waitFor();
    await page.getByRole('link', { name: /食品经营许可/ }).first().waitFor();
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), `no horizontal overflow at ${name}`);
    if (name === '390') {
      // A card per record, headed by its item: the item's link is one block, not split around the label.
      const box = await page.getByRole('link', { name: /食品经营许可/ }).first().boundingBox();
      assert.ok(box && box.x + box.width <= 390, JSON.stringify(box));
    }
    await page.screenshot({ path: join(shots, `handover-inbox-${name}.png`), fullPage: true });
    await page.goto(`${base}/handover/${record.id}`);
    await page.getByRole('heading', { name: '办理意见' }).waitFor();
    assert.ok(await page.getByText('材料齐全，予以受理').first().isVisible());
    await page.screenshot({ path: join(shots, `handover-record-${name}.png`), fullPage: true });
    await page.close();
  }

  const page = await signIn(browser, base, 'demo_head', DESK);
  await page.goto(`${base}/handover/${record.id}`);
  await page.getByLabel(/认领说明/).fill('已接收，纳入日常监管');
  await Promise.all([page.waitForURL(/done=claim/), page.getByRole('button', { name: '认领' }).click()]);
  await page.getByText('已接收，纳入日常监管').waitFor();
  assert.equal(await page.getByRole('button', { name: '认领' }).count(), 0, 'claimed: no form');
  await page.screenshot({ path: join(shots, 'handover-claimed-1366.png'), fullPage: true });
  await page.getByLabel('处理类型').selectOption('penalty');
  await page.getByLabel(/决定书文号/).fill('示市监罚〔2026〕8号');
  await page.getByLabel(/事实与理由/).fill('未按规定公示食品经营许可证');
  await Promise.all([page.waitForURL(/done=sanction/), page.getByRole('button', { name: '登记' }).click()]);
  await page.getByText('示市监罚〔2026〕8号').first().waitFor();
  await page.screenshot({ path: join(shots, 'handover-sanction-1366.png'), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.reload();
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'the record with its forms fits 390 px');
  await page.close();

  // Another department's staff: the record is not in their inbox (which holds
  // their own department's pushes only), and it is "not there".
  const other = await signIn(browser, base, 'demo_land', PHONE);
  await other.goto(base + '/handover?state=all');
  await other.getByRole('heading', { name: '审管推送' }).waitFor();
  assert.equal(await other.locator(`a[href="/handover/${record.id}"]`).count(), 0, 'not listed to another department');
  const r = await other.goto(`${base}/handover/${record.id}`);
  assert.equal(r.status(), 404);
  await other.screenshot({ path: join(shots, 'handover-other-390.png'), fullPage: true });
  await other.close();
});
