// Browser check of 上岗资格: the demo's unqualified officer sees on her
// workbench why she may not act as 窗口人员 and a refused page names it; the
// centre finds her among those to look at, a date in the future is refused
// with its reason (nothing stored), and her passed examination recorded on
// her page lets her act; at 1,366 and 390 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, signIn, signInWithTotp, walkWidths, serverNow } from './harness.js';

let base, browser, stop;

before(async () => {
  ({ base, browser, stop } = await start());
});

after(async () => {
  if (stop) await stop();
});

/** A day `days` from the server's today, YYYY-MM-DD (Asia/Shanghai). */
async function dayFrom(days) {
  const d = new Date((await serverNow(base)) + 8 * 3600 * 1000 + days * 86400 * 1000);
  return d.toISOString().slice(0, 10);
}

test('an unqualified officer is told why, and acts once the centre records her examination', async () => {
  const trainee = await signIn(browser, base, 'demo_trainee', { viewport: { width: 1366, height: 900 } });
  await walkWidths(base, trainee, '/', 'qualification-workbench', async page => {
    assert.match(await page.locator('#qualification-missing').innerText(), /您尚未取得窗口人员岗位的有效上岗资格/);
  });
  const refused = await trainee.goto(base + '/work/registry');
  assert.equal(refused.status(), 403);
  assert.match(await trainee.locator('#qualification-missing').innerText(), /窗口人员/);

  const centre = await signInWithTotp(browser, base, 'demo_center', { width: 1366, height: 900 });
  await walkWidths(base, centre, '/governance/qualifications?attention=true', 'qualifications', async page => {
    assert.match(await page.getByRole('table').last().innerText(), /何静[\s\S]*未取得上岗资格/);
  });
  await centre.setViewportSize({ width: 1366, height: 900 });
  await centre.goto(base + '/governance/qualifications?attention=true');
  await Promise.all([centre.waitForURL(/\/governance\/qualifications\/staff\/\d+/), centre.getByRole('link', { name: '何静' }).click()]);
  const path = new URL(centre.url()).pathname;

  // A date in the future: refused with its reason, the values kept, nothing stored.
  const fill = async (heldOn, validUntil) => {
    await centre.getByRole('combobox', { name: '岗位' }).selectOption('counter');
    await centre.getByLabel('考试', { exact: true }).check();
    await centre.getByLabel('日期（不晚于今天）').evaluate((el, v) => { el.removeAttribute('max'); el.value = v; }, heldOn);
    await centre.getByLabel('内容（500字以内）').fill('窗口受理业务规范及平台操作考试');
    await centre.getByLabel('合格', { exact: true }).check();
    await centre.getByLabel('成绩（选填，0至100分）').fill('90');
    await centre.getByLabel('有效期至（考试合格的必填）').fill(validUntil);
    await centre.getByRole('button', { name: '登记' }).click();
    await centre.waitForLoadState();
  };
  const rowsBefore = await centre.getByRole('table').locator('tbody tr').count();
  await fill(await dayFrom(1), await dayFrom(400));
  assert.match(await centre.getByRole('alert').innerText(), /不能晚于今天/);
  assert.equal(await centre.getByLabel('内容（500字以内）').inputValue(), '窗口受理业务规范及平台操作考试');
  assert.equal(await centre.getByRole('table').locator('tbody tr').count(), rowsBefore, 'nothing stored');

  await fill(await dayFrom(0), await dayFrom(400));
  assert.ok(await centre.getByText('已登记，本人已收到站内消息').isVisible());
  await walkWidths(base, centre, path, 'qualification-person', async page => {
    assert.match(await page.getByRole('heading', { name: '岗位', exact: true }).locator('xpath=..').innerText(), /窗口人员[\s\S]*有效/);
  });

  // She acts now: no banner, and the look-up page opens.
  await trainee.goto(base + '/');
  assert.equal(await trainee.locator('#qualification-missing').count(), 0);
  const opened = await trainee.goto(base + '/work/registry');
  assert.equal(opened.status(), 200);
});
