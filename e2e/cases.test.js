// Browser check of case handling: a citizen applies online with uploads, the
// counter asks for a supplement, the citizen supplies it, the case is accepted,
// passes its steps including a joint review by two other departments, is
// granted, and the citizen downloads the decision as PDF.
// The server and browser come from harness.js.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { start, shots, signIn as harnessSignIn } from './harness.js';

let base, browser, stop;

before(async () => {
  ({ base, browser, stop } = await start());
});

after(async () => {
  if (stop) await stop();
});

/** A signed-in page of its own that accepts downloads. */
async function signIn(user, viewport = { width: 1280, height: 900 }) {
  return harnessSignIn(browser, base, user, { viewport, acceptDownloads: true });
}

const pdf = label => ({
  name: `${label}.pdf`,
  mimeType: 'application/pdf',
  buffer: Buffer.from(`%PDF-1.4\n% ${label}\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n`),
});

/** Fills and sends one action form of the case page, and waits for the page to come back. */
async function act(page, action, fields = {}) {
  const form = page.locator(`form.act:has(input[name="action"][value="${action}"])`);
  for (const [name, value] of Object.entries(fields)) {
    const el = form.locator(`[name="${name}"]`).first();
    const kind = await el.evaluate(e => `${e.tagName}:${e.type || ''}`);
    if (kind.startsWith('SELECT')) await el.selectOption(value);
    else if (kind.endsWith(':radio')) await form.locator(`[name="${name}"][value="${value}"]`).check();
    else if (kind.endsWith(':checkbox')) await el.check();
    else await el.fill(value);
  }
  await Promise.all([page.waitForURL(/done=/), form.locator('button[type=submit]').click()]);
}

test('a case from online application to the granted decision as PDF', async () => {
  // The citizen finds the item on a phone and applies with four uploads.
  const citizen = await signIn('demo_citizen', { width: 390, height: 844 });
  const items = await (await fetch(base + '/api/v1/guide/items')).json();
  const item = items.find(i => i.name === '户外广告设施设置审批');
  assert.ok(item, `item published: ${items.map(i => i.name).join('、')}`);
  await citizen.goto(`${base}/guide/${item.item_id}`);
  await citizen.getByRole('link', { name: '在线办理' }).click();
  assert.match(await citizen.locator('h1').innerText(), /在线办理：户外广告设施设置审批/);
  // The item's own form fields, then 申请事项说明.
  await citizen.getByLabel('设置地点 *').fill('示例市东城区建设路 18 号门店外墙');
  await citizen.getByLabel('设施类型 *').selectOption('招牌');
  await citizen.getByLabel('申请事项说明').fill('在门店外墙设置招牌一块，尺寸 6 米 × 1 米');
  // First without the site permit: a clear refusal, nothing created.
  await citizen.setInputFiles('#m1', pdf('申请表'));
  await citizen.setInputFiles('#m2', pdf('效果图'));
  await citizen.getByRole('button', { name: '提交申请' }).click();
  assert.match(await citizen.locator('[role=alert]').innerText(), /缺少必备材料|必备材料/);
  for (const [n, label] of [[1, '申请表'], [2, '效果图'], [3, '场地使用证明'], [4, '结构安全证明']]) {
    await citizen.setInputFiles(`#m${n}`, pdf(label));
  }
  await citizen.getByRole('button', { name: '提交申请' }).click();
  await citizen.waitForSelector('#case-no');
  const caseNo = await citizen.locator('#case-no').innerText();
  const password = await citizen.locator('#query-password').innerText();
  assert.match(caseNo, /^[0-9A-Z]+\d{12}$/, 'implementation code, date, serial');
  await citizen.screenshot({ path: join(shots, '10-submitted.png'), fullPage: true });
  await citizen.getByRole('link', { name: '查看办件' }).click();
  const caseUrl = citizen.url();
  const caseId = caseUrl.match(/\/cases\/(\d+)/)[1];

  // The housing department's counter asks for everything missing at once.
  const housing = await signIn('demo_housing_staff');
  await housing.goto(base + '/work/inbox');
  await housing.locator('a', { hasText: caseNo }).click();
  await act(housing, 'supplement_request', { missing: '设置场地使用证明须加盖产权单位公章\n结构安全证明须由具备资质的单位出具' });
  assert.match(await housing.locator('[role=status]').first().innerText(), /补正通知已发出/);

  // The citizen sees the notice and uploads the corrected material.
  await citizen.goto(caseUrl);
  assert.match(await citizen.locator('.banner.warn').first().innerText(), /加盖产权单位公章/);
  await citizen.setInputFiles('#s3', pdf('场地使用证明（盖章）'));
  await Promise.all([citizen.waitForURL(/done=supplement_provide/), citizen.getByRole('button', { name: '提交补正材料' }).click()]);

  // Accepted; steps 受理 and 审查 passed by the lead department.
  await housing.goto(`${base}/cases/${caseId}`);
  await act(housing, 'accept');
  await act(housing, 'pass', { opinion: '材料齐全，予以受理' });
  await act(housing, 'pass', { opinion: '设置位置、规格符合规划要求' });
  // The joint step waits for the land and market departments: no 通过 until they answer.
  assert.equal(await housing.locator('td', { hasText: '待答复' }).count(), 2);
  assert.equal(await housing.locator('form.act:has(input[value="pass"])').count(), 0);

  for (const user of ['demo_land', 'demo_reviewer']) {
    const co = await signIn(user);
    await co.goto(base + '/work/inbox?scope=joint');
    await co.locator('a', { hasText: caseNo }).click();
    await act(co, 'joint_answer', { agree: '1', opinion: '经会审，同意设置' });
    await co.context().close();
  }

  await housing.goto(`${base}/cases/${caseId}`);
  await act(housing, 'pass', { opinion: '会办部门均同意' });
  await act(housing, 'pass', { opinion: '同意许可' });
  await act(housing, 'conclude', { outcome: 'granted', document_no: '建广设字〔2026〕第018号', valid_until: '2029-12-31', confirm: '1' });
  assert.match(await housing.locator('h2#progress-h').innerText(), /已办结（准予许可）/);
  await housing.screenshot({ path: join(shots, '11-granted.png'), fullPage: true });

  // The citizen downloads the decision.
  await citizen.goto(caseUrl);
  assert.match(await citizen.locator('h2#progress-h').innerText(), /已办结/);
  assert.match(await citizen.locator('main').innerText(), /设施类型\s+招牌/);
  const link = citizen.getByRole('link', { name: /准予行政许可决定书/ });
  const [download] = await Promise.all([citizen.waitForEvent('download'), link.click()]);
  const file = await download.path();
  const bytes = readFileSync(file);
  assert.equal(bytes.subarray(0, 5).toString(), '%PDF-');
  assert.ok(bytes.length > 2000, 'a real document with its font subset');
  await citizen.screenshot({ path: join(shots, '12-citizen-timeline.png'), fullPage: true });

  // Anyone with the number and the query password follows it without signing in.
  const anon = await browser.newPage();
  await anon.goto(base + '/track');
  await anon.getByLabel('办件编号').fill(caseNo);
  await anon.getByLabel('查询密码').fill(password);
  await anon.getByRole('button', { name: '查询' }).click();
  assert.match(await anon.locator('h2#progress-h').innerText(), /已办结/);
  await anon.close();
});

