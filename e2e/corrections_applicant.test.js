// Browser check of 误操作更正 of wrong applicant data (申请人信息有误): the
// counter officer who accepted an online application asks from the case's
// correction form for its mobile's correction (a bad number is refused and
// nothing is stored), the head consents, the service centre carries it out;
// the acceptance stays in the timeline tagged 申请人信息已更正, the values
// before and after shown masked. At 1,366 and 390 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, signIn, apiSession, applyOnline, walkWidths } from './harness.js';

let base, browser, stop;

before(async () => {
  ({ base, browser, stop } = await start());
});

after(async () => {
  if (stop) await stop();
});

test('wrong applicant data is corrected from the case page, the original kept masked in the timeline', async () => {
  const caseId = await applyOnline(base);
  const counterApi = await apiSession(base, 'demo_counter');
  const r = await counterApi.post(`/api/v1/cases/${caseId}/actions`, { action: 'accept' });
  assert.equal(r.status, 200, JSON.stringify(r.body));

  // The counter officer who accepted asks, at a phone's width: a bad mobile is refused, nothing stored.
  const counter = await signIn(browser, base, 'demo_counter', { viewport: { width: 390, height: 900 } });
  await counter.goto(`${base}/governance/corrections/new?case_id=${caseId}`);
  await counter.getByRole('radio', { name: /申请人信息有误/ }).check();
  assert.match(await counter.locator('main').innerText(), /原登记：自然人/);
  await counter.getByLabel('联系电话').fill('1234');
  await counter.getByLabel('更正的内容（写明哪里录错了、应当如何）').fill('联系电话录错，应为13900000009');
  await counter.getByLabel('更正的原因').fill('受理时核对不仔细');
  await counter.getByRole('button', { name: '提交更正申请' }).click();
  await counter.waitForLoadState();
  assert.ok(await counter.getByRole('alert').isVisible());
  const none = await counterApi.get(`/api/v1/governance/corrections/offer?case_id=${caseId}`);
  assert.equal(none.body.requests.length, 0, JSON.stringify(none.body));
  await counter.getByRole('radio', { name: /申请人信息有误/ }).check();
  await counter.getByLabel('联系电话').fill('13900000009');
  await Promise.all([counter.waitForURL(/\/governance\/corrections\/\d+\?done=request/), counter.getByRole('button', { name: '提交更正申请' }).click()]);
  assert.match(await counter.locator('main').innerText(), /申请人信息有误[\s\S]*139\*\*\*\*0009/);
  const id = Number(new URL(counter.url()).pathname.split('/').pop());

  // The head consents and the centre carries it out.
  const headApi = await apiSession(base, 'demo_head');
  let s = await headApi.post(`/api/v1/governance/corrections/${id}/consent`, { decision: 'approve', note: '' });
  assert.equal(s.status, 200, JSON.stringify(s.body));
  const centreApi = await apiSession(base, 'demo_center', { totp: true });
  s = await centreApi.post(`/api/v1/governance/corrections/${id}/perform`, { decision: 'approve', note: '' });
  assert.equal(s.status, 200, JSON.stringify(s.body));

  // The acceptance stands, tagged; the corrective record shows the values before and after, masked.
  const head = await signIn(browser, base, 'demo_head', { viewport: { width: 1366, height: 900 } });
  await walkWidths(base, head, `/cases/${caseId}`, 'correction-applicant-timeline', async page => {
    const timeline = page.locator('ol.timeline');
    assert.equal(await timeline.locator('del').count(), 0);
    const text = await timeline.innerText();
    assert.match(text, /申请人信息已更正/);
    assert.match(text, /原记录：[\s\S]*更正为：[\s\S]*139\*\*\*\*0009/);
    assert.doesNotMatch(text, /13900000009/);
  });
});
