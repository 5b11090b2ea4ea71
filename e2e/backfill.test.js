// Browser check of 补录: a fault of the whole platform is reported; the
// market counter enters a paper application received during it, then its
// acceptance, each at its real time and with its paper number; a time in the
// future is refused with the reason; the case's timeline flags both entries;
// supervision reads the list of entries on a phone. Pages at 1366 and 390 px.
// The server and browser come from harness.js.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { start, shots, signIn, signInWithTotp, apiSession, serverNow, walkWidths } from './harness.js';

let base, browser, stop;

before(async () => {
  ({ base, browser, stop } = await start());
});

after(async () => {
  if (stop) await stop();
});

/** `ms` as a form's date-time field in Beijing time (YYYY-MM-DDTHH:MM). */
const local = ms => new Date(ms + 8 * 3600000).toISOString().slice(0, 16);

test('a paper application and its acceptance entered later, flagged, listed for supervision', async () => {
  const now = await serverNow(base);
  const api = await apiSession(base, 'demo_counter');
  const r = await api.post('/api/v1/faults', { what: '平台无法访问，受理系统中断', since: local(now - 3 * 3600000), scope: 'platform' });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const fault = r.body.id;
  // The centre confirms the fault: only then does it open a paper period.
  const centre = await apiSession(base, 'demo_center', { totp: true });
  const ack = await centre.post(`/api/v1/faults/${fault}/acknowledge`, {});
  assert.equal(ack.status, 200, JSON.stringify(ack.body));

  const counter = await signIn(browser, base, 'demo_counter');
  await counter.goto(`${base}/backfill`);
  await Promise.all([counter.waitForURL(/\/backfill\/new/), counter.getByRole('link', { name: '补录纸质申请' }).click()]);
  await Promise.all([counter.waitForURL(/item=/), counter.getByRole('link', { name: '食品经营许可', exact: true }).first().click()]);
  const newPath = new URL(counter.url()).pathname + new URL(counter.url()).search;
  await walkWidths(base, counter, newPath, '60-backfill-new');
  await counter.setViewportSize({ width: 1366, height: 900 });

  const fill = async at => {
    await counter.getByLabel('所属故障').selectOption(String(fault));
    await counter.getByLabel('实际收件时间').fill(at);
    await counter.getByLabel(/纸质文书编号/).fill('市监收〔2026〕088号');
    await counter.getByLabel('姓名或单位名称').fill('赵六');
    await counter.getByLabel('身份证号或统一社会信用代码').fill('11010519491231002X');
    await counter.getByLabel('联系电话').fill('13812345678');
    for (const field of await counter.locator('form [name^="f"]').all()) {
      if (await field.evaluate(e => e.tagName) === 'SELECT') {
        await field.selectOption({ index: 1 });
      } else if (await field.getAttribute('type') === 'date') {
        await field.fill('2028-12-31');
      } else if (await field.getAttribute('inputmode') === 'decimal') {
        await field.fill('5');
      } else {
        await field.fill('示例市市民大道 1 号');
      }
    }
    for (const box of await counter.locator('input[type=checkbox][name^="m"]').all()) await box.check();
  };
  // A time in the future: the reason, the form kept.
  await fill(local(now + 2 * 3600000));
  await Promise.all([
    counter.waitForResponse(r => r.request().method() === 'POST'),
    counter.getByRole('button', { name: '登记补录' }).click(),
  ]);
  assert.match(await counter.locator('.banner.error').innerText(), /不能晚于现在/);
  await counter.screenshot({ path: join(shots, '61-backfill-refused.png'), fullPage: true });

  await fill(local(now - 2 * 3600000));
  await Promise.all([
    counter.waitForResponse(r => r.request().method() === 'POST'),
    counter.getByRole('button', { name: '登记补录' }).click(),
  ]);
  await counter.waitForLoadState('load');
  const refused = await counter.locator('.banner.error').count() ? await counter.locator('.banner.error').innerText() : '';
  assert.match(await counter.locator('h1').innerText(), /纸质申请已补录/, refused);
  await Promise.all([counter.waitForURL(/\/cases\/\d+$/), counter.getByRole('link', { name: '查看办件' }).click()]);
  const caseId = new URL(counter.url()).pathname.split('/').pop();

  // The acceptance on paper half an hour after receipt.
  await Promise.all([counter.waitForURL(/\/backfill$/), counter.getByRole('link', { name: '补录故障期间的纸质办理' }).click()]);
  await walkWidths(base, counter, `/cases/${caseId}/backfill`, '62-backfill-case');
  await counter.setViewportSize({ width: 1366, height: 900 });
  await counter.getByLabel('所属故障').selectOption(String(fault));
  await counter.getByLabel('实际办理时间').fill(local(now - 90 * 60000));
  await counter.getByLabel(/纸质文书编号/).fill('市监受〔2026〕088号');
  await counter.getByLabel('办理事项').selectOption('accept');
  await Promise.all([counter.waitForURL(/done=backfill/), counter.getByRole('button', { name: '登记补录' }).click()]);
  const timeline = await counter.locator('ol.timeline').innerText();
  assert.match(timeline, /纸质文书编号 市监收〔2026〕088号/);
  assert.match(timeline, /纸质文书编号 市监受〔2026〕088号/);
  assert.equal(await counter.locator('ol.timeline .tag.backfill').count(), 2);
  await walkWidths(base, counter, `/cases/${caseId}`, '63-backfill-timeline');

  // Supervision's list, on a phone and a desk.
  const sup = await signInWithTotp(browser, base, 'demo_supervisor', { width: 390, height: 844 });
  await walkWidths(base, sup, '/backfill', '64-backfill-list', async page => {
    const main = await page.locator('main').innerText();
    assert.match(main, /市监受〔2026〕088号/);
    assert.match(main, /李娜/);
  });
});
