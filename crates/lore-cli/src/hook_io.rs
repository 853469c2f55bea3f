//! The hook transport: a bounded payload on stdin and a deadline.

use std::io::Read;

use anyhow::{Context as _, Result};
use lore_model::Decision;

/// Hook payloads larger than this are not read.
const MAX_PAYLOAD_BYTES: u64 = 1024 * 1024;
/// A hook answers within this, whatever happens.
const HOOK_DEADLINE: std::time::Duration = std::time::Duration::from_secs(4);

/// Reads a hook payload from stdin, bounded in size; the deadline thread
/// answers if reading or deciding hangs. `None` when it is over the limit.
pub fn read_payload() -> Result<Option<String>> {
    let mut bytes = Vec::new();
    std::io::stdin().take(MAX_PAYLOAD_BYTES + 1).read_to_end(&mut bytes).context("reading the hook payload")?;
    if bytes.len() as u64 > MAX_PAYLOAD_BYTES {
        return Ok(None);
    }
    Ok(Some(String::from_utf8_lossy(&bytes).into_owned()))
}

/// Starts a watchdog: if the hook has not answered by the deadline, it
/// answers for it (fail-open, saying so) and exits.
pub fn start_deadline(agent: lore_hooks::Agent) {
    std::thread::spawn(move || {
        std::thread::sleep(HOOK_DEADLINE);
        let answer = lore_hooks::Answer {
            decision: Decision::Warn,
            reason: "lore did not decide in time; failing open",
            context: "",
            approve_hint: "",
        };
        let response = lore_hooks::render(agent, &answer);
        print!("{}", response.stdout);
        eprint!("lore: hook timed out after {} s; failing open\n{}", HOOK_DEADLINE.as_secs(), response.stderr);
        std::process::exit(response.exit_code);
    });
}
