// Browser walk of the issuing department's licence pages, the licence on the
// case page, the verification form and the licence type's edit page, each as
// the user it serves, at 1,366 px and on a 390 px phone: no page wider than
// its viewport, no serious axe-core violation (the harness checks every page).
// The counter reissues (confirmed by a tick), the head revokes with the
// decision number, another department's officer finds nothing, the holder
// sees the licence on the case, a visitor types an identifier.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, signIn, signInWithTotp, walkWidths, grantToCompany } from './harness.js';

let base, browser, stop;

before(async () => {
  ({ base, browser, stop } = await start());
});

after(async () => {
  if (stop) await stop();
});

/** Opens `path` at each width: no horizontal overflow, a screenshot each; `check` runs at each. */
const walk = (page, path, name, check) => walkWidths(base, page, path, `licenses-staff-${name}`, check);

test('the licence pages fit 1366 and 390 px for each user they serve', async () => {
  const { caseId, identifier } = await grantToCompany(base, 'JY15299002026077');

  // The counter: the list in the navigation, the licence's page, 换发 confirmed by a tick.
  const counter = await signIn(browser, base, 'demo_counter', { viewport: { width: 1366, height: 900 } });
  await counter.getByRole('link', { name: '电子证照', exact: true }).click();
  await counter.getByRole('heading', { name: '电子证照', level: 1 }).waitFor();
  await walk(counter, '/work/licenses', 'list', async (page, width) => {
    const link = page.locator(`a[href="/work/licenses/${identifier}"]`);
    await link.waitFor();
    const box = await page.locator('td[data-label="状态"]').first().boundingBox();
    assert.ok(box && box.x + box.width <= width, `the status is on screen at ${width} px`);
  });
  await walk(counter, `/work/licenses?status=valid&holder=${encodeURIComponent('明达')}`, 'list-filtered');
  await walk(counter, `/work/licenses/${identifier}`, 'detail-counter', async page => {
    await page.getByRole('heading', { name: '证照历史' }).waitFor();
    assert.equal(await page.locator('summary', { hasText: '吊销' }).count(), 0, '吊销 is not offered to the counter');
  });
  await counter.setViewportSize({ width: 390, height: 900 });
  await counter.locator('summary', { hasText: '换发' }).click();
  await counter.getByLabel('换发原因（必填）').fill('遗失补办');
  await counter.getByLabel('我已核对，确认换发此证照').check();
  await Promise.all([counter.waitForURL(/done=reissue/), counter.getByRole('button', { name: '换发', exact: true }).click()]);
  await counter.getByText('已换发：本页为新版本的证照。').first().waitFor();
  const second = decodeURIComponent(new URL(counter.url()).pathname.split('/').pop());
  assert.match(second, /\.002\./);

  // The head: 吊销 with the decision number.
  const head = await signIn(browser, base, 'demo_head', { viewport: { width: 390, height: 900 } });
  await walk(head, `/work/licenses/${second}`, 'detail-head');
  await head.locator('summary', { hasText: '吊销' }).click();
  await head.getByLabel('吊销决定书文号（必填）').fill('示市监罚〔2026〕7号');
  await head.getByLabel('我已核对吊销决定书，确认吊销此证照').check();
  await Promise.all([head.waitForURL(/done=revoke/), head.getByRole('button', { name: '吊销', exact: true }).click()]);
  await walk(head, `/work/licenses/${second}`, 'detail-revoked', async page => {
    await page.getByText('已吊销', { exact: true }).first().waitFor();
    await page.getByRole('cell', { name: '示市监罚〔2026〕7号' }).waitFor();
  });

  // Another department's officer: none listed, the page not found.
  const land = await signIn(browser, base, 'demo_land');
  await walk(land, '/work/licenses', 'list-other', async page => {
    assert.equal(await page.locator(`a[href="/work/licenses/${identifier}"]`).count(), 0);
  });
  await walk(land, `/work/licenses/${identifier}`, 'detail-other', async page => {
    assert.match(await page.locator('main').innerText(), /电子证照不存在/);
  });

  // The holder: the licence on the case, with its number, status and links.
  const company = await signIn(browser, base, 'demo_company');
  await walk(company, `/cases/${caseId}`, 'case', async page => {
    const section = page.locator('#case-license');
    await section.getByText('JY15299002026077').first().waitFor();
    assert.ok(await section.getByRole('link', { name: '下载证照（PDF）' }).first().isVisible());
    assert.ok(await section.getByRole('link', { name: '核验' }).first().isVisible());
  });

  // A visitor: the form, an identifier typed in, a mistyped one.
  const visitor = await browser.newPage({ viewport: { width: 390, height: 900 } });
  await walk(visitor, '/verify', 'verify-form');
  await visitor.getByLabel('电子证照标识').fill(second);
  await Promise.all([visitor.waitForURL(/\/verify\/1\.2\.156/), visitor.getByRole('button', { name: '核验' }).click()]);
  await visitor.getByText('已吊销', { exact: true }).first().waitFor();
  const mistyped = second.slice(0, -1) + (second.endsWith('A') ? 'B' : 'A');
  await walk(visitor, `/verify/${mistyped}`, 'verify-error', async page => {
    assert.match(await page.getByRole('alert').innerText(), /校验位/);
    assert.equal(await page.getByLabel('电子证照标识').inputValue(), mistyped);
  });
  await visitor.close();

  // The administrator: a licence type's edit page.
  const admin = await signInWithTotp(browser, base, 'demo_admin', { width: 1366, height: 900 });
  await admin.goto(base + '/admin/licenses');
  await admin.getByRole('link', { name: '食品经营许可证', exact: true }).first().click();
  await admin.getByRole('heading', { name: /修改证照类型/, level: 1 }).waitFor();
  const edit = new URL(admin.url()).pathname;
  await walk(admin, edit, 'type-edit', async page => {
    assert.ok(await page.getByLabel(/启用（停用后/).isChecked());
  });
  await admin.getByLabel('有效期限（年，不填为长期）').fill('6');
  await Promise.all([admin.waitForURL(/done=type_updated/), admin.getByRole('button', { name: '保存修改' }).click()]);
  await admin.getByText('证照类型已修改').first().waitFor();
});