test('every column of a case\'s materials shows at 1,280 px', async () => {
  // A demo case of the market department waiting for 补正, whose materials have long names.
  const head = await signIn('demo_head');
  const r = await head.request.get(base + '/api/v1/cases?scope=department&state=supplementing');
  const c = (await r.json()).find(c => c.item_name === '药品零售企业许可');
  assert.ok(c, 'the demo case');
  await head.goto(`${base}/cases/${c.id}`);
  const clipped = await head.evaluate(() => [...document.querySelectorAll('main table')]
    .filter(t => t.scrollWidth > t.clientWidth + 1)
    .map(t => `${t.closest('section')?.querySelector('h2')?.innerText}: ${t.scrollWidth}px in ${t.clientWidth}px`));
  assert.deepEqual(clipped, []);
  // Waiting for 补正, the case may end only without a licence: no licence number to fill in.
  const conclude = head.locator('form.act:has(input[name="action"][value="conclude"])');
  assert.equal(await conclude.locator('input[name="outcome"][value="granted"]').count(), 0);
  assert.ok(await conclude.locator('input[name="outcome"]').count() > 0, 'other conclusions offered');
  assert.equal(await conclude.locator('#doc-no, #valid').count(), 0);
  await head.screenshot({ path: join(shots, '13-case-materials-desktop.png'), fullPage: true });
  await head.context().close();
});

test('the apply form links the blank form its material asks for', async () => {
  // 食品经营许可's application form (申请书) says it is downloadable on the page.
  const items = await (await fetch(base + '/api/v1/guide/items')).json();
  const item = items.find(i => i.name === '食品经营许可');
  const citizen = await signIn('demo_citizen', { width: 390, height: 844 });
  await citizen.goto(`${base}/apply/${item.item_id}`);
  const first = citizen.locator('.material').first();
  assert.match(await first.innerText(), /可在本页下载/);
  const r = await fetch(base + await first.getByRole('link', { name: '空白表格' }).getAttribute('href'));
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'application/pdf');
  await citizen.screenshot({ path: join(shots, '14-apply-blank-form-phone.png'), fullPage: true });
  // The workbench names each case by the short form of its number (the full one in its title).
  await citizen.goto(base + '/');
  const nos = citizen.locator('main .case-no');
  assert.ok(await nos.count() > 0, 'cases waiting for the citizen');
  assert.match(await nos.first().getAttribute('title'), /^[0-9A-Z]{43}$/);
  assert.ok((await nos.first().boundingBox()).width < 200, 'one short line');
  await citizen.context().close();
});
