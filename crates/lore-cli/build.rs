// The example knowledge is embedded with include_dir; rebuild when it changes.
fn main() {
    // A position-independent lore applies ~40,000 relocations at every start,
    // about 1 ms of page faults; hooks start a process per agent command.
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
    println!("cargo:rerun-if-changed=../../examples/acme");
    for entry in walk(std::path::Path::new("../../examples/acme")) {
        println!("cargo:rerun-if-changed={}", entry.display());
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                out.push(path.clone());
                out.extend(walk(&path));
            } else {
                out.push(path);
            }
        }
    }
    out
}
