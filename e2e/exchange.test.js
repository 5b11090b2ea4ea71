// Browser check of the exchange monitor (数据交换) as the centre
// administrator, with a real 前置库 (a fresh MariaDB database at
// 127.0.0.1:3306): the demo cases' rows are delivered, the province writes a
// feedback row about one of them, the administrator reads the feedback now,
// opens the row (its 办件编号, not an internal id), corrects the blamed column
// and sends it again; at 1,366 px, then the monitor and the row on a 390 px
// phone without horizontal overflow.
//
// Without the MariaDB client or server the check is skipped, unless
// ZWFW_REQUIRE_MARIADB is set (as in CI), which fails it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { start, shots, signInWithTotp } from './harness.js';

const DB = `zwfw_front_${Math.floor(Date.now() / 1000)}_${process.pid}`;
let env, front;

/** Runs SQL in the front database with the MariaDB client; its output (tab-separated). */
function sql(text, db = DB) {
  return execFileSync('mariadb', ['-uroot', '-h127.0.0.1', '-P3306', '-N', '-B', ...(db ? [db] : []), '-e', text],
    { encoding: 'utf8' });
}

function mariadbUp() {
  try {
    sql('SELECT 1', null);
    return true;
  } catch (e) {
    if (process.env.ZWFW_REQUIRE_MARIADB) throw new Error(`MariaDB is required: ${e.message}`);
    return false;
  }
}

before(async () => {
  if (!mariadbUp()) return;
  sql(`CREATE DATABASE ${DB}`, null);
  front = true;
  env = await start({ env: { ZWFW_EXCHANGE_URL: `mysql://root@127.0.0.1:3306/${DB}` } });
});

after(async () => {
  if (env) await env.stop();
  if (front) sql(`DROP DATABASE IF EXISTS ${DB}`, null);
});

/** Waits until the exporter has delivered an acceptance row; its row_guid and batch. */
async function deliveredAccept() {
  for (let i = 0; i < 120; i++) {
    let out = '';
    try {
      out = sql('SELECT row_guid, cd_batch, project_no FROM up_pro_accept ORDER BY id LIMIT 1').trim();
    } catch { /* the tables are made by the exporter's first batch */ }
    if (out) {
      const [guid, batch, no] = out.split('\t');
      return { guid, batch, no };
    }
    await new Promise(r => setTimeout(r, 500));
  }
  throw new Error('no acceptance row reached the 前置库');
}

const fits = page => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

test('the monitor, a feedback row and its correction, at 1366 and 390 px', async t => {
  if (!env) return t.skip('no MariaDB server');
  const { base, browser } = env;
  const row = await deliveredAccept();
  sql(`INSERT INTO dn_audit_abnormal (row_guid, cd_time, err_type, remark, table_cd_batch, table_cd_source, table_cd_time,
    table_name, table_row_guid, table_sql_name, table_update_time) VALUES ('e2e-1', NOW(), '数据校验不通过',
    '申请人名称与营业执照不符', '${row.batch}', '01', NOW(), '办件受理信息', '${row.guid}', 'up_pro_accept', NOW())`);

  const page = await signInWithTotp(browser, base, 'demo_admin', { width: 1366, height: 900 });
  await page.goto(base + '/admin/exchange');
  await page.getByRole('heading', { name: '数据交换', level: 1 }).waitFor();
  assert.match(await page.getByRole('table', { name: '各表报送情况' }).innerText(), /up_pro_accept/);
  await page.getByRole('button', { name: '立即读取反馈' }).click();
  await page.waitForLoadState();
  assert.match(await page.getByRole('status').first().innerText(), /已读取省级平台反馈：新增 1 条/);
  const feedback = page.locator('tr', { hasText: '申请人名称与营业执照不符' });
  assert.match(await feedback.innerText(), /applyer_name/);
  // The case by its 办件编号, the full number on hover.
  assert.equal(await feedback.locator('.case-no').getAttribute('title'), row.no);
  assert.ok(await fits(page), 'the monitor fits 1366 px');
  await page.screenshot({ path: join(shots, 'exchange-monitor-1366.png'), fullPage: true });

  await feedback.getByRole('link', { name: '更正并重新报送' }).click();
  await page.getByRole('heading', { level: 1 }).filter({ hasText: '交换记录' }).waitFor();
  assert.equal(await page.locator('dd .case-no').getAttribute('title'), row.no);
  assert.equal(await page.getByLabel('更正字段（可不选）').inputValue(), 'applyer_name', 'the blamed column is chosen');
  const rowUrl = page.url();
  await page.setViewportSize({ width: 390, height: 844 });
  assert.ok(await fits(page), 'the row fits a 390 px phone');
  await page.screenshot({ path: join(shots, 'exchange-row-390.png'), fullPage: true });
  await page.setViewportSize({ width: 1366, height: 900 });
  await page.getByLabel('更正后的值').fill('示例市明达餐饮有限公司');
  await page.getByLabel('原因（必填）').fill('经核对营业执照更正申请人名称');
  await page.getByRole('button', { name: '更正并重新报送' }).click();
  await page.waitForURL(u => new URL(u).pathname === '/admin/exchange');
  assert.match(await page.getByRole('status').first().innerText(), /已更正并重新报送/);
  assert.equal(await page.locator('tr', { hasText: '申请人名称与营业执照不符' }).count(), 0, 'corrected');

  // The new version reaches the 前置库 with a row_guid of its own; the old row stays.
  for (let i = 0; i < 60; i++) {
    if (sql(`SELECT COUNT(*) FROM up_pro_accept WHERE project_no = '${row.no}'`).trim() === '2') break;
    await new Promise(r => setTimeout(r, 500));
  }
  assert.equal(sql(`SELECT COUNT(*) FROM up_pro_accept WHERE project_no = '${row.no}'`).trim(), '2');
  assert.equal(sql(`SELECT COUNT(*) FROM up_pro_accept WHERE row_guid = '${row.guid}'`).trim(), '1');

  // The row page now says it was sent again, and offers no second correction.
  await page.goto(rowUrl);
  assert.match(await page.locator('dl').first().innerText(), /已更正并重新报送/);
  assert.equal(await page.getByRole('button', { name: '更正并重新报送' }).count(), 0);

  // On a phone: the monitor fits.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(base + '/admin/exchange');
  assert.ok(await fits(page), 'the monitor fits a 390 px phone');
  await page.screenshot({ path: join(shots, 'exchange-monitor-390.png'), fullPage: true });
});
