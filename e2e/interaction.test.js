// Browser check of public interaction and ratings: an anonymous consultation
// is routed to the department named, answered there and appears on the public
// list; a citizen rates a concluded case 非常不满意, the department calls back
// and replies, and the citizen and the public see the published reply.
// The server and browser come from harness.js.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createServer } from 'node:http';
import { start, shots, signIn as harnessSignIn } from './harness.js';

let base, browser, stop, gateway;
// A stand-in for the city's SMS gateway: the server under test is started
// with ZWFW_SMS_URL pointing here, and every message it hands over is kept.
const texts = [];

before(async () => {
  gateway = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      texts.push({ auth: req.headers.authorization, ...JSON.parse(body) });
      res.end('ok');
    });
  });
  await new Promise((done) => gateway.listen(0, '127.0.0.1', done));
  const env = {
    ZWFW_SMS_URL: `http://127.0.0.1:${gateway.address().port}/send`,
    ZWFW_SMS_TOKEN: 'e2e-token',
    ZWFW_SMS_LINK_BASE: 'https://zwfw.example.cn',
  };
  ({ base, browser, stop } = await start({ env }));
});

after(async () => {
  if (stop) await stop();
  if (gateway) gateway.close();
});

/** Waits (the sender looks every 10 seconds) for an SMS whose text contains `needle`. */
async function smsWith(needle) {
  for (let i = 0; i < 60; i++) {
    const t = texts.find((m) => m.content.includes(needle));
    if (t) return t;
    await new Promise((r) => setTimeout(r, 500));
  }
  assert.fail(`no SMS with ${needle}: ${JSON.stringify(texts)}`);
}

async function fresh(viewport = { width: 1280, height: 900 }) {
  const context = await browser.newContext({ viewport });
  context.setDefaultTimeout(90000);
  return context.newPage();
}

async function signIn(user, viewport) {
  return harnessSignIn(browser, base, user, viewport ? { viewport } : {});
}

test('an anonymous consultation is routed, answered and published', async () => {
  const phone = { width: 390, height: 844 };
  const anon = await fresh(phone);
  await anon.goto(base + '/interact');
  await anon.getByRole('link', { name: '我要咨询' }).click();
  await anon.getByLabel(/^标题/).fill('个体工商户登记要带哪些材料？<script>alert(1)</script>');
  await anon.getByLabel(/^内容/).fill('想在东城区开一家小餐馆，请问登记需要准备什么。');
  await anon.getByLabel('涉及部门（可不选）').selectOption({ label: '示例市市场监督管理局' });
  await anon.getByLabel(/^手机号码/).fill('13812345678');
  await anon.getByRole('button', { name: '提交' }).click();
  const code = (await anon.locator('#code').textContent()).trim();
  assert.match(code, /^ZX\d{14}$/);
  assert.match(await anon.locator('main').textContent(), /示例市市场监督管理局/);
  await anon.screenshot({ path: join(shots, 'interaction-submitted.png'), fullPage: true });

  const officer = await signIn('demo_reviewer');
  await officer.goto(base + '/work/interactions');
  await officer.getByRole('link', { name: code }).click();
  await officer.getByLabel(/^答复内容/).fill('请携带身份证原件、经营场所使用证明，到市民中心市场监管窗口办理。');
  await Promise.all([officer.waitForURL(/done=reply/), officer.getByRole('button', { name: '答复', exact: true }).click()]);
  assert.match(await officer.locator('#state').textContent(), /已答复/);

  await anon.goto(base + '/interact?q=' + encodeURIComponent('小餐馆'));
  await anon.getByRole('link', { name: code }).click();
  assert.match(await anon.locator('#reply').textContent(), /经营场所使用证明/);
  const title = await anon.locator('h2').first().textContent();
  assert.ok(title.includes('<script>'), 'the title is shown as text, not run');
  assert.doesNotMatch(await anon.locator('main').textContent(), /13812345678/, 'no mobile number in public');
  await anon.screenshot({ path: join(shots, 'interaction-public.png'), fullPage: true });

  // The anonymous submitter is told by SMS, through the configured gateway.
  const sms = await smsWith(code);
  assert.equal(sms.mobile, '13812345678');
  assert.equal(sms.auth, 'Bearer e2e-token');
  assert.match(sms.content, new RegExp(`^【示例市政务服务平台】您的留言 ${code} 已答复：.* 详见 https://zwfw\\.example\\.cn/interact/${code}$`));
});

