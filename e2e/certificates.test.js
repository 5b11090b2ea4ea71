// Browser check of staff certificates (数字证书): the centre registers 李娜's
// SM2 certificate made by the demo CA (`zwfw cert demo-issue`) — another
// person's is refused with its reason, nothing stored; she signs in with it
// through the sign-in page's script and a local signing service run with
// the software key (`zwfw cert signer`), a forged pasted signature being
// refused first; she reports it lost on her account page, which blocks a
// sign-in waiting on another browser at once; at 1,366 and 390 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { start, signIn, signInWithTotp, walkWidths, apiSession } from './harness.js';

const bin = process.env.ZWFW_BIN || join(dirname(fileURLToPath(import.meta.url)), '..', 'target', 'debug', 'zwfw');
let base, browser, stop, signer, dir, port;

function freePort() {
  return new Promise(resolve => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
  });
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'zwfw-certs-'));
  port = await freePort();
  for (const [name, out] of [['李娜', 'lina'], ['周强', 'zhou']]) {
    execFileSync(bin, ['cert', 'demo-issue', '--ca-dir', dir, '--name', name, '--unit', '市场监督管理局', '--out', join(dir, out)]);
  }
  signer = spawn(bin, ['cert', 'signer', '--key', join(dir, 'lina.key'), '--listen', `127.0.0.1:${port}`], { stdio: 'ignore' });
  // The CA of this test's certificates is the configured one (not the demo
  // CA of the data directory, whose certificate the demo registers).
  ({ base, browser, stop } = await start({ env: {
    ZWFW_CERTIFICATES_SIGNING_SERVICE: `http://127.0.0.1:${port}/sm2/sign`,
    ZWFW_CERTIFICATES_CA_FILE: join(dir, 'ca.pem'),
  } }));
});

after(async () => {
  if (signer) signer.kill('SIGTERM');
  if (stop) await stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('the centre registers a certificate, the holder signs in with it and reports it lost', async () => {
  // Her first password change is done before the certificate exists.
  await apiSession(base, 'demo_counter');
  const centre = await signInWithTotp(browser, base, 'demo_center', { width: 1366, height: 900 });
  await centre.goto(base + '/admin/users');
  const row = centre.getByRole('row').filter({ hasText: 'demo_counter' });
  await Promise.all([centre.waitForURL(/\/admin\/users\/\d+$/), row.getByRole('link', { name: '查看' }).click()]);
  await Promise.all([centre.waitForURL(/\/certificates$/), centre.getByRole('link', { name: '数字证书' }).click()]);
  const path = new URL(centre.url()).pathname;

  // Another person's certificate: refused with the reason, nothing stored.
  await centre.getByLabel('证书文件（.cer、.crt或.pem）').setInputFiles(join(dir, 'zhou.pem'));
  await centre.getByLabel('原因（如：新领取、挂失后补办）').fill('新领取');
  await centre.getByRole('button', { name: '登记证书' }).click();
  await centre.waitForLoadState();
  assert.match(await centre.getByRole('alert').innerText(), /属于“周强”，与该工作人员的姓名不符/);
  assert.ok(await centre.getByText('尚未登记数字证书').isVisible(), 'nothing stored');
  // Hers, pasted as PEM.
  await centre.getByLabel('或粘贴证书（PEM格式）').fill(readFileSync(join(dir, 'lina.pem'), 'utf8'));
  await centre.getByLabel('原因（如：新领取、挂失后补办）').fill('新领取');
  await Promise.all([centre.waitForURL(/done=registered/), centre.getByRole('button', { name: '登记证书' }).click()]);
  await walkWidths(base, centre, path, 'certificates-admin', async page => {
    assert.match(await page.getByRole('table').innerText(), /李娜[\s\S]*有效/);
  });

  // She signs in: the password, then the certificate page.
  const holder = await signIn(browser, base, 'demo_counter', { viewport: { width: 1366, height: 900 } });
  assert.equal(new URL(holder.url()).pathname, '/login/certificate');
  await walkWidths(base, holder, '/login/certificate', 'certificates-login', async page => {
    assert.ok(await page.getByRole('button', { name: '使用证书签名' }).isVisible());
  });
  // A forged signature, pasted: refused with its reason.
  await holder.setViewportSize({ width: 1366, height: 900 });
  await holder.goto(base + '/login/certificate');
  await holder.getByText('无法连接证书客户端时：粘贴签名').click();
  const forged = execFileSync(bin, ['cert', 'sign', '--key', join(dir, 'zhou.key'), '--challenge',
    await holder.getByLabel('本次验证码').inputValue()]).toString().trim();
  await holder.getByLabel('签名（Base64或十六进制）').fill(forged);
  await holder.getByRole('button', { name: '验证签名并登录' }).click();
  await holder.waitForLoadState();
  assert.match(await holder.getByRole('alert').innerText(), /证书签名验证失败/);
  // Through the local signing service: signed in.
  await Promise.all([
    holder.waitForURL(u => new URL(u).pathname === '/'),
    holder.getByRole('button', { name: '使用证书签名' }).click(),
  ]);

  // A sign-in waiting on another browser, then she reports the certificate lost.
  const other = await signIn(browser, base, 'demo_counter', { viewport: { width: 390, height: 900 } });
  assert.equal(new URL(other.url()).pathname, '/login/certificate');
  await walkWidths(base, holder, '/account', 'certificates-account', async page => {
    assert.match(await page.locator('table.certs').innerText(), /有效/);
  });
  await holder.setViewportSize({ width: 390, height: 900 });
  await holder.goto(base + '/account#certificates');
  await holder.getByRole('combobox', { name: '报告' }).selectOption('lost');
  await holder.getByLabel('情况说明').fill('证书介质遗失');
  await Promise.all([holder.waitForURL(/done=certificate_reported/), holder.getByRole('button', { name: '报告并停用' }).click()]);
  assert.match(await holder.locator('table.certs').innerText(), /已挂失/);
  // Blocked at once: the waiting sign-in fails with the reason.
  await other.getByRole('button', { name: '使用证书签名' }).click();
  await other.waitForLoadState();
  await other.waitForFunction(() => document.body.innerText.includes('已挂失'));
  assert.match(await other.locator('main').innerText(), /您的数字证书已挂失，不能用于登录/);
});
