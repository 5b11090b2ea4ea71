// Browser check of withdrawing an online application: the applicant asks in
// writing, the counter records the request (it cannot withdraw the case
// itself), the department head declines and the applicant reads why on a
// phone; asked again, the head approves and the case is withdrawn.
// The server and browser come from harness.js.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { start, shots, signIn, applyOnline } from './harness.js';

let base, browser, stop;

before(async () => {
  ({ base, browser, stop } = await start());
});

after(async () => {
  if (stop) await stop();
});

/** Fills and sends one action form of the case page, and waits for the page to come back. */
async function act(page, action, opinion) {
  const form = page.locator(`form.act:has(input[name="action"][value="${action}"])`);
  if (opinion !== undefined) await form.locator('[name="opinion"]').fill(opinion);
  await Promise.all([page.waitForURL(/done=/), form.locator('button[type=submit]').click()]);
}

const formOf = (page, action) => page.locator(`form.act:has(input[name="action"][value="${action}"])`);

test('an online application withdrawn only on the head\'s decision, the applicant told of a refusal', async () => {
  const caseId = await applyOnline(base);
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
