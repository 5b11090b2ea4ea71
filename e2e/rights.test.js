// Browser check of 权限变更申请 (user-right changes on record): the
// department's administrator asks at 390 px for 李娜 to become a reviewer
// too, the head of the department approves after a refusal without its
// reason was refused, the administrator applies it from 李娜's account
// page, and the supervision office finds it in its list. The account page
// no longer lets the administrator change roles directly. At 1,366 and 390 px.
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

test('a role change is asked, approved by the head, applied by the administrator and filed with supervision', async () => {
  const admin = await signInWithTotp(browser, base, 'demo_deptadmin', { width: 390, height: 900 });
  await admin.goto(base + '/admin/users');
  const href = await admin.getByRole('row', { name: /demo_counter/ }).getByRole('link', { name: '查看' }).getAttribute('href');
  const lina = { id: Number(href.split('/').pop()) };

  // The account page: roles and department are not edited here.
  await walkWidths(base, admin, `/admin/users/${lina.id}`, 'rights-account', async page => {
    assert.match(await page.locator('main').innerText(), /角色和所属部门的变更须经权限变更申请/);
    assert.equal(await page.getByRole('checkbox', { name: '审批人员' }).count(), 0);
  });

  // The form: a card per staff member of the department.
  await walkWidths(base, admin, '/governance/rights/new', 'rights-new', async page => {
    assert.ok(await page.getByText(/^李娜（窗口人员）$/).isVisible());
  });
  await admin.setViewportSize({ width: 390, height: 900 });
  await admin.goto(base + '/governance/rights/new');
  const card = admin.locator('details', { has: admin.getByText(/^李娜（/) });
  await card.locator('summary').click();
  await card.getByRole('group', { name: '增加角色' }).getByLabel('审批人员').check();
  await admin.getByLabel('变更理由（必填）').fill('窗口业务量大，李娜兼任审批人员');
  await Promise.all([admin.waitForURL(/\/governance\/rights\/\d+\?done=request/), admin.getByRole('button', { name: '提交申请' }).click()]);
  assert.ok(await admin.getByText('权限变更申请已提交，等待示例市市场监督管理局的部门负责人审核').isVisible());
  const path = new URL(admin.url()).pathname;
  assert.match(await admin.getByRole('table').innerText(), /李娜[\s\S]*审批人员/);

  // The head: a refusal without its reason is refused; then he approves.
  const head = await signIn(browser, base, 'demo_head', { viewport: { width: 1366, height: 900 } });
  await walkWidths(base, head, '/governance/rights?state=requested', 'rights-head-list', async page => {
    assert.match(await page.getByRole('table').innerText(), /李娜/);
  });
  await walkWidths(base, head, path, 'rights-decide', async page => {
    assert.ok(await page.getByRole('button', { name: '同意', exact: true }).isVisible());
  });
  await head.getByRole('button', { name: '不同意' }).click();
  await head.waitForLoadState();
  assert.match(await head.getByRole('alert').innerText(), /请填写/);
  assert.match(await head.locator('main').innerText(), /待部门负责人审核/);
  await Promise.all([head.waitForURL(/done=decide/), head.getByRole('button', { name: '同意', exact: true }).click()]);
  assert.match(await head.locator('main').innerText(), /已同意，待管理员执行/);

  // The administrator applies it from the account's page.
  await walkWidths(base, admin, `/admin/users/${lina.id}`, 'rights-account-approved', async page => {
    assert.match(await page.locator('main').innerText(), /待执行的权限变更申请/);
  });
  await Promise.all([admin.waitForURL(/done=apply/), admin.getByRole('button', { name: '按清单执行' }).click()]);
  assert.match(await admin.locator('main').innerText(), /已按清单执行/);
  await admin.goto(`${base}/admin/users/${lina.id}`);
  assert.match(await admin.locator('main').innerText(), /窗口人员、审批人员/);

  // Filed with supervision: told, and listed.
  const sup = await signInWithTotp(browser, base, 'demo_supervisor', { width: 1366, height: 900 });
  await walkWidths(base, sup, '/governance/rights', 'rights-supervision', async page => {
    assert.match(await page.getByRole('table').innerText(), /李娜[\s\S]*已执行/);
  });
  await sup.goto(base + '/my/messages');
  assert.match(await sup.locator('main').innerText(), /权限变更申请第\d+号：已执行/);
});
