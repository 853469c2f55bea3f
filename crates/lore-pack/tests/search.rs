//! Search as a user meets it: documents ranked on their fields, each citing
//! the section that answers, over every Markdown dialect, and clear answers
//! to questions that hold nothing to search for.

mod common;

use std::path::Path;

use common::{build_at, config};
use lore_search::{Hit, SearchIndex, SearchRequest, SearchResults};

fn write(root: &Path, path: &str, text: &str) {
    let full = root.join(path);
    std::fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
    std::fs::write(full, text).expect("write");
}

struct Knowledge {
    dir: tempfile::TempDir,
}

impl Knowledge {
    fn new(files: &[(&str, &str)]) -> Knowledge {
        let dir = tempfile::tempdir().expect("tempdir");
        for (path, text) in files {
            write(dir.path(), path, text);
        }
        build_at(dir.path(), config(vec![]));
        Knowledge { dir }
    }

    fn ask(&self, question: &str) -> SearchResults {
        let index = SearchIndex::open(&self.dir.path().join(".lore/index")).expect("index opens");
        index.search(&SearchRequest { text: question.into(), limit: 5, ..Default::default() }).expect("search")
    }

    fn first(&self, question: &str) -> Hit {
        let results = self.ask(question);
        results.hits.into_iter().next().unwrap_or_else(|| panic!("no hit for {question:?}"))
    }

    /// The cited lines of a hit, as the reader would open them.
    fn cited(&self, hit: &Hit) -> String {
        let text = std::fs::read_to_string(self.dir.path().join(&hit.path)).expect("cited file");
        let lines: Vec<&str> = text.lines().collect();
        lines[hit.line_start as usize - 1..hit.line_end as usize].join("\n")
    }
}

const VERSION_OPERATOR: &str = "# ClusterVersionOperatorDown\n\n## Meaning\n\nThe operator that \
    manages upgrades has stopped reporting.\n\n## Mitigation\n\nCheck the deployment in the \
    openshift namespace.\n";
const UPGRADE_PAGE: &str = "# Upgrading the cluster\n\n## Versions\n\nEach cluster runs a \
    version. To see the version, run the version command. The cluster version is in the \
    status page. Version after version, the cluster is upgraded.\n";

#[test]
fn camel_case_titles_are_found_by_their_words() {
    let knowledge = Knowledge::new(&[
        ("alerts/cluster-version-operator/ClusterVersionOperatorDown.md", VERSION_OPERATOR),
        ("docs/upgrade/cluster-upgrade.md", UPGRADE_PAGE),
    ]);
    let hit = knowledge.first("the cluster version operator is down");
    assert!(hit.path.ends_with("ClusterVersionOperatorDown.md"), "{hit:#?}");
    // The whole token is kept too.
    let hit = knowledge.first("ClusterVersionOperatorDown");
    assert!(hit.path.ends_with("ClusterVersionOperatorDown.md"), "{hit:#?}");
}

const REDIS: &str = "# Redis\n\n## Connecting\n\nUse the console on the primary.\n\n\
    ```shell\nredis-cli -h primary info\n```\n\n## Debugging\n\nTo see slow commands use \
    `SLOWLOG GET 10`.\n\n## Warnings\n\nDo not run `redis-cli monitor` in production: it \
    doubles the load and can get the primary OOM killed.\n\n## Failover\n\nRedis fails over \
    through sentinel. Redis clients reconnect.\n";

#[test]
fn commands_in_questions_match_the_code_in_the_docs_and_the_cite_holds_them() {
    let knowledge = Knowledge::new(&[
        ("runbooks/redis.md", REDIS),
        ("runbooks/monitoring.md", "# Monitoring\n\n## Dashboards\n\nThe monitor dashboards show load.\n"),
    ]);
    let hit = knowledge.first("can I just run redis-cli monitor on the primary?");
    assert_eq!(hit.path, "runbooks/redis.md");
    let cited = knowledge.cited(&hit);
    assert!(cited.contains("redis-cli monitor"), "the cited lines hold what matched: {cited}");
    assert!(hit.snippet.contains("monitor"), "{}", hit.snippet);

    let hit = knowledge.first("SLOWLOG GET");
    assert!(knowledge.cited(&hit).contains("SLOWLOG GET 10"), "{hit:#?}");
}

#[test]
fn each_document_is_returned_once_with_at_most_two_more_sections() {
    let knowledge = Knowledge::new(&[("runbooks/redis.md", REDIS)]);
    let results = knowledge.ask("redis primary commands");
    assert_eq!(results.hits.len(), 1, "{:#?}", results.hits);
    let hit = &results.hits[0];
    assert!(hit.also.len() <= 2, "{:#?}", hit.also);
    assert!(hit.also.iter().all(|also| also.cite.starts_with("runbooks/redis.md:")), "{:#?}", hit.also);
    assert!(hit.also.iter().all(|also| (also.line_start, also.line_end) != (hit.line_start, hit.line_end)));
}

