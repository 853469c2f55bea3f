//! Link options for the `lore` binary.

fn main() {
    // A position-independent lore applies ~40,000 relocations at every start,
    // about 1 ms of page faults; hooks start a process per agent command.
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
