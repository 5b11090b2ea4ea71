// Browser check of 误操作更正 (misoperation correction): the reviewer passed
// 审查 by mistake; she asks from the case page for its correction, the head
// of her department consents, the service centre carries it out. The case
// is back at the step, the original pass struck out and marked 已更正 in the
// timeline, and the supervision office finds the correction in its list.
// At 1,366 and 390 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, signIn, signInWithTotp, apiSession, applyOnline, walkWidths } from './harness.js';

let base, browser, stop;

before(async () => {
  ({ base, browser, stop } = await start());
});

after(async () => {
  if (stop) await stop();
});

test('a step passed by mistake is corrected on the recorder\'s request, the head\'s consent and by the centre', async () => {
  const caseId = await applyOnline(base);
  const [counter, reviewerApi] = await Promise.all(['demo_counter', 'demo_reviewer'].map(u => apiSession(base, u)));
  for (const [who, action] of [
    [counter, { action: 'accept' }],
    [counter, { action: 'pass', opinion: '材料齐全，予以受理' }],
    [reviewerApi, { action: 'pass', opinion: '审查通过' }],
  ]) {
    const r = await who.post(`/api/v1/cases/${caseId}/actions`, action);
    assert.equal(r.status, 200, JSON.stringify(r.body));
  }

  // The reviewer asks from the case page, at a phone's width.
  const reviewer = await signIn(browser, base, 'demo_reviewer', { viewport: { width: 1366, height: 900 } });
  await reviewer.goto(`${base}/cases/${caseId}`);
  await Promise.all([reviewer.waitForURL(/\/governance\/corrections\/new/), reviewer.getByRole('link', { name: '申请更正' }).click()]);
  const form = new URL(reviewer.url());
  await walkWidths(base, reviewer, form.pathname + form.search, 'correction-new', async page => {
    assert.match(await page.getByRole('heading', { level: 1 }).innerText(), /申请更正/);
    assert.match(await page.locator('fieldset').innerText(), /办理通过[\s\S]*环节误通过/);
  });
  await reviewer.setViewportSize({ width: 390, height: 900 });
  await reviewer.goto(form.href);
  await reviewer.getByLabel('更正的内容（写明哪里录错了、应当如何）').fill('审查尚未完成，误点了“通过”，应回到审查环节');
  await reviewer.getByLabel('更正的原因').fill('操作失误');
  await Promise.all([reviewer.waitForURL(/\/governance\/corrections\/\d+\?done=request/), reviewer.getByRole('button', { name: '提交更正申请' }).click()]);
  assert.ok(await reviewer.getByText('更正申请已提交，等待部门负责人同意').isVisible());
  const path = new URL(reviewer.url()).pathname;

  // The head: a refusal without its reason changes nothing; then he consents.
  const head = await signIn(browser, base, 'demo_head', { viewport: { width: 1366, height: 900 } });
  await walkWidths(base, head, '/governance/corrections?state=requested', 'corrections-head', async page => {
    assert.match(await page.getByRole('table').innerText(), /环节误通过/);
  });
  await walkWidths(base, head, path, 'correction-consent', async page => {
    assert.ok(await page.getByRole('button', { name: '同意更正' }).isVisible());
  });
  await head.getByRole('button', { name: '不同意' }).click();
  await head.waitForLoadState();
  assert.match(await head.getByRole('alert').innerText(), /请填写/);
  assert.match(await head.locator('main').innerText(), /待部门负责人同意/);
  await Promise.all([head.waitForURL(/done=consent/), head.getByRole('button', { name: '同意更正' }).click()]);
  assert.match(await head.locator('main').innerText(), /待政务服务中心执行/);

  // The centre carries it out.
  const centre = await signInWithTotp(browser, base, 'demo_center', { width: 1366, height: 900 });
  await walkWidths(base, centre, path, 'correction-perform', async page => {
    assert.ok(await page.getByRole('button', { name: '执行更正' }).isVisible());
  });
  await centre.setViewportSize({ width: 1366, height: 900 });
  await Promise.all([centre.waitForURL(/done=perform/), centre.getByRole('button', { name: '执行更正' }).click()]);
  assert.match(await centre.locator('main').innerText(), /已更正/);

  // The case is back at 审查; the original pass is struck out, marked and linked.
  await walkWidths(base, head, `/cases/${caseId}`, 'correction-timeline', async page => {
    const timeline = page.locator('ol.timeline');
    // The corrected pass is struck out: its name and its detail line.
    assert.equal(await timeline.locator('del').count(), 2);
    assert.match(await timeline.innerText(), /已更正[\s\S]*误操作更正/);
    assert.ok(await timeline.locator(`a[href="${path}"]`).isVisible());
  });
  const c = await reviewerApi.get(`/api/v1/cases/${caseId}`);
  assert.equal(c.body.case.step_name, '审查', JSON.stringify(c.body.case));

  // Supervision is told and lists it.
  const sup = await signInWithTotp(browser, base, 'demo_supervisor', { width: 1366, height: 900 });
  await walkWidths(base, sup, '/governance/corrections', 'corrections-supervision', async page => {
    assert.match(await page.getByRole('table').innerText(), /已更正/);
  });
});
