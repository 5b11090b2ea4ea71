// Browser check of entering next year's holidays: the administrator pastes
// the State Council notice's text, the form is filled from it, a year
// missing festivals is refused naming them, the preview lists the due days
// that move, and the year is saved only once confirmed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { start, shots, signInWithTotp } from './harness.js';

let base, browser, stop;

// Monday 2026-12-07, 10:00 in Beijing: the 2027 notice is due.
before(async () => {
  ({ base, browser, stop } = await start({ env: { ZWFW_NOW: '2026-12-07T02:00:00Z' } }));
});

after(async () => {
  if (stop) await stop();
});

const NOTICE = [
  '国务院办公厅关于2027年部分节假日安排的通知',
  '测试〔2026〕9号',
  '一、元旦：1月1日（周五）至3日（周日）放假，共3天。',
  '二、春节：2月5日（农历除夕、周五）至12日（周五）放假调休，共8天。2月20日（周六）上班。',
].join('\n');

const REST = [
  '清明节 2027-04-03 2027-04-05',
  '劳动节 2027-05-01 2027-05-05',
  '端午节 2027-06-09 2027-06-09',
  '中秋节 2027-09-15 2027-09-15',
  '国庆节 2027-10-01 2027-10-07',
].join('\n');

async function fitsWidth(page) {
  return page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
}

test('next year is entered from the notice, checked, previewed and confirmed', async () => {
  const page = await signInWithTotp(browser, base, 'demo_admin', { width: 1366, height: 900 });
  await page.goto(base + '/admin/calendar?year=2027');
  await page.getByLabel('通知全文').fill(NOTICE);
  await page.getByRole('button', { name: '识别' }).click();
  await page.getByText('已按通知文本填入').waitFor();
  const holidays = page.getByLabel('放假（每行：名称 开始日期 结束日期）');
  assert.match(await holidays.inputValue(), /春节 2027-02-05 2027-02-12/);
  assert.match(await page.getByLabel('调休上班（每行：名称 日期，须为周六或周日）').inputValue(), /春节 2027-02-20/);
  const notices = page.getByLabel('通知（每行：文号 | 标题 | 发布日期）');
  assert.match(await notices.inputValue(), /测试〔2026〕9号/);
  await notices.fill('测试〔2026〕9号 | 国务院办公厅关于2027年部分节假日安排的通知 | 2026-12-01');

  // Only 元旦 and 春节: refused, naming each missing festival with its date.
  await page.getByRole('button', { name: '预览影响' }).click();
  const alert = page.getByRole('alert');
  await alert.waitFor();
  const text = await alert.innerText();
  for (const want of ['缺少清明节（2027-04-05）', '缺少中秋节（2027-09-15）', '缺少国庆节（2027-10-01、2027-10-02、2027-10-03）']) {
    assert.ok(text.includes(want), `${text} names ${want}`);
  }
  await page.screenshot({ path: join(shots, 'calendar-refused-1366.png'), fullPage: true });

  // The whole year: the preview lists what moves, and only a confirmation saves it.
  await holidays.fill((await holidays.inputValue()) + '\n' + REST);
  await page.getByRole('button', { name: '预览影响' }).click();
  await page.locator('#impact').waitFor();
  assert.match(await page.locator('#impact h3').innerText(), /保存后期限将改变的事项：共\d+件/);
  await page.screenshot({ path: join(shots, 'calendar-preview-1366.png'), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  assert.ok(await fitsWidth(page), 'the preview fits a phone');
  await page.screenshot({ path: join(shots, 'calendar-preview-390.png'), fullPage: true });
  await page.setViewportSize({ width: 1366, height: 900 });

  await page.getByLabel('修改原因（必填，将告知相关申请人和承办人）').fill('录入2027年放假通知');
  await page.getByLabel('我已核对放假安排和上述期限变化').check();
  await Promise.all([
    page.waitForURL(u => new URL(u).search === '?year=2027'),
    page.getByRole('button', { name: '确认保存' }).click(),
  ]);
  await page.locator('td[title="2027-09-15 中秋节"]').waitFor();
  assert.equal(await page.getByText('2027年工作日历尚未录入').count(), 0, 'the warning is gone');
  await page.screenshot({ path: join(shots, 'calendar-saved-1366.png'), fullPage: true });
  await page.context().close();
});
