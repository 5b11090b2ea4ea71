// Browser check of the notices: a citizen on a 390 px phone gives an e-mail
// address (a wrong one first), the counter asks for a supplement, and the
// citizen's workbench shows what waits with the unread count in the menu;
// the notice also arrives by e-mail at a real SMTP server (Python's aiosmtpd,
// skipped when it is missing unless ZWFW_REQUIRE_SMTP is set). The head, at
// 1,366 px, sees an extension waiting for approval.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { start, shots, signIn, applyOnline, apiSession } from './harness.js';

const haveSmtp = spawnSync('python3', ['-c', 'import aiosmtpd']).status === 0;
if (!haveSmtp && process.env.ZWFW_REQUIRE_SMTP) throw new Error('ZWFW_REQUIRE_SMTP is set but python3 cannot import aiosmtpd');

let base, browser, stop, smtp, mailDir;

const SERVER = `
import json, os, sys, email, email.policy
from aiosmtpd.controller import Controller
port, folder = int(sys.argv[1]), sys.argv[2]
class Keep:
    n = 0
    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        Keep.n += 1
        with open(os.path.join(folder, "%05d.json" % Keep.n), "w", encoding="utf-8") as f:
            json.dump({"to": envelope.rcpt_tos, "subject": str(msg["subject"]), "text": msg.get_body(("plain",)).get_content()}, f, ensure_ascii=False)
        return "250 OK"
c = Controller(Keep(), hostname="127.0.0.1", port=port)
c.start()
print("ready", flush=True)
sys.stdin.read()
`;

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
    s.on('error', reject);
  });
}

before(async () => {
  const env = {};
  if (haveSmtp) {
    const port = await freePort();
    mailDir = mkdtempSync(join(tmpdir(), 'zwfw-e2e-mail-'));
    smtp = spawn('python3', ['-c', SERVER, String(port), mailDir], { stdio: ['pipe', 'pipe', 'inherit'] });
    await new Promise((resolve, reject) => {
      smtp.stdout.once('data', d => (String(d).includes('ready') ? resolve() : reject(new Error(String(d)))));
      smtp.once('exit', code => reject(new Error('aiosmtpd exited with ' + code)));
    });
    Object.assign(env, {
      ZWFW_SMTP_HOST: '127.0.0.1', ZWFW_SMTP_PORT: String(port), ZWFW_SMTP_TLS: 'none',
      ZWFW_SMTP_FROM: '示例市政务服务 <noreply@zwfw.example.gov.cn>',
    });
  }
  ({ base, browser, stop } = await start({ env }));
});

after(async () => {
  if (stop) await stop();
  if (smtp) smtp.kill();
  if (mailDir) rmSync(mailDir, { recursive: true, force: true });
});

/** Fails when the page is wider than its viewport. */
async function fits(page) {
  const [scroll, width] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.ok(scroll <= width, `${page.url()}: ${scroll} px wide in ${width}`);
}

test('the applicant is told of a supplement in the workbench and by e-mail; the head sees the extension waiting', async () => {
  const phone = await signIn(browser, base, 'demo_citizen', { viewport: { width: 390, height: 844 }, isMobile: true });
  // A wrong address: a clear message, nothing saved; then a right one.
  await phone.goto(base + '/account');
  await phone.getByLabel('电子邮箱', { exact: true }).fill('chen@localhost');
  await phone.getByRole('button', { name: '保存' }).click();
  await phone.getByRole('alert').filter({ hasText: '域名' }).waitFor();
  await fits(phone);
  await phone.getByLabel('电子邮箱', { exact: true }).fill('chen.xiaohua@example.cn');
  await Promise.all([phone.waitForURL(/done=email/), phone.getByRole('button', { name: '保存' }).click()]);
  await phone.screenshot({ path: join(shots, 'notices-account-390.png'), fullPage: true });

  const caseId = await applyOnline(base);
  const counter = await apiSession(base, 'demo_counter');
  const r = await counter.post(`/api/v1/cases/${caseId}/actions`, { action: 'supplement_request', missing: ['营业执照复印件不清晰', '缺少场所平面图'] });
  assert.equal(r.status, 200, JSON.stringify(r.body));

  await phone.goto(base + '/');
  await phone.getByRole('heading', { name: /待我补正/ }).waitFor();
  assert.ok(await phone.getByText('缺少场所平面图').first().isVisible());
  assert.ok(await phone.locator('nav .badge').count() > 0, 'the menu shows the unread count');
  await fits(phone);
  await phone.screenshot({ path: join(shots, 'notices-workbench-390.png'), fullPage: true });
  await phone.goto(base + '/my/messages');
  await phone.getByText('请补正材料：食品经营许可').first().waitFor();
  await fits(phone);
  await phone.screenshot({ path: join(shots, 'notices-messages-390.png'), fullPage: true });

  if (haveSmtp) {
    // The e-mail sender runs every 10 seconds.
    let mail;
    for (let i = 0; i < 60 && !mail; i++) {
      for (const f of readdirSync(mailDir)) {
        const m = JSON.parse(readFileSync(join(mailDir, f), 'utf-8'));
        if (m.to.includes('chen.xiaohua@example.cn') && m.subject === '请补正材料：食品经营许可') mail = m;
      }
      if (!mail) await new Promise(res => setTimeout(res, 1000));
    }
    assert.ok(mail, 'the supplement notice arrives by e-mail');
    assert.match(mail.text, /缺少场所平面图/);
    assert.match(mail.text, new RegExp(`/cases/${caseId}`));
  }

  // The head, on a desktop, sees an extension waiting for approval.
  const supply = await (await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'demo_citizen', password: 'Demo@12345' }) })).json();
  const auth = { authorization: `Bearer ${supply.token}` };
  const fd = new FormData();
  fd.append('file', new Blob([Buffer.from('%PDF-1.4\n%%EOF\n')], { type: 'application/pdf' }), '平面图.pdf');
  const up = await (await fetch(base + '/api/v1/uploads', { method: 'POST', headers: auth, body: fd })).json();
  let s = await fetch(`${base}/api/v1/cases/${caseId}/actions`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ action: 'supplement_provide', materials: [{ material_no: 1, upload_id: up.id }] }) });
  assert.equal(s.status, 200, await s.text());
  for (const action of [{ action: 'accept' }, { action: 'pass', opinion: '受理' }]) {
    const a = await counter.post(`/api/v1/cases/${caseId}/actions`, action);
    assert.equal(a.status, 200, JSON.stringify(a.body));
  }
  const reviewer = await apiSession(base, 'demo_reviewer');
  const x = await reviewer.post(`/api/v1/cases/${caseId}/actions`, { action: 'extension_request', days: 10, opinion: '需现场核查' });
  assert.equal(x.status, 200, JSON.stringify(x.body));
  const head = await signIn(browser, base, 'demo_head', { viewport: { width: 1366, height: 900 } });
  await head.goto(base + '/');
  await head.getByRole('heading', { name: '待我处理' }).waitFor();
  await head.getByText(/待您审批：延长审批/).first().waitFor();
  await fits(head);
  await head.screenshot({ path: join(shots, 'notices-head-1366.png'), fullPage: true });
});
