// Browser check of 用证 and 告知承诺: the demo company, which holds the demo's
// 营业执照, applies for 食品经营许可 on a phone, choosing its licence for the
// material 营业执照复印件 (no upload) and signing the commitment for the
// food-safety system; the market regulator's counter sees the first as A
// with its verification and the second as D, and marks the commitment
// unfulfilled; the company finds the use in the licence's 用证记录. The
// citizen's 人口库 record is offered only for the material the item names it
// for, on the apply form and on the supplement form alike; a commitment
// ticked beside a file is refused with the material named.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { start, shots, signIn } from './harness.js';

let base, browser, stop;

before(async () => {
  ({ base, browser, stop } = await start());
});

after(async () => {
  if (stop) await stop();
});

const pdf = label => ({
  name: `${label}.pdf`,
  mimeType: 'application/pdf',
  buffer: Buffer.from(`%PDF-1.4\n% ${label}\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n`),
});

test('a company applies with its licence and a commitment; the counter sees A and D', async () => {
  const items = await (await fetch(base + '/api/v1/guide/items')).json();
  const item = items.find(i => i.name === '食品经营许可');
  assert.ok(item, 'the demo item is published');

  const company = await signIn(browser, base, 'demo_company', { viewport: { width: 390, height: 844 }, isMobile: true });
  await company.goto(`${base}/apply/${item.item_id}`);
  await company.getByLabel('经营场所 *').fill('示例市市民大道 1 号');
  await company.getByLabel('主体业态 *').selectOption('餐饮服务经营者');
  await company.getByLabel('经营项目 *').fill('热食类食品制售');
  await company.setInputFiles('#m1', pdf('申请书'));
  await company.setInputFiles('#m3', pdf('设备布局'));
  // 营业执照复印件: the company's own electronic 营业执照, offered by the form.
  const licence = company.locator('#lic2 option').nth(1);
  assert.match(await licence.innerText(), /营业执照/);
  const identifier = await licence.getAttribute('value');
  await company.locator('#lic2').selectOption(identifier);
  // 食品安全管理制度: the commitment, its text shown, ticked explicitly.
  await company.locator('details.commitment summary').click();
  assert.match(await company.locator('details.commitment .hint').first().innerText(), /承诺/);
  await company.getByLabel('我已阅读上述承诺内容，同意签署告知承诺书代替提交本材料').check();
  await company.screenshot({ path: join(shots, 'use-apply-phone.png'), fullPage: true });
  await company.getByRole('button', { name: '提交申请' }).click();
  await company.waitForSelector('#case-no');
  await company.getByRole('link', { name: '查看办件' }).click();
  const caseId = company.url().match(/\/cases\/(\d+)/)[1];

  // The counter: 营业执照 as A, with its verification today; the commitment as D.
  const counter = await signIn(browser, base, 'demo_counter', { viewport: { width: 1366, height: 900 } });
  await counter.goto(`${base}/cases/${caseId}`);
  const rows = counter.locator('table.stack tbody tr');
  const licenceRow = rows.filter({ hasText: '营业执照复印件' });
  await licenceRow.getByText('A级').waitFor();
  assert.match(await licenceRow.innerText(), /电子证照核验：有效，签名有效/);
  const commitmentRow = rows.filter({ hasText: '食品安全管理制度' });
  assert.match(await commitmentRow.innerText(), /D级/);
  assert.match(await commitmentRow.innerText(), /告知承诺：示例市明达餐饮有限公司于.*勾选签署/);
  await counter.screenshot({ path: join(shots, 'use-counter-1366.png'), fullPage: true });
  // On a phone the trust cell is one column: the commitment's note under its level, not squeezed beside it.
  await counter.setViewportSize({ width: 390, height: 844 });
  const note = await commitmentRow.locator('.material-check').boundingBox();
  const cell = await commitmentRow.locator('td[data-label="可信等级"] > div').boundingBox();
  assert.ok(note && cell && Math.abs(note.x - cell.x) < 2 && note.width > 200, `note ${JSON.stringify(note)} in ${JSON.stringify(cell)}`);
  await counter.screenshot({ path: join(shots, 'use-counter-390.png'), fullPage: true });
  await counter.setViewportSize({ width: 1366, height: 900 });

  // The counter finds the commitment unfulfilled: recorded, and a finding opened.
  await commitmentRow.getByText('认定承诺未履行').click();
  await commitmentRow.getByLabel('核查情况（必填）').fill('现场核查未见食品安全管理制度');
  await Promise.all([
    counter.waitForURL(/done=commitment_unfulfilled/),
    commitmentRow.getByRole('button', { name: '认定未履行并转电子监察' }).click(),
  ]);
  assert.match(await counter.locator('table.stack tbody tr', { hasText: '食品安全管理制度' }).innerText(), /已认定未履行.*监察编号 SV/);

  // The company's licence shows the use in its 用证记录.
  await company.goto(`${base}/my/licenses/${identifier}`);
  await company.getByText('办事时作为申请材料使用').first().waitFor();
  await company.screenshot({ path: join(shots, 'use-log-phone.png'), fullPage: true });
});

