// Browser check of the foundation: open the site, sign in as a demo officer,
// go through the forced password change, sign out, sign in again.
// The server and browser come from harness.js.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { start, shots } from './harness.js';

let base, browser, stop;

before(async () => {
  ({ base, browser, stop } = await start());
});

after(async () => {
  if (stop) await stop();
});

test('demo officer signs in, must change the password, signs out', async () => {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } }); // a phone
  await page.goto(base + '/');
  assert.match(await page.title(), /^首页 - /); // the portal, no sign-in needed
  await page.locator('header').getByRole('link', { name: '登录', exact: true }).click();
  await page.waitForURL(/\/login/);
  assert.equal(await page.locator('h1').innerText(), '用户登录');
  await page.screenshot({ path: join(shots, '01-login.png'), fullPage: true });

  await page.getByLabel('用户名').fill('demo_counter');
  await page.getByLabel('密码', { exact: true }).fill('Demo@12345');
  await page.getByRole('button', { name: '登录' }).click();
  await page.waitForURL(/\/account\/password$/);
  assert.equal(await page.locator('h1').innerText(), '修改密码');

  // Mismatched confirmation: a clear Chinese message, nothing changed.
  await page.getByLabel('原密码').fill('Demo@12345');
  await page.getByLabel('新密码', { exact: true }).fill('Counter#2026');
  await page.getByLabel('确认新密码').fill('Counter#2027');
  await page.getByRole('button', { name: '保存新密码' }).click();
  assert.match(await page.locator('[role=alert]').innerText(), /两次输入的新密码不一致/);

  await page.getByLabel('原密码').fill('Demo@12345');
  await page.getByLabel('新密码', { exact: true }).fill('Counter#2026');
  await page.getByLabel('确认新密码').fill('Counter#2026');
  await page.getByRole('button', { name: '保存新密码' }).click();
  await page.waitForURL(/\/\?changed=1$/);
  assert.match(await page.locator('h1').innerText(), /您好，李娜/);
  assert.match(await page.locator('[role=status]').first().innerText(), /密码已修改/);
  await page.screenshot({ path: join(shots, '02-home.png'), fullPage: true });

  await page.getByRole('button', { name: '退出' }).click();
  await page.waitForURL(/\/login$/);

  // The old password is refused, the new one lets the officer straight in.
  await page.getByLabel('用户名').fill('demo_counter');
  await page.getByLabel('密码', { exact: true }).fill('Demo@12345');
  await page.getByRole('button', { name: '登录' }).click();
  assert.match(await page.locator('[role=alert]').innerText(), /用户名或密码错误/);
  await page.getByLabel('用户名').fill('demo_counter');
  await page.getByLabel('密码', { exact: true }).fill('Counter#2026');
  await page.getByRole('button', { name: '登录' }).click();
  await page.waitForURL(u => new URL(u).pathname === '/');
  assert.match(await page.locator('h1').innerText(), /您好/);
  await page.close();
});

test('the public 办事日历 shows holidays and computes a deadline', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(base + '/calendar?year=2025');
  assert.match(await page.locator('h1').innerText(), /办事日历：2025年/);
  assert.equal(await page.locator('td.day.makeup[title^="2025-09-28"]').count(), 1);
  await page.getByLabel('受理日期').fill('2025-09-26');
  await page.getByLabel('时限（工作日）').fill('5');
  await page.getByRole('button', { name: '计算' }).click();
  assert.equal(await page.locator('#due').innerText(), '2025-10-10');
  await page.screenshot({ path: join(shots, '03-calendar.png'), fullPage: false });
  await page.close();
});

test('a citizen searches the guide in Chinese and opens an item', async () => {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  await page.goto(base + '/guide');
  await page.getByLabel('搜索事项').fill('开餐馆');
  await page.getByRole('button', { name: '搜索' }).click();
  await page.waitForURL(/\/guide\?q=/);
  const first = page.locator('ul.items li a').first();
  const name = await first.innerText();
  assert.ok(['食品经营许可', '餐饮服务开业联办（一件事）'].includes(name), name);
  assert.ok(await page.locator('ul.items mark').count() > 0, 'matched words are highlighted');
  await first.click();
  await page.waitForURL(/\/guide\/\d+$/);
  assert.equal(await page.locator('h1').innerText(), name);
  assert.equal(await page.locator('svg.flow').count(), 1);
  assert.ok((await page.locator('main').innerText()).includes('申请材料'));
  await page.screenshot({ path: join(shots, '04-guide.png'), fullPage: true });
  await page.close();
});

test('the large mode (大字版) enlarges type and controls and reads in one column', async () => {
  const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
  await page.goto(base + '/guide');
  await Promise.all([page.waitForURL(/\/guide/), page.getByRole('button', { name: '大字版' }).click()]);
  assert.equal(await page.locator('body.large').count(), 1);
  const size = await page.evaluate(() => parseFloat(getComputedStyle(document.body).fontSize));
  assert.ok(size >= 22, `font size ${size}`);
  const button = await page.getByRole('button', { name: '搜索' }).boundingBox();
  assert.ok(button.height >= 48, `a tap target of ${button.height}px`);
  const input = await page.getByLabel('搜索事项').boundingBox();
  assert.ok(input.height >= 48, `a control of ${input.height}px`);
  await page.screenshot({ path: join(shots, '05-large-1366.png'), fullPage: false });
  await page.goto(base + '/login');
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: join(shots, '05-large-390.png'), fullPage: true });
  await page.getByRole('button', { name: '标准字体' }).click();
  await page.waitForLoadState();
  assert.equal(await page.locator('body.large').count(), 0);
  await page.close();
});
