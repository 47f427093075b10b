//! A real SMTP server on loopback for tests (feature `test-server`): Python's aiosmtpd running
//! `testserver/smtp_server.py`. `GDPRKIT_PYTHON` names the interpreter that has aiosmtpd
//! (`python3` by default); `scripts/test-all.sh` makes one.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};

/// The server, stopped when dropped. Each message it takes is written to its directory as
/// `N.eml`, and each attachment as `N-FILENAME`; it refuses recipients starting with `refuse`.
pub struct TestServer {
    child: Child,
    /// What the server prints: `ready PORT`, then `accepted N` per message.
    out: Option<BufReader<ChildStdout>>,
    /// The port it listens on, on 127.0.0.1.
    pub port: u16,
    /// Where it writes what it receives.
    pub dir: PathBuf,
}

impl TestServer {
    /// Starts a server writing to `dir`, and returns once it listens.
    ///
    /// # Panics
    ///
    /// When the server cannot start (no Python, no aiosmtpd): the tests that need it cannot run.
    pub fn start(dir: &Path) -> TestServer {
        let python = std::env::var("GDPRKIT_PYTHON").unwrap_or_else(|_| "python3".into());
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("testserver/smtp_server.py");
        let mut child = Command::new(&python)
            .arg(script)
            .arg(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("{python} could not start: {e}"));
        let mut line = String::new();
        let mut out = child.stdout.take().map(BufReader::new);
        if let Some(out) = out.as_mut() {
            let _ = out.read_line(&mut line);
        }
        // The server binds a port the system picks and says which: no two tests race for one.
        let port = line.trim().strip_prefix("ready ").and_then(|p| p.parse::<u16>().ok()).unwrap_or_else(|| {
            panic!(
                "the SMTP server did not start ({line:?}): is aiosmtpd installed for {python}? \
                 (./scripts/test-all.sh installs it)"
            )
        });
        TestServer { child, out, port, dir: dir.to_owned() }
    }

    /// Blocks until the server has written its next message and is about to answer `250`;
    /// returns the message's number (its file is `N.eml`).
    ///
    /// # Panics
    ///
    /// When the server stopped.
    pub fn next_accepted(&mut self) -> u64 {
        let mut line = String::new();
        let read = self.out.as_mut().map_or(0, |o| o.read_line(&mut line).unwrap_or(0));
        assert!(read > 0, "the SMTP server stopped");
        line.trim().strip_prefix("accepted ").and_then(|n| n.parse().ok()).unwrap_or_else(|| panic!("{line:?}"))
    }

    /// Its URL, for [`crate::SmtpConfig::from_url`].
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        // Closing its standard input stops it.
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}
