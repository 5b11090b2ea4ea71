// Browser check of the notices: a citizen on a 390 px phone gives an e-mail
// address (a wrong one first), the counter asks for a supplement, and the
// citizen's workbench shows what waits with the unread count in the menu;
// the notice also arrives by e-mail at a real SMTP server (Python's aiosmtpd,
// skipped when it is missing unless ZWFW_REQUIRE_SMTP is set). The head, at
// 1,366 px, sees an extension waiting for approval.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { start, shots, signIn, applyOnline, apiSession } from './harness.js';
import { mailServer } from './outbox.js';

let base, browser, stop, mail;

before(async () => {
  mail = await mailServer();
  ({ base, browser, stop } = await start({ env: mail ? mail.env : {} }));
});

after(async () => {
  if (stop) await stop();
  if (mail) mail.stop();
});

/** Fails when the page is wider than its viewport. */
async function fits(page) {
  const [scroll, width] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.ok(scroll <= width, `${page.url()}: ${scroll} px wide in ${width}`);
}

test('the applicant is told of a supplement in the workbench and by e-mail; the head sees the extension waiting', async () => {
  const phone = await signIn(browser, base, 'demo_citizen', { viewport: { width: 390, height: 844 }, isMobile: true });
  // A wrong address: a clear message, nothing saved; then a right one.
  await phone.goto(base + '/account');
  await phone.getByLabel('电子邮箱', { exact: true }).fill('chen@localhost');
  await phone.getByRole('button', { name: '保存' }).click();
  await phone.getByRole('alert').filter({ hasText: '域名' }).waitFor();
  await fits(phone);
  await phone.getByLabel('电子邮箱', { exact: true }).fill('chen.xiaohua@example.cn');
  await Promise.all([phone.waitForURL(/done=email/), phone.getByRole('button', { name: '保存' }).click()]);
  await phone.screenshot({ path: join(shots, 'notices-account-390.png'), fullPage: true });

  const caseId = await applyOnline(base);
  const counter = await apiSession(base, 'demo_counter');
  const r = await counter.post(`/api/v1/cases/${caseId}/actions`, { action: 'supplement_request', missing: ['营业执照复印件不清晰', '缺少场所平面图'] });
  assert.equal(r.status, 200, JSON.stringify(r.body));

  await phone.goto(base + '/');
  await phone.getByRole('heading', { name: /待我补正/ }).waitFor();
  assert.ok(await phone.getByText('缺少场所平面图').first().isVisible());
  assert.ok(await phone.locator('nav .badge').count() > 0, 'the menu shows the unread count');
  await fits(phone);
  await phone.screenshot({ path: join(shots, 'notices-workbench-390.png'), fullPage: true });
  await phone.goto(base + '/my/messages');
  await phone.getByText('请补正材料：食品经营许可').first().waitFor();
  await fits(phone);
  await phone.screenshot({ path: join(shots, 'notices-messages-390.png'), fullPage: true });

  if (mail) {
    const m = await mail.waitFor(m => m.to.includes('chen.xiaohua@example.cn') && m.subject === '请补正材料：食品经营许可');
    assert.ok(m, 'the supplement notice arrives by e-mail');
    assert.match(m.text, /缺少场所平面图/);
    assert.match(m.text, new RegExp(`/cases/${caseId}`));
  }

  // The head, on a desktop, sees an extension waiting for approval.
  const supply = await (await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'demo_citizen', password: 'Demo@12345' }) })).json();
  const auth = { authorization: `Bearer ${supply.token}` };
  const fd = new FormData();
  fd.append('file', new Blob([Buffer.from('%PDF-1.4\n%%EOF\n')], { type: 'application/pdf' }), '平面图.pdf');
  const up = await (await fetch(base + '/api/v1/uploads', { method: 'POST', headers: auth, body: fd })).json();
  let s = await fetch(`${base}/api/v1/cases/${caseId}/actions`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ action: 'supplement_provide', materials: [{ material_no: 1, upload_id: up.id }] }) });
  assert.equal(s.status, 200, await s.text());
  for (const action of [{ action: 'accept' }, { action: 'pass', opinion: '受理' }]) {
    const a = await counter.post(`/api/v1/cases/${caseId}/actions`, action);
    assert.equal(a.status, 200, JSON.stringify(a.body));
  }
  const reviewer = await apiSession(base, 'demo_reviewer');
  const x = await reviewer.post(`/api/v1/cases/${caseId}/actions`, { action: 'extension_request', days: 10, opinion: '需现场核查' });
  assert.equal(x.status, 200, JSON.stringify(x.body));
  const head = await signIn(browser, base, 'demo_head', { viewport: { width: 1366, height: 900 } });
  await head.goto(base + '/');
  await head.getByRole('heading', { name: '待我处理' }).waitFor();
  await head.getByText(/待您审批：延长审批/).first().waitFor();
  // 待我决定 counts it and leads to the list of what waits for the head.
  assert.ok(Number(await head.locator('#n-decide').innerText()) >= 1);
  await Promise.all([head.waitForURL(/scope=decide/), head.getByRole('link', { name: /待我决定/ }).first().click()]);
  await head.locator(`a[href="/cases/${caseId}"]`).first().waitFor();
  await fits(head);
  await head.goto(base + '/');
  await fits(head);
  await head.screenshot({ path: join(shots, 'notices-head-1366.png'), fullPage: true });
});
