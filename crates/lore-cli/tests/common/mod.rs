//! What the CLI's integration tests share: the `lore` binary as a
//! [`Command`] isolated from the developer's own knowledge and pack, the
//! environment each test gives it, and reading what it printed.

// Each file in tests/ is its own crate and uses only some of these helpers;
// the rest would warn as dead code in that crate.
#![allow(dead_code)]

use std::fmt::Debug;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

/// The `lore` binary under test, with `LORE_KNOWLEDGE` and `LORE_PACK_DIR`
/// removed from its environment: no test uses the knowledge or the packs of
/// whoever runs it.
pub fn lore() -> Command {
    let mut lore = Command::new(env!("CARGO_BIN_EXE_lore"));
    lore.env_remove("LORE_KNOWLEDGE").env_remove("LORE_PACK_DIR");
    lore
}

/// The environment and arguments tests give [`lore`], and running it.
pub trait LoreCommand {
    /// Adds `--knowledge DIR`.
    fn knowledge(&mut self, dir: impl AsRef<Path>) -> &mut Self;
    /// Sets `HOME`.
    fn home(&mut self, dir: impl AsRef<Path>) -> &mut Self;
    /// Sets `HOME` to `dir` and `XDG_CACHE_HOME` to `dir/cache`, so packs
    /// built in the cache stay under `dir`.
    fn home_with_cache(&mut self, dir: impl AsRef<Path>) -> &mut Self;
    /// Sets `XDG_CACHE_HOME`.
    fn cache_home(&mut self, dir: impl AsRef<Path>) -> &mut Self;
    /// Sets `XDG_CONFIG_HOME`.
    fn config_home(&mut self, dir: impl AsRef<Path>) -> &mut Self;
    /// Sets `LORE_PACK_DIR`.
    fn pack_dir(&mut self, dir: impl AsRef<Path>) -> &mut Self;
    /// Sets `LORE_LOG`, the decision log.
    fn log(&mut self, path: impl AsRef<Path>) -> &mut Self;
    /// Removes `KUBECONFIG`, `AWS_PROFILE` and `TF_WORKSPACE`, so the
    /// runner's own cluster, cloud profile or workspace selects nothing.
    fn without_cloud_context(&mut self) -> &mut Self;
    /// Runs to completion, capturing stdout and stderr.
    fn run(&mut self) -> Output;
    /// Runs with `stdin` written to its standard input, capturing stdout and
    /// stderr. lore may stop reading early (a hook's right); that is not a
    /// failure.
    fn run_with_stdin(&mut self, stdin: &[u8]) -> Output;
}

impl LoreCommand for Command {
    fn knowledge(&mut self, dir: impl AsRef<Path>) -> &mut Self {
        self.arg("--knowledge").arg(dir.as_ref())
    }

    fn home(&mut self, dir: impl AsRef<Path>) -> &mut Self {
        self.env("HOME", dir.as_ref())
    }

    fn home_with_cache(&mut self, dir: impl AsRef<Path>) -> &mut Self {
        let dir = dir.as_ref();
        self.home(dir).cache_home(dir.join("cache"))
    }

    fn cache_home(&mut self, dir: impl AsRef<Path>) -> &mut Self {
        self.env("XDG_CACHE_HOME", dir.as_ref())
    }

    fn config_home(&mut self, dir: impl AsRef<Path>) -> &mut Self {
        self.env("XDG_CONFIG_HOME", dir.as_ref())
    }

    fn pack_dir(&mut self, dir: impl AsRef<Path>) -> &mut Self {
        self.env("LORE_PACK_DIR", dir.as_ref())
    }

    fn log(&mut self, path: impl AsRef<Path>) -> &mut Self {
        self.env("LORE_LOG", path.as_ref())
    }

    fn without_cloud_context(&mut self) -> &mut Self {
        self.env_remove("KUBECONFIG").env_remove("AWS_PROFILE").env_remove("TF_WORKSPACE")
    }

    fn run(&mut self) -> Output {
        self.output().expect("lore runs")
    }

    fn run_with_stdin(&mut self, stdin: &[u8]) -> Output {
        let mut child =
            self.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("lore starts");
        let _ = child.stdin.take().expect("stdin").write_all(stdin);
        child.wait_with_output().expect("lore runs")
    }
}

/// Bytes lore printed, as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// lore's stdout as JSON; panics, showing that stdout, when it is not.
pub fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&out.stdout)))
}

/// lore's stdout as JSON after asserting that lore succeeded; `what` (the
/// arguments, say) heads either failure's message.
pub fn success_json(out: &Output, what: impl Debug) -> Value {
    assert!(out.status.success(), "{what:?}: {}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{what:?}: {e}: {}", text(&out.stdout)))
}