test('the 人口库 record stands only where the item allows it, on the apply and the supplement form', async () => {
  const items = await (await fetch(base + '/api/v1/guide/items')).json();
  const item = items.find(i => i.name === '个体工商户登记');
  assert.ok(item, 'the demo item is published');

  // The citizen, whom the 人口库 holds, applies on a phone: the record is offered
  // for 经营者身份证明 only, not for the application form or the premises.
  const citizen = await signIn(browser, base, 'demo_citizen', { viewport: { width: 390, height: 844 }, isMobile: true });
  await citizen.goto(`${base}/apply/${item.item_id}`);
  assert.equal(await citizen.locator('input[name="reg1"]').count(), 0);
  assert.equal(await citizen.locator('input[name="reg3"]').count(), 0);
  await citizen.getByLabel('或使用人口库信息核验单（A级，无需上传）').check();
  await citizen.setInputFiles('#m1', pdf('登记申请书'));
  await citizen.setInputFiles('#m3', pdf('场地证明'));
  await citizen.screenshot({ path: join(shots, 'use-registry-apply-phone.png'), fullPage: true });
  await citizen.getByRole('button', { name: '提交申请' }).click();
  await citizen.waitForSelector('#case-no');
  await citizen.getByRole('link', { name: '查看办件' }).click();
  const caseUrl = citizen.url();
  const caseId = caseUrl.match(/\/cases\/(\d+)/)[1];

  // The market regulator's counter asks for the operator's identity again.
  const counter = await signIn(browser, base, 'demo_counter', { viewport: { width: 1366, height: 900 } });
  await counter.goto(`${base}/cases/${caseId}`);
  const ask = counter.locator('form.act:has(input[name="action"][value="supplement_request"])');
  await ask.locator('[name="missing"]').fill('经营者身份证明须为本人有效身份证明');
  await Promise.all([counter.waitForURL(/done=/), ask.locator('button[type=submit]').click()]);

  // The supplement form offers the same ways as the apply form, with the same rules.
  await citizen.goto(caseUrl);
  const supplement = citizen.locator('form[action$="/supplement"], form[action*="/supplement?"]');
  assert.equal(await supplement.locator('input[name="reg1"]').count(), 0);
  assert.equal(await supplement.locator('input[name="reg3"]').count(), 0);
  assert.ok(await supplement.locator('#slib2').count(), 'the e-materials library is offered');
  await supplement.getByLabel('或使用人口库信息核验单（A级，无需上传）').check();
  await citizen.screenshot({ path: join(shots, 'use-registry-supplement-phone.png'), fullPage: true });
  await Promise.all([citizen.waitForURL(/done=supplement_provide/), supplement.getByRole('button', { name: '提交补正材料' }).click()]);

  // The counter sees the identity twice as A from the 人口库, nothing else added.
  await counter.goto(`${base}/cases/${caseId}`);
  const rows = counter.locator('table.stack tbody tr', { hasText: '经营者身份证明' });
  assert.equal(await rows.count(), 2);
  for (let i = 0; i < 2; i++) assert.match(await rows.nth(i).innerText(), /A级/);
  await counter.screenshot({ path: join(shots, 'use-registry-counter-1366.png'), fullPage: true });
});

test('a commitment ticked beside a file is refused with the material named', async () => {
  const items = await (await fetch(base + '/api/v1/guide/items')).json();
  const item = items.find(i => i.name === '食品经营许可');
  const company = await signIn(browser, base, 'demo_company', { viewport: { width: 1366, height: 900 } });
  await company.goto(`${base}/apply/${item.item_id}`);
  // 营业执照复印件 may be the 法人库 record for a company; the application form may not.
  assert.equal(await company.locator('input[name="reg1"]').count(), 0);
  assert.equal(await company.locator('input[name="reg2"]').count(), 1);
  await company.getByLabel('经营场所 *').fill('示例市市民大道 1 号');
  await company.getByLabel('主体业态 *').selectOption('餐饮服务经营者');
  await company.getByLabel('经营项目 *').fill('热食类食品制售');
  await company.setInputFiles('#m1', pdf('申请书'));
  await company.getByLabel('或使用法人库信息核验单（A级，无需上传）').check();
  await company.setInputFiles('#m3', pdf('设备布局'));
  await company.setInputFiles('#m4', pdf('管理制度'));
  await company.locator('details.commitment summary').click();
  await company.getByLabel('我已阅读上述承诺内容，同意签署告知承诺书代替提交本材料').check();
  await company.getByRole('button', { name: '提交申请' }).click();
  const alert = await company.locator('[role=alert]').innerText();
  assert.match(alert, /「食品安全自查、从业人员健康管理等食品安全管理制度」已选择告知承诺，不能同时上传文件/);
  await company.screenshot({ path: join(shots, 'use-commitment-with-file-1366.png'), fullPage: true });
});
