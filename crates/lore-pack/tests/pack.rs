//! Building and opening packs: bad input, incremental rebuilds, staleness,
//! and damaged packs.

mod common;

use std::path::Path;

use common::{build_at, config, source};
use lore_model::Severity;
use lore_pack::IndexUpdate;
use lore_pack::{Pack, PackError, query};
use lore_search::{SearchIndex, SearchRequest};

fn write(root: &Path, path: &str, text: &str) {
    let full = root.join(path);
    std::fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
    std::fs::write(full, text).expect("write");
}

const GOOD_SYSTEM: &str = "kind: system\nname: billing\ntier: 1\nowner: money\n";
const GOOD_RUNBOOK: &str = "---\nkind: runbook\nsystems: [billing]\n---\n# Billing restarts\n\n## Restart\n\nRestart the billing workers one at a time.\n";

#[test]
fn bad_files_are_reported_with_file_and_line_and_the_rest_builds() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    write(root, "systems/billing.yaml", GOOD_SYSTEM);
    write(root, "runbooks/billing.md", GOOD_RUNBOOK);
    write(root, "systems/broken.yaml", "kind: system\nname: x\n  bad: indentation\n");
    write(root, "rules/no-why.md", "---\nkind: rule\nid: no-why\ndecision: deny\n---\n");
    write(root, "rules/bad-front-matter.md", "---\nkind: rule\ndecision: [deny\n---\n# Body still searchable\n");
    write(root, "k8s/deploy.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: [\n");
    write(root, "junk.yaml", "\u{0}\u{1}\u{2} kind: system");
    std::fs::write(root.join("binary.md"), [0xff, 0xfe, 0x00, 0x41]).expect("write");
    write(root, "bomb.yaml", &format!("kind: system\nname: {}\n", "[".repeat(50_000)));
    write(root, "huge-line.md", &format!("# Huge\n\n{}\n", "word ".repeat(400_000)));

    let report = build_at(root, config(vec![]));
    let pack = Pack::open(&root.join(".lore")).expect("opens");
    let data = pack.data();
    assert!(query::resolve(data, "billing").is_some(), "good files still load");
    assert_eq!(data.runbooks.iter().filter(|r| r.id.as_str() == "billing-restarts").count(), 1);
    let errors: Vec<String> = report
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| format!("{}:{}: {}", d.file, d.line, d.message))
        .collect();
    let has = |prefix: &str| errors.iter().any(|e| e.starts_with(prefix));
    assert!(has("systems/broken.yaml:3:"), "{errors:#?}");
    assert!(has("rules/no-why.md:"), "{errors:#?}");
    assert!(errors.iter().any(|e| e.contains("no rationale")), "{errors:#?}");
    assert!(has("rules/bad-front-matter.md:3:") || has("rules/bad-front-matter.md:4:"), "{errors:#?}");
    assert!(!errors.iter().any(|e| e.contains("internal error")), "no adapter panicked: {errors:#?}");
    assert!(has("k8s/deploy.yaml:"), "{errors:#?}");
    assert!(has("binary.md:1:"), "{errors:#?}");
    assert!(errors.iter().any(|e| e.starts_with("bomb.yaml:") && e.contains("nesting")), "{errors:#?}");
    assert_eq!(report.manifest.counts.errors, errors.len());
}

#[test]
fn one_changed_file_rebuilds_incrementally() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    write(root, "systems/billing.yaml", GOOD_SYSTEM);
    for i in 0..20 {
        write(root, &format!("runbooks/r{i}.md"), &format!("# Runbook {i}\n\n## Steps\n\nstep {i}\n"));
    }
    let first = build_at(root, config(vec![]));
    assert_eq!(first.files_read, 21);
    assert!(matches!(first.index, IndexUpdate::Full { .. }));

    let again = build_at(root, config(vec![]));
    assert_eq!((again.files_read, again.files_reused), (0, 21));
    assert_eq!(again.index, IndexUpdate::Unchanged);

    write(root, "runbooks/r7.md", "# Runbook 7\n\n## Steps\n\nquiesce the zeppelin\n");
    let third = build_at(root, config(vec![]));
    assert_eq!(third.files_read, 1, "only the changed file is read");
    assert!(matches!(third.index, IndexUpdate::Incremental { files: 1, .. }), "{:?}", third.index);
    let index = SearchIndex::open(&root.join(".lore/index")).expect("index");
    let hits =
        index.search(&SearchRequest { text: "zeppelin".into(), limit: 3, ..Default::default() }).expect("search").hits;
    assert_eq!(hits.first().map(|h| h.path.as_str()), Some("runbooks/r7.md"));
    let old =
        index.search(&SearchRequest { text: "step 7".into(), limit: 20, ..Default::default() }).expect("search").hits;
    assert!(old.iter().all(|h| h.path != "runbooks/r7.md" || !h.snippet.contains("step 7")), "old text is gone");

    std::fs::remove_file(root.join("runbooks/r3.md")).expect("rm");
    let fourth = build_at(root, config(vec![]));
    assert_eq!(fourth.manifest.counts.runbooks, 19);
    let index = SearchIndex::open(&root.join(".lore/index")).expect("index");
    let gone = index
        .search(&SearchRequest { text: "Runbook 3".into(), limit: 30, ..Default::default() })
        .expect("search")
        .hits;
    assert!(gone.iter().all(|h| h.path != "runbooks/r3.md"), "a deleted file leaves the index");
}

