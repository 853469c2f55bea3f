//! Embeds the example knowledge: a copy of examples/acme without hidden
//! entries (a `.lore/` pack built there locally must never ship).

use std::path::{Path, PathBuf};

fn main() {
    let source = Path::new("../../examples/acme");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("example-acme");
    let _ = std::fs::remove_dir_all(&out);
    println!("cargo:rerun-if-changed={}", source.display());
    copy(source, &out);
}

fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("creating the example copy");
    let Ok(entries) = std::fs::read_dir(from) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        let path = entry.path();
        println!("cargo:rerun-if-changed={}", path.display());
        if path.is_dir() {
            copy(&path, &to.join(&name));
        } else {
            std::fs::copy(&path, to.join(&name)).expect("copying the example");
        }
    }
}
