// Browser walk of every 电子证照 and 人口库/法人库 page, each as the user it
// serves, at 1,366 px and on a 390 px phone: no page wider than its viewport,
// no serious axe-core violation (the harness checks every page loaded).
// 电子证照管理 (tables as cards on a phone, replacing a key in use only when
// confirmed), the verification page of a valid, a superseded, an unknown
// and a mistyped licence, 我的证照 and its 用证记录 (company) and the empty
// 证照夹 (citizen), 人口库/法人库 (administrator) and its look-up (counter).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, signIn, signInWithTotp, walkWidths, grantToCompany } from './harness.js';

let base, browser, stop;

before(async () => {
  ({ base, browser, stop } = await start());
});

after(async () => {
  if (stop) await stop();
});

/** Opens `path` at each width: no horizontal overflow, a screenshot each; `check` runs at each. */
const walk = (page, path, name, check) => walkWidths(base, page, path, `licenses-walk-${name}`, check);

/** A grant of 食品经营许可 to demo_company, then reissued: both versions' identifiers. */
async function grantAndReissue() {
  const { identifier, counter } = await grantToCompany(base, 'JY15299002026009');
  const r = await counter.post(`/api/v1/licenses/${identifier}/changes`, { action: 'reissue', reason: '遗失补办' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return { first: identifier, second: r.body.identifier };
}

test('every licence and registry page fits 1366 and 390 px for the user it serves', async () => {
  // 电子证照管理: in the administrator's navigation; the first key, then a second try refused until confirmed.
  const admin = await signInWithTotp(browser, base, 'demo_admin', { width: 1366, height: 900 });
  await admin.getByRole('link', { name: '电子证照管理' }).click();
  await admin.getByRole('heading', { name: '电子证照管理', level: 1 }).waitFor();
  // A department without a key gets its first one at once.
  const keyless = await admin
    .locator('#department_id option')
    .evaluateAll(os => os.find(o => o.value && !o.textContent.includes('已有在用密钥'))?.value);
  assert.ok(keyless, 'a department without a key');
  await admin.getByLabel('部门', { exact: true }).selectOption(keyless);
  await Promise.all([admin.waitForURL(/done=key_created/), admin.getByRole('button', { name: '生成密钥' }).click()]);
  // The demo's market regulator has one in use: replacing it is refused until confirmed.
  await admin.getByLabel('部门', { exact: true }).selectOption({ label: '示例市市场监督管理局（已有在用密钥）' });
  await admin.getByRole('button', { name: '生成密钥' }).click();
  assert.match(await admin.getByRole('alert').innerText(), /已有在用的签名密钥[\s\S]*确认更换密钥/);
  await walk(admin, '/admin/licenses', 'admin', async (page, width) => {
    // Every column of the key table is readable on a phone (cards, not a clipped table).
    const cell = page.locator('td[data-label="状态"]').last();
    const box = await cell.boundingBox();
    assert.ok(box && box.x + box.width <= width, `the key's status is on screen at ${width} px`);
  });
  await walk(admin, '/admin/registry', 'registry', async page => {
    await page.getByRole('heading', { name: '人口库/法人库', level: 1 }).waitFor();
  });

  // Verification, public: valid, superseded (with its successor), unknown, mistyped.
  const { first, second } = await grantAndReissue();
  const visitor = await browser.newPage({ viewport: { width: 1366, height: 900 } });
  await walk(visitor, `/verify/${second}`, 'verify-valid', async page => {
    assert.ok(await page.getByText('有效', { exact: true }).isVisible());
    await page.getByText('签名验证通过').first().waitFor();
  });
  await walk(visitor, `/verify/${first}`, 'verify-superseded', async page => {
    assert.ok(await page.getByText('已换发', { exact: true }).isVisible());
    assert.ok(await page.getByRole('link', { name: second }).isVisible());
  });
  await walk(visitor, '/verify/1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001.F', 'verify-unknown', async page => {
    assert.match(await page.locator('main').innerText(), /电子证照不存在/);
  });
  const mistyped = second.slice(0, -1) + (second.endsWith('A') ? 'B' : 'A');
  await walk(visitor, `/verify/${mistyped}`, 'verify-mistyped', async page => {
    assert.match(await page.locator('main').innerText(), /校验位不正确/);
  });
  await visitor.close();

  // 我的证照 and 用证记录: the company's; the citizen's empty 证照夹.
  const company = await signIn(browser, base, 'demo_company');
  await walk(company, '/my/licenses', 'my-company', async page => {
    assert.ok(await page.getByText(second).isVisible());
  });
  await walk(company, `/my/licenses/${first}`, 'uses', async page => {
    await page.getByRole('cell', { name: '未登录的访客' }).first().waitFor();
  });
  const citizen = await signIn(browser, base, 'demo_citizen');
  await walk(citizen, '/my/licenses', 'my-citizen', async page => {
    assert.match(await page.locator('main').innerText(), /还没有电子证照/);
  });
  await walk(citizen, `/my/licenses/${first}`, 'uses-other', async page => {
    assert.match(await page.locator('main').innerText(), /电子证照不存在/, 'another holder\'s log is not found');
  });

  // The counter's look-up: a mistyped number is said once; a record is shown.
  const counter = await signIn(browser, base, 'demo_land'); // 窗口人员 of another department: the look-up is the counter's, any department's
  await walk(counter, '/work/registry', 'lookup', async (page, width) => {
    await page.getByRole('radio', { name: /法人/ }).check();
    await page.getByRole('textbox', { name: '号码' }).fill('91529902MA12345678');
    await page.getByRole('button', { name: '查询' }).click();
    await page.getByRole('alert').waitFor();
    assert.equal(await page.getByRole('alert').count(), 1, 'the error is shown once');
    const [scroll, inner] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    assert.ok(scroll <= inner, `the answer fits ${width} px`);
  });
});
