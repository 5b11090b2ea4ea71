//! A real SMTP server for the tests: Python's aiosmtpd (PyPI `aiosmtpd`),
//! started on a port of 127.0.0.1, writing each mail it receives to a
//! folder: the raw message (`NNNNN.eml`) and what Python's own `email`
//! parser reads from it (`NNNNN.json`: envelope, From, To, the decoded
//! Subject and text), so that the tests check the encoding of Chinese text
//! against an independent reader.
//!
//! `SmtpServer::wanted()` says whether the tests can run: without aiosmtpd
//! they are skipped, unless `ZWFW_REQUIRE_SMTP` is set (CI sets it), when its
//! absence is a failure.

use serde_json::Value;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

const SERVER: &str = r#"
import json, os, sys, threading, email, email.policy
from aiosmtpd.controller import Controller

port, folder = int(sys.argv[1]), sys.argv[2]
count = [0]
lock = threading.Lock()

class Keep:
    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        part = msg.get_body(preferencelist=("plain",))
        seen = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "from": str(msg["from"]),
            "to": str(msg["to"]),
            "subject": str(msg["subject"]),
            "message_id": str(msg["message-id"]),
            "content_type": part.get_content_type() if part else "",
            "charset": part.get_content_charset() if part else "",
            "text": part.get_content() if part else "",
        }
        with lock:
            count[0] += 1
            name = os.path.join(folder, "%05d" % count[0])
        with open(name + ".eml", "wb") as f:
            f.write(raw)
        with open(name + ".tmp", "w", encoding="utf-8") as f:
            json.dump(seen, f, ensure_ascii=False)
        os.replace(name + ".tmp", name + ".json")
        return "250 OK"

c = Controller(Keep(), hostname="127.0.0.1", port=port)
c.start()
print("ready", flush=True)
sys.stdin.read()
c.stop()
"#;

/// A running aiosmtpd server; stopped when dropped.
pub struct SmtpServer {
    pub port: u16,
    pub folder: PathBuf,
    child: Child,
}

impl SmtpServer {
    /// Whether aiosmtpd can be imported; when it cannot, the test is skipped
    /// (false) unless `ZWFW_REQUIRE_SMTP` is set, which fails it.
    pub fn wanted() -> bool {
        let ok = Command::new("python3")
            .args(["-c", "import aiosmtpd"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            assert!(
                std::env::var_os("ZWFW_REQUIRE_SMTP").is_none(),
                "ZWFW_REQUIRE_SMTP is set but python3 cannot import aiosmtpd (pip install aiosmtpd)"
            );
            eprintln!("SKIPPED: python3 cannot import aiosmtpd (pip install aiosmtpd)");
        }
        ok
    }

    /// A port nobody listens on now (for a server started later).
    pub fn free_port() -> u16 {
        std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
    }

    /// Starts the server on `port`; returns once it accepts connections.
    pub fn start(port: u16) -> SmtpServer {
        let folder = std::env::temp_dir().join(format!("zwfw_smtp_{}_{port}", std::process::id()));
        let _ = std::fs::remove_dir_all(&folder);
        std::fs::create_dir_all(&folder).unwrap();
        let mut child = Command::new("python3")
            .args(["-c", SERVER, &port.to_string(), folder.to_str().unwrap()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 runs");
        // The script says "ready" once its controller listens.
        let mut line = String::new();
        std::io::BufRead::read_line(&mut std::io::BufReader::new(child.stdout.take().unwrap()), &mut line).unwrap();
        assert_eq!(line.trim(), "ready", "the SMTP test server did not start");
        SmtpServer { port, folder, child }
    }

    /// The mails received so far, in order, as the Python parser read them.
    pub fn mails(&self) -> Vec<Value> {
        let mut names: Vec<PathBuf> = std::fs::read_dir(&self.folder)
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        names.sort();
        names.iter().map(|p| serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()).collect()
    }

    /// The settings that send to this server (plain SMTP, no sign-in).
    pub fn config(port: u16) -> zwfw_app::outbox::email::SmtpConfig {
        zwfw_app::outbox::email::SmtpConfig {
            host: "127.0.0.1".into(),
            port,
            tls: zwfw_app::outbox::email::SmtpTls::None,
            user: None,
            password: None,
            from: "示例市政务服务 <noreply@zwfw.example.gov.cn>".into(),
            timeout_ms: 5_000,
            link_base: "https://zwfw.example.gov.cn".into(),
            signature: "示例市政务服务平台".into(),
        }
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.folder);
    }
}
