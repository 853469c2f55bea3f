//! Documented operations: the commands runbooks show, parsed at build time,
//! with the cautions around them; bad input never breaks a build.

mod common;

use std::path::Path;

use common::{build_at, config};
use lore_model::{Operation, Strength};
use lore_pack::Pack;
use lore_pack::query::owned;

fn write(root: &Path, path: &str, text: &str) {
    let full = root.join(path);
    std::fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
    std::fs::write(full, text).expect("write");
}

fn operations(files: &[(&str, &str)]) -> Vec<Operation> {
    let dir = tempfile::tempdir().expect("tempdir");
    for (path, text) in files {
        write(dir.path(), path, text);
    }
    build_at(dir.path(), config(vec![]));
    let pack = Pack::open(&dir.path().join(".lore")).expect("pack");
    pack.data().operations.iter().map(owned::<Operation, _>).collect()
}

const UPGRADE: &str = "# Upgrade the cluster\n\n## Apply\n\n> **IMPORTANT:** Do NOT run `tf apply` as this \
    will time out.\n\nInstead run the pipeline.\n\n## Nodes\n\nCheck the nodes first:\n\n```bash\n$ kubectl get \
    nodes\n# careful: this drains every node\nkubectl drain node-1 \\\n  --ignore-daemonsets\n```\n\n\
    ⚠️ Do not delete the PVC.\n";

#[test]
fn commands_in_code_and_inline_become_typed_operations_with_their_cautions() {
    let ops = operations(&[("runbooks/upgrade.md", UPGRADE)]);
    let apply = ops.iter().find(|o| o.tool == "terraform").expect("tf apply, as terraform");
    assert_eq!(apply.command, vec!["apply"]);
    assert_eq!(apply.provenance.line_start, 5);
    let prohibition = apply.cautions.first().expect("a caution");
    assert!(prohibition.adjacent && prohibition.strength == Strength::Prohibition, "{prohibition:?}");

    let get = ops.iter().find(|o| o.text.starts_with("kubectl get")).expect("a prompted line");
    assert_eq!(get.provenance.line_start, 14);
    let drain = ops.iter().find(|o| o.command == vec!["drain"]).expect("a continued line");
    assert!(drain.text.contains("--ignore-daemonsets"), "continuations are joined: {}", drain.text);
    assert!(drain.cautions.iter().any(|c| c.sentence.contains("careful") && c.adjacent), "{:?}", drain.cautions);

    let pvc = ops.iter().find(|o| o.tool.is_empty()).expect("a commandless prohibition");
    assert_eq!(pvc.targets, vec!["word:persistentvolumeclaim"]);
    assert_eq!(pvc.provenance.line_start, 20);
}

#[test]
fn output_yaml_and_prose_in_code_blocks_are_not_operations() {
    let text =
        "# Config\n\n```yaml\nspec:\n  replicas: 3\n```\n\n```\nNAME   READY   STATUS\nweb-1  1/1     Running\n```\n";
    let ops = operations(&[("runbooks/config.md", text)]);
    assert!(ops.is_empty(), "{ops:#?}");
}

#[test]
fn huge_code_blocks_and_thousands_of_blocks_build_without_a_panic() {
    let huge = format!("# Huge\n\n```\nkubectl delete pod {}\n```\n", "x".repeat(1 << 20));
    let mut many = String::from("# Many\n\n");
    for i in 0..10_000 {
        many.push_str(&format!("```\nkubectl delete pod web-{i}\n```\n"));
    }
    let (ops, diagnostics) = operations_and_notes(&[("runbooks/huge.md", &huge), ("runbooks/many.md", &many)]);
    assert!(ops.iter().all(|o| o.text.len() <= 1000), "over-long lines are skipped");
    let from_many = ops.iter().filter(|o| o.provenance.file.ends_with("many.md")).count();
    assert!(from_many > 0 && from_many <= 500, "bounded per document: {from_many}");
    // Each skip is said, at its file and line.
    let note = |file: &str, words: &str| {
        diagnostics.iter().find(|d| d.file.ends_with(file) && d.message.contains(words)).map(|d| d.line)
    };
    assert_eq!(note("huge.md", "read as data"), Some(4), "{diagnostics:#?}");
    assert!(note("many.md", "more than").is_some(), "{diagnostics:#?}");
}

fn operations_and_notes(files: &[(&str, &str)]) -> (Vec<Operation>, Vec<lore_model::Diagnostic>) {
    let dir = tempfile::tempdir().expect("tempdir");
    for (path, text) in files {
        write(dir.path(), path, text);
    }
    build_at(dir.path(), config(vec![]));
    let pack = Pack::open(&dir.path().join(".lore")).expect("pack");
    let data = pack.data();
    (data.operations.iter().map(owned::<Operation, _>).collect(), data.diagnostics.iter().map(owned).collect())
}

#[test]
fn angle_bracket_placeholders_are_names_not_redirections() {
    let doc = "# Drain errors\n\n```console\n$ oc delete pod <pod-name> --force=true --grace-period=0\n```\n";
    let ops = operations(&[("runbooks/drain.md", doc)]);
    let delete = ops.iter().find(|o| o.tool == "kubectl").expect("oc delete, as kubectl");
    assert_eq!(delete.command, vec!["delete"]);
    assert!(delete.flags.contains(&"force".to_string()), "{:?}", delete.flags);
    assert!(delete.targets.iter().all(|t| !t.contains("POD")), "placeholders are left out: {:?}", delete.targets);
    assert_eq!(delete.text, "oc delete pod <pod-name> --force=true --grace-period=0", "quoted as written");
}

#[test]
fn a_warning_in_one_list_item_is_not_about_the_command_in_the_next() {
    let doc = "# Pitfalls\n\n1. **Other teams**\n   - Don't manage repositories that belong to other teams.\n\n\
        2. **Order**\n   - If you run `terraform import` locally, state changes at once.\n\n\
        3. **Data**\n   - Never delete the bucket. Run `gsutil rm -r gs://logs/tmp` instead.\n";
    let ops = operations(&[("runbooks/pitfalls.md", doc)]);
    let import = ops.iter().find(|o| o.command == ["import"]).expect("terraform import");
    assert!(import.cautions.iter().all(|c| !c.adjacent), "item 1's warning is not by item 2's command: {import:?}");
    let rm = ops.iter().find(|o| o.tool == "gcloud" || o.tool == "gsutil").expect("gsutil rm");
    assert!(rm.cautions.iter().any(|c| c.adjacent), "a warning in the same item is: {rm:?}");
}
