// Shared by the browser checks that read what the program sends: a real SMTP
// server (Python's aiosmtpd; absent unless installed, and then required when
// ZWFW_REQUIRE_SMTP is set) and an SMS gateway speaking the program's HTTP
// protocol (docs/operations.md, "The SMS gateway"). Each gives the server
// environment that points zwfw at it.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';

export const haveSmtp = spawnSync('python3', ['-c', 'import aiosmtpd']).status === 0;
if (!haveSmtp && process.env.ZWFW_REQUIRE_SMTP) throw new Error('ZWFW_REQUIRE_SMTP is set but python3 cannot import aiosmtpd');

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

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
    s.on('error', reject);
  });
}

/** Waits (the senders run every 10 seconds) for the first of `list()` that `wanted` accepts. */
async function first(list, wanted, seconds = 60) {
  for (let i = 0; i < seconds; i++) {
    const found = list().find(wanted);
    if (found) return found;
    await new Promise(res => setTimeout(res, 1000));
  }
  return null;
}

/** A local SMTP server, or null without aiosmtpd: `env` for zwfw, `mails()` received
 * ({to, subject, text}), `waitFor(wanted)`, `stop()`. */
export async function mailServer() {
  if (!haveSmtp) return null;
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'zwfw-e2e-mail-'));
  const smtp = spawn('python3', ['-c', SERVER, String(port), dir], { stdio: ['pipe', 'pipe', 'inherit'] });
  await new Promise((resolve, reject) => {
    smtp.stdout.once('data', d => (String(d).includes('ready') ? resolve() : reject(new Error(String(d)))));
    smtp.once('exit', code => reject(new Error('aiosmtpd exited with ' + code)));
  });
  const mails = () => readdirSync(dir).sort().map(f => JSON.parse(readFileSync(join(dir, f), 'utf-8')));
  return {
    env: {
      ZWFW_SMTP_HOST: '127.0.0.1', ZWFW_SMTP_PORT: String(port), ZWFW_SMTP_TLS: 'none',
      ZWFW_SMTP_FROM: '示例市政务服务 <noreply@zwfw.example.gov.cn>',
    },
    mails,
    waitFor: wanted => first(mails, wanted),
    stop: () => { smtp.kill(); rmSync(dir, { recursive: true, force: true }); },
  };
}

/** A local SMS gateway that takes every message: `env` for zwfw, `messages()`
 * ({id, mobile, content}), `waitFor(wanted)`, `stop()`. */
export async function smsGateway() {
  const received = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', d => { body += d; });
    req.on('end', () => {
      try { received.push(JSON.parse(body)); } catch { /* not a message */ }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
  });
  await new Promise(resolve => server.listen(0, '127.0.0.1', resolve));
  const messages = () => [...received];
  return {
    env: { ZWFW_SMS_URL: `http://127.0.0.1:${server.address().port}/sms/send` },
    messages,
    waitFor: wanted => first(messages, wanted),
    stop: () => new Promise(resolve => server.close(resolve)),
  };
}
