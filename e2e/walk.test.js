// Browser walk of a citizen on a 390 px phone: applies online for 食品经营许可,
// is refused with what is missing (the files chosen so far kept), saves a
// draft, leaves, resumes it from 我的办件 and submits; the counter asks for a
// supplement, which the citizen reads in the in-app messages and by e-mail
// (a real SMTP server; skipped without aiosmtpd unless ZWFW_REQUIRE_SMTP is
// set), and supplies; then a visitor follows the case at /track by ID number
// and a one-time code read from the SMS gateway.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { start, shots, signIn, apiSession } from './harness.js';
import { mailServer, smsGateway } from './outbox.js';

let base, browser, stop, mail, sms;

before(async () => {
  mail = await mailServer();
  sms = await smsGateway();
  ({ base, browser, stop } = await start({ env: { ...(mail ? mail.env : {}), ...sms.env } }));
});

after(async () => {
  if (stop) await stop();
  if (mail) mail.stop();
  if (sms) await sms.stop();
});

const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true };
const MOBILE = '13912345678';
const EMAIL = 'chen.walk@example.cn';

/** demo_citizen's 居民身份证号码: the demo's first 17 digits and their GB 11643 check character. */
const ID_NO = (body => {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...body].reduce((a, c, i) => a + Number(c) * w[i], 0);
  return body + '10X98765432'[sum % 11];
})('52990219850612302');

const pdf = label => ({
  name: `${label}.pdf`,
  mimeType: 'application/pdf',
  buffer: Buffer.from(`%PDF-1.4\n% ${label}\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n`),
});

/** Fails when the page is wider than its viewport. */
async function fits(page) {
  const [scroll, width] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.ok(scroll <= width, `${page.url()}: ${scroll} px wide in ${width}`);
}

async function shot(page, name) {
  await fits(page);
  await page.screenshot({ path: join(shots, `walk-${name}-390.png`), fullPage: true });
}