#[test]
fn every_markdown_dialect_is_read_and_searchable() {
    let knowledge = Knowledge::new(&[
        (
            "source/upgrade-eks.html.md.erb",
            "---\ntitle: Upgrade EKS\n---\n# Upgrade EKS\n\n<%= partial \"warning\" %>\n\nDrain the \
             nodegroup before the quokka upgrade.\n",
        ),
        ("docs/guide.md.erb", "# Guide\n\nThe wombat procedure.\n"),
        ("docs/page.mdx", "import Tabs from '@theme/Tabs';\n\n# Page\n\nThe numbat procedure.\n"),
        ("docs/report.qmd", "# Report\n\nThe bilby procedure.\n"),
        ("docs/notes.markdown", "# Notes\n\nThe dunnart procedure.\n"),
        (
            "docs/restart.rst",
            "Restart\n=======\n\nThe potoroo procedure.\n\n.. code-block:: shell\n\n   systemctl restart bettong\n",
        ),
        ("docs/failover.adoc", "= Failover\n\n== Steps\n\nThe quoll procedure.\n\n----\npg_ctl promote\n----\n"),
    ]);
    for (word, path) in [
        ("quokka", "source/upgrade-eks.html.md.erb"),
        ("wombat", "docs/guide.md.erb"),
        ("numbat", "docs/page.mdx"),
        ("bilby", "docs/report.qmd"),
        ("dunnart", "docs/notes.markdown"),
        ("potoroo", "docs/restart.rst"),
        ("bettong", "docs/restart.rst"),
        ("quoll", "docs/failover.adoc"),
        ("pg_ctl promote", "docs/failover.adoc"),
    ] {
        let hit = knowledge.first(word);
        assert_eq!(hit.path, path, "{word}");
        assert!(knowledge.cited(&hit).contains(word), "{word}: {hit:#?}");
    }
    // Template tags and MDX imports are not words of the page.
    assert!(knowledge.ask("partial").hits.is_empty());
    assert!(knowledge.ask("theme Tabs").hits.is_empty());
}

#[test]
fn front_matter_titles_and_aliases_are_searched() {
    let knowledge = Knowledge::new(&[
        ("runbooks/pgb.md", "---\ntitle: Connection pooler\naliases: [pgbouncer]\n---\n# Pooler\n\nRestart it.\n"),
        ("runbooks/other.md", "# Other\n\nRestart it too.\n"),
    ]);
    assert_eq!(knowledge.first("pgbouncer").path, "runbooks/pgb.md");
    assert_eq!(knowledge.first("connection pooler").path, "runbooks/pgb.md");
}

#[test]
fn questions_with_nothing_to_search_get_a_clear_answer() {
    let knowledge = Knowledge::new(&[("runbooks/redis.md", REDIS)]);
    for question in ["", "   ", "the and of is", "what is it?", "?!?... --- ###", "\u{1f525}\u{1f525}"] {
        let results = knowledge.ask(question);
        assert!(results.hits.is_empty(), "{question:?}");
        let note = results.note.unwrap_or_else(|| panic!("{question:?} has a note"));
        assert!(note.contains("no words to search for"), "{question:?}: {note}");
    }
}

#[test]
fn a_huge_question_is_cut_and_says_so() {
    let knowledge = Knowledge::new(&[("runbooks/redis.md", REDIS)]);
    let question = format!("sentinel failover {}", "redis ".repeat(20_000));
    assert!(question.len() > 100 * 1024);
    let results = knowledge.ask(&question);
    assert_eq!(results.hits.first().map(|h| h.path.as_str()), Some("runbooks/redis.md"));
    assert!(results.note.as_deref().is_some_and(|note| note.contains("only its start")), "{:?}", results.note);
}

#[test]
fn questions_in_other_scripts_and_languages_do_not_break_search() {
    let knowledge =
        Knowledge::new(&[("runbooks/redis.md", REDIS), ("runbooks/日本.md", "# 再起動\n\nサーバーを再起動する。\n")]);
    assert_eq!(knowledge.first("¿Cómo reinicio redis?").path, "runbooks/redis.md");
    assert_eq!(knowledge.first("再起動").path, "runbooks/日本.md");
    let results = knowledge.ask("Как перезапустить кластер");
    assert!(results.hits.is_empty() && results.note.is_none(), "{results:#?}");
}