#[test]
fn an_index_written_with_other_settings_is_rebuilt_whole() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    write(root, "runbooks/a.md", "# Alpha\n\n## Steps\n\nrotate the flux capacitor\n");
    write(root, "runbooks/b.md", "# Beta\n\n## Steps\n\ndrain the zeppelin\n");
    build_at(root, config(vec![]));
    // An index from an older lore, which compressed its stored fields.
    for sub in ["docs", "sections"] {
        let meta = root.join(".lore/index").join(sub).join("meta.json");
        let text = std::fs::read_to_string(&meta).expect("meta.json");
        assert!(text.contains("\"docstore_compression\": \"none\""), "{text}");
        std::fs::write(&meta, text.replace("\"docstore_compression\": \"none\"", "\"docstore_compression\": \"lz4\""))
            .expect("write meta.json");
    }
    write(root, "runbooks/b.md", "# Beta\n\n## Steps\n\ninflate the zeppelin\n");
    let report = build_at(root, config(vec![]));
    assert!(matches!(report.index, IndexUpdate::Full { .. }), "{:?}", report.index);
    let index = SearchIndex::open(&root.join(".lore/index")).expect("index");
    let hits = index
        .search(&SearchRequest { text: "flux capacitor".into(), limit: 3, ..Default::default() })
        .expect("search")
        .hits;
    assert_eq!(hits.first().map(|h| h.path.as_str()), Some("runbooks/a.md"));
    assert!(hits[0].snippet.contains("flux capacitor"), "stored text reads back: {:?}", hits[0].snippet);
}

#[test]
fn a_new_system_name_reindexes_everything() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    write(root, "docs/ledger/notes.md", "# Ledger notes\n\ntext\n");
    build_at(root, config(vec![]));
    // The folder name now names a system, so the document's system changes.
    write(root, "systems/ledger.yaml", "kind: system\nname: ledger\n");
    let report = build_at(root, config(vec![]));
    assert!(matches!(report.index, IndexUpdate::Full { .. }), "{:?}", report.index);
    let index = SearchIndex::open(&root.join(".lore/index")).expect("index");
    let hits = index
        .search(&SearchRequest { text: "notes".into(), system: Some("ledger".into()), limit: 3, ..Default::default() })
        .expect("search")
        .hits;
    assert_eq!(hits.len(), 1, "the document is now about ledger");
}

#[test]
fn staleness_notices_changed_added_and_removed_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    write(root, "systems/billing.yaml", GOOD_SYSTEM);
    build_at(root, config(vec![source("systems")]));
    let pack = Pack::open(&root.join(".lore")).expect("opens");
    assert!(!pack.is_stale());

    // mtime granularity: make sure the change is visible.
    std::thread::sleep(std::time::Duration::from_millis(20));
    write(root, "systems/billing.yaml", "kind: system\nname: billing\ntier: 2\n");
    assert!(pack.is_stale(), "a changed file");
    build_at(root, config(vec![source("systems")]));
    let pack = Pack::open(&root.join(".lore")).expect("opens");
    assert!(!pack.is_stale());

    std::thread::sleep(std::time::Duration::from_millis(20));
    write(root, "systems/other.yaml", "kind: system\nname: other\n");
    assert!(pack.is_stale(), "an added file");
    build_at(root, config(vec![source("systems")]));
    let pack = Pack::open(&root.join(".lore")).expect("opens");
    std::thread::sleep(std::time::Duration::from_millis(20));
    std::fs::remove_file(root.join("systems/other.yaml")).expect("rm");
    assert!(pack.is_stale(), "a removed file");
}

