// Browser check of 删除申请 (deletion by approved request): a department's
// administrator asks from her maintenance request's page for its deletion,
// the head of her department is refused when he refuses without a reason
// and then consents, the supervision office performs it and finds it in the
// archive; the request is gone from its business page. At 1,366 and 390 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, signIn, signInWithTotp, walkWidths } from './harness.js';

let base, browser, stop;

before(async () => {
  ({ base, browser, stop } = await start());
});

after(async () => {
  if (stop) await stop();
});

test('a maintenance request is deleted on its author\'s request, the head\'s consent and by the supervision office', async () => {
  // The department's administrator submits a request the centre has not answered yet…
  const author = await signInWithTotp(browser, base, 'demo_deptadmin', { width: 1366, height: 900 });
  await author.goto(base + '/governance/requests/new');
  await author.getByLabel('其他').check();
  await author.getByLabel('需求内容（写明需要做什么、为什么，2000字以内）').fill('申请增加一个统计报表（重复提交）。');
  await Promise.all([author.waitForURL(/\/governance\/requests\/\d+\?done=submit/), author.getByRole('button', { name: '提交需求' }).click()]);
  const req = { id: Number(new URL(author.url()).pathname.split('/').pop()) };

  // …and asks for its deletion from the request's own page.
  await Promise.all([author.waitForURL(/\/governance\/deletions\/new/), author.getByRole('link', { name: '申请删除' }).click()]);
  const form = new URL(author.url());
  await walkWidths(base, author, form.pathname + form.search, 'deletion-new', async page => {
    assert.match(await page.getByRole('heading', { level: 1 }).innerText(), /申请删除：配置\/维护需求/);
  });
  await author.setViewportSize({ width: 390, height: 900 });
  await author.goto(form.href);
  await author.getByLabel('删除的内容（写明要删除哪些数据）').fill(`配置/维护需求第${req.id}号`);
  await author.getByLabel('删除的原因').fill('与第一次提交的需求重复');
  await Promise.all([author.waitForURL(/\/governance\/deletions\/\d+\?done=request/), author.getByRole('button', { name: '提交删除申请' }).click()]);
  assert.ok(await author.getByText('删除申请已提交，等待部门负责人同意').isVisible());
  const path = new URL(author.url()).pathname;

  // The head: a refusal without its reason is refused and changes nothing; then he consents.
  const head = await signIn(browser, base, 'demo_head', { viewport: { width: 1366, height: 900 } });
  await walkWidths(base, head, '/governance/deletions?state=requested', 'deletions-head', async page => {
    assert.match(await page.getByRole('table').innerText(), new RegExp(`配置/维护需求第${req.id}号`));
  });
  await walkWidths(base, head, path, 'deletion-consent', async page => {
    assert.ok(await page.getByRole('button', { name: '同意删除' }).isVisible());
  });
  await head.getByRole('button', { name: '不同意' }).click();
  await head.waitForLoadState();
  assert.match(await head.getByRole('alert').innerText(), /请填写/);
  assert.match(await head.locator('main').innerText(), /待部门负责人同意/);
  await head.getByLabel('意见（不同意时必填，写明理由）').fill('同意删除重复的需求');
  await Promise.all([head.waitForURL(/done=consent/), head.getByRole('button', { name: '同意删除' }).click()]);
  assert.match(await head.locator('main').innerText(), /待监察室执行/);

  // The supervision office performs it and reads the archive.
  const sup = await signInWithTotp(browser, base, 'demo_supervisor', { width: 1366, height: 900 });
  await walkWidths(base, sup, path, 'deletion-perform', async page => {
    assert.ok(await page.getByRole('button', { name: '执行删除' }).isVisible());
  });
  await sup.setViewportSize({ width: 1366, height: 900 });
  await Promise.all([sup.waitForURL(/done=perform/), sup.getByRole('button', { name: '执行删除' }).click()]);
  await walkWidths(base, sup, path, 'deletion-archived', async page => {
    assert.match(await page.locator('main').innerText(), /存档的原记录[\s\S]*申请增加一个统计报表/);
  });
  await walkWidths(base, sup, '/governance/deletions/archive', 'deletions-archive', async page => {
    assert.match(await page.getByRole('table').innerText(), new RegExp(`配置/维护需求第${req.id}号`));
  });

  // Gone from the business page.
  const gone = await author.goto(`${base}/governance/requests/${req.id}`);
  assert.equal(gone.status(), 404);
});
