// Browser check of electronic supervision: a case goes overdue (the demo
// clock is moved past its promised deadline), the supervision officer sees
// the yellow card on the dashboard, drills down to it and issues an
// oversight order, the department head answers it, and the officer closes it.
// The server and browser come from harness.js.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { start, shots, signIn, signInWithTotp, apiSession, serverNow, totp } from './harness.js';

let base, browser, stop;

// Monday 2025-11-03, 10:00 in Beijing: the demo's clock, so that the moves below stay in a shipped calendar year.
before(async () => {
  ({ base, browser, stop } = await start({ env: { ZWFW_NOW: '2025-11-03T02:00:00Z' } }));
});

after(async () => {
  if (stop) await stop();
});

/** A valid resident identity number (GB 11643) from its first 17 digits. */
function residentId(first17) {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...first17].reduce((a, c, i) => a + Number(c) * w[i], 0);
  return first17 + '10X98765432'[sum % 11];
}

test('an overdue case: yellow card, oversight order, answer, closed', async () => {
  // The market department's counter registers a walk-in application for
  // 个体工商户登记 (promised within 1 working day) and accepts it.
  const counter = await apiSession(base, 'demo_counter');
  const items = (await counter.get('/api/v1/guide/items')).body;
  const item = items.find(i => i.name === '个体工商户登记');
  assert.ok(item, 'demo item published');
  const uploads = [];
  for (const name of ['申请书', '身份证明', '场所证明']) {
    const form = new FormData();
    form.append('file', new Blob([`%PDF-1.4\n% ${name}\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n`], { type: 'application/pdf' }), `${name}.pdf`);
    const r = await fetch(base + '/api/v1/uploads', { method: 'POST', headers: { authorization: `Bearer ${counter.token}` }, body: form });
    assert.equal(r.status, 201);
    uploads.push((await r.json()).id);
  }
  const applied = await counter.post(`/api/v1/items/${item.item_id}/applications`, {
    applicant: { kind: 'natural', name: '郑监测', id_no: residentId('52990219880101123'), mobile: '13800138111', address: '示例市东城区' },
    form: { '申请事项说明': '个体餐饮店登记' },
    materials: uploads.map((id, i) => ({ material_no: i + 1, upload_id: id })),
  });
  assert.equal(applied.status, 201, JSON.stringify(applied.body));
  const caseId = applied.body.case_id;
  const caseNo = applied.body.case_no;
  const accepted = await counter.post(`/api/v1/cases/${caseId}/actions`, { action: 'accept' });
  assert.equal(accepted.status, 200, JSON.stringify(accepted.body));

  // Three days later (the administrator moves the demo clock), the promised day has passed.
  const admin = await apiSession(base, 'demo_admin', { totp: true });
  const moved = await admin.post('/api/v1/admin/clock', { offset: '+3d' });
  assert.equal(moved.status, 200, JSON.stringify(moved.body));

  // The supervision officer evaluates now and finds the market department with a yellow card.
  const officer = await signInWithTotp(browser, base, 'demo_supervisor');
  await officer.goto(base + '/supervision');
  await Promise.all([officer.waitForURL(/done=evaluate/), officer.getByRole('button', { name: '立即评估' }).click()]);
  assert.match(await officer.locator('.banner.ok').innerText(), /评估已完成/);
  const row = officer.locator('table.status tr', { hasText: '示例市市场监督管理局' });
  const yellowCell = row.locator('td').nth(4);
  assert.ok(Number(await yellowCell.innerText()) >= 1, 'a yellow card for the market department');
  await officer.waitForFunction(() => document.querySelector('#chart-departments canvas'));
  await officer.screenshot({ path: join(shots, '40-supervision-dashboard.png'), fullPage: true });
  // Drill down from the number to the list, then to this case's card.
  await yellowCell.getByRole('link').click();
  await officer.waitForURL(/severity=yellow/);
  await officer.locator('tr', { hasText: caseNo }).getByRole('link').first().click();
  assert.match(await officer.locator('h1').innerText(), /监察事项 SV\d{14,}\s*黄牌/);
  assert.match(await officer.locator('dl').innerText(), new RegExp(`${caseNo}[\\s\\S]*已超过承诺办结期限`));
  // Supervision reads the case but cannot act on it.
  const findingUrl = officer.url();
  await officer.goto(`${base}/cases/${caseId}`);
  assert.equal(await officer.locator('form.act').count(), 0, 'no case actions for supervision');
  // All cases, narrowed to the market department and the day of the application; another department's do not list it.
  const listFor = async (department) => {
    await officer.goto(base + '/cases?scope=all');
    await officer.getByLabel('部门', { exact: true }).selectOption({ label: department });
    await officer.getByLabel('申请日期自').fill('2025-11-03');
    await officer.getByLabel('至', { exact: true }).fill('2025-11-03');
    await Promise.all([officer.waitForURL(/dept=\d+/), officer.getByRole('button', { name: '查询' }).click()]);
    assert.equal(await officer.locator('h1').innerText(), '全部办件');
    assert.doesNotMatch(officer.url(), /q=None/);
    return officer.locator('main').innerText();
  };
  assert.match(await listFor('示例市市场监督管理局'), new RegExp(caseNo));
  await officer.screenshot({ path: join(shots, '39-cases-filtered.png'), fullPage: true });
  assert.doesNotMatch(await listFor('示例市自然资源局'), new RegExp(caseNo));
  await officer.goto(findingUrl);
  await officer.getByLabel('督办内容（必填）').fill('请说明超期原因，当日办结并报送整改情况。');
  await officer.getByLabel('答复期限（工作日，1–20）').fill('2');
  await Promise.all([officer.waitForURL(/\/supervision\/orders\/\d+\?done=issue/), officer.getByRole('button', { name: '发出督办' }).click()]);
  const orderUrl = officer.url().split('?')[0];
  const orderNo = (await officer.locator('h1').innerText()).replace('督办通知', '').trim();
  assert.match(orderNo, /^DB\d{12}$/);

  // The department head (on a phone) finds the order and answers it.
  const head = await signIn(browser, base, 'demo_head', { viewport: { width: 390, height: 844 } });
  await head.goto(base + '/my/messages');
  assert.match(await head.locator('main').innerText(), new RegExp(`督办通知 ${orderNo}`));
  await head.goto(base + '/supervision/orders');
  await head.getByRole('link', { name: orderNo }).click();
  await head.getByLabel('办理情况（必填，2000字以内）').fill('已于当日办结，并对经办人员进行了提醒谈话。');
  await Promise.all([head.waitForURL(/done=answer/), head.getByRole('button', { name: '提交答复' }).click()]);
  assert.match(await head.locator('dl').innerText(), /待审核/);
  await head.screenshot({ path: join(shots, '41-order-answered-phone.png'), fullPage: true });

  // The officer accepts the answer: the order is closed.
  await officer.goto(orderUrl);
  assert.match(await officer.locator('dl').innerText(), /已于当日办结/);
  await Promise.all([officer.waitForURL(/done=accept/), officer.getByRole('button', { name: '通过，办结' }).click()]);
  assert.match(await officer.locator('dl').innerText(), /状态\s*已办结/);
  const steps = await officer.locator('ol.timeline li').allInnerTexts();
  assert.deepEqual(steps.map(s => s.split(/\s/)[0]), ['发出督办', '部门答复', '审核通过，办结']);

  // Evaluation (绩效考核): the last half-month that ended, its reports, and its ranking published on the portal.
  await officer.goto(base + '/supervision');
  await officer.getByRole('navigation', { name: '电子监察' }).getByRole('link', { name: '绩效考核' }).click();
  const heading = await officer.locator('main h2').first().innerText();
  assert.match(heading, /^\d{4}年\d{1,2}月[上下]半月（\d{4}-\d{2}-\d{2} 至 \d{4}-\d{2}-\d{2}）$/);
  const ranked = officer.locator('table.ranking tbody tr');
  assert.ok((await ranked.count()) >= 4, 'every department is listed');
  assert.match(await ranked.first().innerText(), /^1\s/, 'the best department first');
  assert.match(await officer.locator('main').innerText(), /郑洁/, "the officer's weekly sign-ins");
  for (const [name, ext] of [['下载 Excel 通报', '.xlsx'], ['下载 PDF 通报', '.pdf']]) {
    const [download] = await Promise.all([officer.waitForEvent('download'), officer.getByRole('link', { name }).click()]);
    assert.ok(download.suggestedFilename().endsWith(ext), download.suggestedFilename());
    assert.ok((await download.failure()) === null);
  }
  await officer.screenshot({ path: join(shots, '42-evaluation.png'), fullPage: true });
  await officer.locator('summary', { hasText: '在门户网站公布本期排名' }).click();
  await officer.getByLabel('说明（可选，随排名公布）').fill('请各部门对照排名查找不足。');
  await Promise.all([officer.waitForURL(/done=published/), officer.getByRole('button', { name: '公布排名' }).click()]);
  assert.match(await officer.locator('.banner.ok').innerText(), /本期排名已在门户网站公布/);
  const label = heading.split('（')[0];

  // Anyone, on a phone and without signing in, reads it.
  const ctx = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const citizen = await ctx.newPage();
  await citizen.goto(base + '/');
  await citizen.getByRole('link', { name: '考核排名' }).click();
  assert.equal(await citizen.locator('main h2').first().innerText(), label);
  assert.match(await citizen.locator('main').innerText(), /请各部门对照排名查找不足。/);
  assert.ok((await citizen.locator('table.ranking tbody tr').count()) >= 1);
  await citizen.screenshot({ path: join(shots, '43-ranking-phone.png'), fullPage: true });
  await ctx.close();
});