test('a county government office sees its departments\' handlers', async () => {
  const office = await signIn('demo_county', { width: 390, height: 844 });
  await office.goto(base + '/work/interactions/handlers');
  await office.getByLabel('按区县查看').selectOption({ label: '东城区' });
  await office.getByRole('button', { name: '查看' }).first().click();
  const table = office.locator('#region-handlers');
  assert.match(await table.textContent(), /东城区人民政府办公室（统筹交办）\s*负责人 刘洋 13900000010/);
  assert.match(await table.textContent(), /东城区市场监督管理局/);
  assert.ok(await office.getByRole('link', { name: '我的留言' }).count() === 0, 'the staff menu');
  await office.screenshot({ path: join(shots, 'interaction-county-handlers.png'), fullPage: true });
});

test('a bad rating is followed up and its reply published', async () => {
  const citizen = await signIn('demo_citizen');
  await citizen.goto(base + '/cases?state=concluded');
  await citizen.locator('table a[href^="/cases/"]').first().click();
  const form = citizen.locator('form.rate:has(input[name="stage"][value="conclusion"])');
  await form.getByLabel('非常不满意').check();
  await form.getByLabel(/文字评价/).fill('来回跑了三次才办完');
  await Promise.all([citizen.waitForURL(/done=rated/), form.getByRole('button', { name: '提交评价' }).click()]);
  await citizen.getByRole('link', { name: /整改：待回访/ }).click();
  const ratingUrl = citizen.url();
  const department = (await citizen.locator('dt:text("部门") + dd').textContent()).trim();
  // Every department the demo cases pass through has a demo officer demo_<key>_staff.
  const staff = {
    '示例市市场监督管理局': 'demo_market_staff', '示例市自然资源局': 'demo_land_staff',
    '示例市住房和城乡建设局': 'demo_housing_staff', '示例市卫生健康委员会': 'demo_health_staff',
    '示例市司法局': 'demo_justice_staff', '示例市政务服务中心': 'demo_center_staff',
    '东城区市场监督管理局': 'demo_dc_market_staff',
  }[department];
  assert.ok(staff, `a demo officer of ${department}`);

  const officer = await signIn(staff);
  await officer.goto(ratingUrl);
  await officer.getByLabel(/回访记录/).fill('11月30日电话联系申请人，了解到材料被多次退回。');
  await Promise.all([officer.waitForURL(/done=call_back/), officer.getByRole('button', { name: '记录回访' }).click()]);
  await officer.getByLabel(/核实情况/).fill('情况属实，窗口未一次性告知。');
  await officer.getByLabel(/整改措施/).fill('已对窗口人员培训，推行一次性告知清单。');
  await officer.getByLabel(/^答复/).fill('感谢监督，已整改：今后材料问题一次性告知。');
  await Promise.all([officer.waitForURL(/done=reply/), officer.getByRole('button', { name: '提交答复' }).click()]);

  await citizen.goto(ratingUrl);
  assert.match(await citizen.locator('#follow-up').textContent(), /已整改答复/);
  assert.match(await citizen.locator('#reply').textContent(), /一次性告知/);
  await citizen.screenshot({ path: join(shots, 'rating-follow-up.png'), fullPage: true });
  const anon = await fresh();
  await anon.goto(base + '/ratings/public');
  assert.match(await anon.locator('main').textContent(), /今后材料问题一次性告知/);
});