#[test]
fn a_pack_is_trusted_by_its_header_and_checked_in_full_on_demand() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    write(root, "systems/billing.yaml", GOOD_SYSTEM);
    build_at(root, config(vec![]));
    let pack_dir = root.join(".lore");
    let pack_path = pack_dir.join("pack.bin");
    let good = std::fs::read(&pack_path).expect("read");
    assert_eq!(&good[..8], b"LOREPACK");
    Pack::open(&pack_dir).expect("open").verify().expect("a fresh pack verifies");

    // A byte changed after the build: opening trusts the header, verifying does not.
    let mut edited = good.clone();
    let last = edited.len() - 100;
    edited[last] ^= 0x5A;
    std::fs::write(&pack_path, &edited).expect("write");
    let err = Pack::open(&pack_dir).expect("open").verify().expect_err("an edited pack");
    assert!(err.to_string().contains("checksum"), "{err}");

    // Written by another layout: validated in full, so garbage is caught on open.
    let mut foreign = vec![0xA5u8; good.len()];
    foreign[..64].copy_from_slice(&good[..64]);
    foreign[8] ^= 1;
    std::fs::write(&pack_path, &foreign).expect("write");
    let err = Pack::open(&pack_dir).err().expect("another layout's garbage");
    assert!(matches!(err, PackError::Corrupt { .. }), "{err}");

    // Another build's pack.bin under this manifest: not the file it describes.
    let mut other = good.clone();
    other[16] ^= 1;
    std::fs::write(&pack_path, &other).expect("write");
    let err = Pack::open(&pack_dir).err().expect("a mismatched pack");
    assert!(err.to_string().contains("not the file the manifest describes"), "{err}");
}

#[test]
fn damaged_packs_give_a_clear_error_with_a_rebuild_hint() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    write(root, "systems/billing.yaml", GOOD_SYSTEM);
    build_at(root, config(vec![]));
    let pack_dir = root.join(".lore");

    let missing = Pack::open(&root.join("nowhere")).err().expect("no pack");
    assert!(matches!(missing, PackError::Missing(_)) && missing.to_string().contains("lore build"));

    let bytes = std::fs::read(pack_dir.join("pack.bin")).expect("read");
    std::fs::write(pack_dir.join("pack.bin"), &bytes[..bytes.len() / 2]).expect("truncate");
    let err = Pack::open(&pack_dir).err().expect("truncated pack");
    assert!(matches!(err, PackError::Corrupt { .. }) && err.to_string().contains("run `lore build`"), "{err}");

    // Same length, garbage content: validation catches it.
    std::fs::write(pack_dir.join("pack.bin"), vec![0xA5u8; bytes.len()]).expect("garble");
    let err = Pack::open(&pack_dir).err().expect("garbled pack");
    assert!(matches!(err, PackError::Corrupt { .. }), "{err}");

    let manifest = std::fs::read_to_string(pack_dir.join("manifest.json")).expect("read");
    std::fs::write(
        pack_dir.join("manifest.json"),
        manifest.replace(&format!("\"schema\": {}", lore_pack::SCHEMA_VERSION), "\"schema\": 999"),
    )
    .expect("write");
    let err = Pack::open(&pack_dir).err().expect("future schema");
    assert!(matches!(err, PackError::Incompatible { found: 999, .. }) && err.is_rebuildable(), "{err}");

    std::fs::write(pack_dir.join("manifest.json"), "{not json").expect("write");
    assert!(matches!(Pack::open(&pack_dir), Err(PackError::Corrupt { .. })));

    // A rebuild repairs everything.
    build_at(root, config(vec![]));
    assert!(Pack::open(&pack_dir).is_ok());
}

#[test]
fn backstage_locations_are_followed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    write(
        root,
        "catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata: {name: root}\nspec:\n  targets: [./teams/payments/catalog-info.yml]\n",
    );
    // Outside the source's own walk: only reachable through the Location.
    write(
        root,
        "teams/payments/catalog-info.yml",
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: payments}\nspec: {type: service, owner: team-payments}\n",
    );
    let mut only_root = source("catalog-info.yaml");
    only_root.kind = lore_ingest::SourceSetting::Backstage;
    build_at(root, config(vec![only_root]));
    let pack = Pack::open(&root.join(".lore")).expect("opens");
    assert!(query::resolve(pack.data(), "payments").is_some(), "the Location target was read");
}

#[test]
fn provenance_records_the_git_commit_of_the_source() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    write(root, "systems/billing.yaml", GOOD_SYSTEM);
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .args(["-c", "user.name=lore", "-c", "user.email=lore@example.invalid"])
            .args(args)
            .current_dir(root)
            .output()
            .expect("git runs")
    };
    if !git(&["init", "-q"]).status.success() {
        eprintln!("skipping: git is not available");
        return;
    }
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "knowledge"]);
    let head = String::from_utf8(git(&["rev-parse", "HEAD"]).stdout).expect("utf8").trim().to_string();
    let report = build_at(root, config(vec![]));
    assert_eq!(report.manifest.commit.as_deref(), Some(head.as_str()));
    let pack = Pack::open(&root.join(".lore")).expect("opens");
    let billing = query::system(pack.data(), query::resolve(pack.data(), "billing").expect("known"));
    assert_eq!(billing.meta.provenance.commit.as_deref(), Some(head.as_str()));
    assert_eq!(billing.meta.provenance.cite(), "systems/billing.yaml:1-4");
}
