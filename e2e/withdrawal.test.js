// Browser check of withdrawing an online application: the applicant asks in
// writing, the counter records the request (it cannot withdraw the case
// itself), the department head declines and the applicant reads why on a
// phone; asked again, the head approves and the case is withdrawn.
// The server and browser come from harness.js.
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

const pdf = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

/** The citizen's online application for 食品经营许可 through the API; the case id. */
async function applyOnline() {
  const login = await fetch(base + '/api/v1/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'demo_citizen', password: 'Demo@12345' }),
  });
  const { token } = await login.json();
  const auth = { authorization: `Bearer ${token}` };
  const items = await (await fetch(base + '/api/v1/guide/items')).json();
  const item = items.find(i => i.name === '食品经营许可');
  assert.ok(item, 'the demo item is published');
  const materials = [];
  for (let n = 1; n <= 4; n++) {
    const fd = new FormData();
    fd.append('file', new Blob([pdf], { type: 'application/pdf' }), `材料${n}.pdf`);
    const up = await (await fetch(base + '/api/v1/uploads', { method: 'POST', headers: auth, body: fd })).json();
    materials.push({ material_no: n, upload_id: up.id });
  }
  const r = await fetch(`${base}/api/v1/items/${item.item_id}/applications`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({
      materials,
      form: { 经营场所: '示例市市民大道 1 号', 主体业态: '餐饮服务经营者', 经营项目: '热食类食品制售' },
    }),
  });
  const b = await r.json();
  assert.equal(r.status, 201, JSON.stringify(b));
  return b.case_id;
}

/** Fills and sends one action form of the case page, and waits for the page to come back. */
async function act(page, action, opinion) {
  const form = page.locator(`form.act:has(input[name="action"][value="${action}"])`);
  if (opinion !== undefined) await form.locator('[name="opinion"]').fill(opinion);
  await Promise.all([page.waitForURL(/done=/), form.locator('button[type=submit]').click()]);
}

const formOf = (page, action) => page.locator(`form.act:has(input[name="action"][value="${action}"])`);

test('an online application withdrawn only on the head\'s decision, the applicant told of a refusal', async () => {
  const caseId = await applyOnline();
  const counter = await signIn(browser, base, 'demo_counter');
  await counter.goto(`${base}/cases/${caseId}`);
  await act(counter, 'accept');
  await act(counter, 'pass', '材料齐全，予以受理');

  // The counter records the written request; it has no way to withdraw the case itself.
  assert.equal(await formOf(counter, 'withdraw').count(), 0, 'the counter does not withdraw an online application');
  await act(counter, 'withdrawal_request', '申请人 2026 年 12 月 5 日递交书面撤回申请');
  assert.match(await counter.locator('.banner.warn').first().innerText(), /待部门负责人决定/);
  assert.equal(await formOf(counter, 'withdrawal_request').count(), 0, 'one request at a time');

  // The head sees the request and declines it with a reason.
  const head = await signIn(browser, base, 'demo_head');
  await head.goto(`${base}/cases/${caseId}`);
  assert.match(await head.locator('.banner.warn').first().innerText(), /书面申请撤回/);
  assert.equal(await formOf(head, 'withdraw').locator('button').innerText(), '同意撤回');
  await head.screenshot({ path: join(shots, '40-withdrawal-pending.png'), fullPage: true });
  await act(head, 'withdrawal_decline', '经电话核实，申请人同意继续办理');
  assert.equal(await formOf(head, 'withdrawal_decline').count(), 0);

  // The applicant reads the decision and its reason on a phone.
  const citizen = await signIn(browser, base, 'demo_citizen', { viewport: { width: 390, height: 844 } });
  await citizen.goto(`${base}/cases/${caseId}`);
  const timeline = await citizen.locator('ol.timeline').innerText();
  assert.match(timeline, /不同意撤回/);
  assert.match(timeline, /经电话核实，申请人同意继续办理/);
  assert.match(await citizen.locator('main').innerText(), /办理中/);
  await citizen.screenshot({ path: join(shots, '41-withdrawal-declined-phone.png'), fullPage: true });

  // Asked again, the head approves: the case is withdrawn.
  await counter.goto(`${base}/cases/${caseId}`);
  await act(counter, 'withdrawal_request', '申请人再次递交书面撤回申请');
  await head.goto(`${base}/cases/${caseId}`);
  await act(head, 'withdraw', '同意申请人撤回');
  await citizen.goto(`${base}/cases/${caseId}`);
  assert.match(await citizen.locator('main').innerText(), /已撤回|撤回/);
  assert.equal(await formOf(citizen, 'withdraw').count(), 0, 'nothing left to withdraw');
});
