// Browser check of 电子证照: a system administrator (with TOTP) generates (rotates) the
// market regulator's signing key on 电子证照管理; a company's application for
// 食品经营许可 is granted through the API, which issues its licence; a
// visitor opens the verification page on a 390 px phone and at 1,366 px; the
// company finds the licence on 我的证照 and that visit in its 用证记录.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { start, shots as defaultShots, signIn, signInWithTotp, grantToCompany } from './harness.js';

const shots = process.env.ZWFW_SHOTS || defaultShots;
mkdirSync(shots, { recursive: true });
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true };
const DESK = { viewport: { width: 1366, height: 900 } };

let base, browser, stop;

before(async () => {
  ({ base, browser, stop } = await start());
});

after(async () => {
  if (stop) await stop();
});

test('a granted licence is verified by anyone and found by its holder with its 用证 log', async () => {
  const admin = await signInWithTotp(browser, base, 'demo_admin', DESK.viewport);
  await admin.goto(base + '/admin/licenses');
  // The demo gave the market regulator a key already (its option reads 更换密钥): generating rotates it.
  const market = admin.locator('#department_id option', { hasText: '示例市市场监督管理局' }).first();
  await admin.getByLabel('部门').selectOption(await market.getAttribute('value'));
  // Replacing a key in use must be confirmed.
  await admin.getByLabel(/确认更换密钥/).check();
  await Promise.all([admin.waitForURL(/done=key_created/), admin.getByRole('button', { name: '生成密钥' }).click()]);
  await admin.getByText('签名密钥已生成').waitFor();
  await admin.screenshot({ path: join(shots, 'admin-licenses-1366.png'), fullPage: true });

  const { identifier } = await grantToCompany(base, 'JY15299002026001');

  for (const [name, options] of [['390', PHONE], ['1366', DESK]]) {
    const visitor = await browser.newPage(options);
    await visitor.goto(`${base}/verify/${identifier}`);
    await visitor.getByText('签名验证通过').waitFor();
    assert.ok(await visitor.getByText('有效', { exact: true }).isVisible());
    await visitor.screenshot({ path: join(shots, `verify-${name}.png`), fullPage: true });
    await visitor.close();
  }

  for (const [name, options] of [['390', PHONE], ['1366', DESK]]) {
    const holder = await signIn(browser, base, 'demo_company', options);
    await holder.goto(base + '/');
    await Promise.all([holder.waitForURL(/\/my\/licenses$/), holder.getByRole('link', { name: '我的证照' }).first().click()]);
    await holder.getByRole('heading', { name: '食品经营许可证' }).waitFor();
    assert.ok(await holder.getByText(identifier).isVisible());
    await holder.screenshot({ path: join(shots, `my-licenses-${name}.png`), fullPage: true });
    await Promise.all([holder.waitForURL(/\/my\/licenses\/1\./), holder.getByRole('link', { name: /^用证记录/ }).first().click()]);
    await holder.getByRole('cell', { name: '未登录的访客' }).first().waitFor();
    await holder.screenshot({ path: join(shots, `license-uses-${name}.png`), fullPage: true });
    await holder.context().close();
  }
});