test('a citizen applies, keeps a draft, resumes it, supplements and follows the case by ID number and SMS code', async () => {
  const phone = await signIn(browser, base, 'demo_citizen', PHONE);
  const items = await (await fetch(base + '/api/v1/guide/items')).json();
  const item = items.find(i => i.name === '食品经营许可');
  assert.ok(item, 'the demo item is published');

  // The application form, with two of the four materials.
  await phone.goto(`${base}/guide/${item.item_id}`);
  await phone.getByRole('link', { name: '在线办理' }).click();
  await phone.getByLabel('经营场所 *').fill('示例市市民大道 1 号');
  await phone.getByLabel('主体业态 *').selectOption('餐饮服务经营者');
  await phone.getByLabel('经营项目 *').fill('热食类食品制售');
  await phone.getByLabel('联系电话').fill(MOBILE);
  await phone.getByLabel(/^电子邮箱/).fill(EMAIL);
  assert.match(await phone.locator('form.card').first().innerText(), /申请人：陈小华（5299/, 'the applicant is the account, masked');
  await phone.setInputFiles('#m1', pdf('申请书'));
  await phone.setInputFiles('#m2', pdf('营业执照复印件'));
  await phone.getByRole('button', { name: '提交申请' }).click();
  // Refused with what is missing, in Chinese; the two files are kept.
  const alert = await phone.getByRole('alert').first().innerText();
  assert.match(alert, /缺少必备材料/);
  assert.match(alert, /食品安全管理制度|设备设施布局/);
  assert.equal(await phone.locator('.file-kept').count(), 2, 'the files chosen before the error are kept');
  assert.equal(await phone.getByLabel('经营项目 *').inputValue(), '热食类食品制售');
  await shot(phone, '1-missing');

  // The form is now the draft's, which holds the files; saved again, the citizen leaves.
  const caseId = (await phone.locator('form.card[enctype]').getAttribute('action')).match(/\/cases\/(\d+)\/edit/)[1];
  await Promise.all([phone.waitForLoadState('load'), phone.getByRole('button', { name: '保存草稿' }).click()]);
  await phone.getByRole('status').filter({ hasText: '草稿已保存' }).waitFor();
  await shot(phone, '2-draft');
  await phone.goto(base + '/');

  // Back through 我的办件: the draft is listed, opens, and resumes in the form with its files.
  await phone.goto(base + '/cases');
  await phone.getByRole('heading', { name: /我的办件/ }).first().waitFor();
  await shot(phone, '3-my-cases');
  await phone.locator(`a[href="/cases/${caseId}"]`).first().click();
  await phone.getByRole('link', { name: '继续填写并提交' }).click();
  assert.equal(await phone.locator('.file-kept').count(), 2);
  assert.equal(await phone.getByLabel('经营场所 *').inputValue(), '示例市市民大道 1 号');
  await phone.setInputFiles('#m3', pdf('设备设施布局'));
  await phone.setInputFiles('#m4', pdf('食品安全管理制度'));
  await phone.getByRole('button', { name: '提交申请' }).click();
  await phone.waitForSelector('#case-no');
  const caseNo = (await phone.locator('#case-no').innerText()).trim();
  assert.match(caseNo, /^[0-9A-Z]+\d{12}$/);
  await shot(phone, '4-submitted');

  // The counter asks for a supplement.
  const counter = await apiSession(base, 'demo_counter');
  const r = await counter.post(`/api/v1/cases/${caseId}/actions`, { action: 'supplement_request', missing: ['缺少经营场所平面图'] });
  assert.equal(r.status, 200, JSON.stringify(r.body));

  // The citizen reads it in the in-app messages…
  await phone.goto(base + '/my/messages');
  await phone.getByText('请补正材料：食品经营许可').first().waitFor();
  assert.ok(await phone.getByText(/缺少经营场所平面图/).first().isVisible());
  await shot(phone, '5-messages');
  // …and by e-mail, at the address the application gave.
  if (mail) {
    const m = await mail.waitFor(m => m.to.includes(EMAIL) && m.subject === '请补正材料：食品经营许可');
    assert.ok(m, 'the supplement notice arrives by e-mail');
    assert.match(m.text, /缺少经营场所平面图/);
    assert.match(m.text, new RegExp(`/cases/${caseId}`));
  }

  // The citizen supplies the material on the case page.
  await phone.goto(`${base}/cases/${caseId}`);
  assert.match(await phone.locator('.banner.warn').first().innerText(), /缺少经营场所平面图/);
  await phone.setInputFiles('#s3', pdf('经营场所平面图'));
  await Promise.all([phone.waitForURL(/done=supplement_provide/), phone.getByRole('button', { name: '提交补正材料' }).click()]);
  await shot(phone, '6-supplied');

  // A visitor follows the case by ID number, mobile and the code sent by SMS.
  const visitor = await browser.newPage(PHONE);
  await visitor.goto(base + '/track');
  const byId = visitor.locator('form[action="/track/identity"]');
  await byId.getByLabel(/身份证号/).fill(ID_NO);
  await byId.getByLabel(/手机号码/).fill(MOBILE);
  await Promise.all([visitor.waitForLoadState('load'), byId.getByRole('button', { name: '获取短信验证码' }).click()]);
  const text = await sms.waitFor(m => m.mobile === MOBILE && m.content.includes('办件查询'));
  assert.ok(text, 'the code is sent by SMS');
  const code = text.content.match(/验证码(\d{6})/)[1];
  await visitor.locator('form[action="/track/identity"]').getByLabel(/短信验证码/).fill(code);
  await visitor.locator('form[action="/track/identity"] button:not([name=resend])').click();
  await visitor.getByText(caseNo).first().waitFor();
  assert.match(await visitor.locator('main').innerText(), /食品经营许可/);
  assert.equal(await visitor.locator('#case_no').inputValue(), '', 'the number form starts empty');
  await shot(visitor, '7-track');
  await visitor.close();
});
