//! Promoting an advisory to a rule: the owner's decision to enforce what a
//! runbook says, written as a rule file for normal code review.

use lore_model::{Advisory, Day, Decision};

/// Why an advisory cannot become a rule.
#[derive(Debug, thiserror::Error)]
pub enum PromoteError {
    /// The advisory (its ID) has no terms a rule could match commands on.
    #[error(
        "advisory {0} names no command or term an action could match; write the rule by hand (docs/knowledge-format.md)"
    )]
    NothingToMatch(String),
}

/// A promoted rule: where it goes (relative to the rules directory) and its text.
pub struct RuleFile {
    /// The rule's ID: the advisory's, lower case.
    pub id: String,
    /// The file name, `ID.md`.
    pub file_name: String,
    /// The file's contents: front matter, the rationale and the citation.
    pub text: String,
}

/// The rule file for `advisory`: scoped to its systems, matching commands
/// that use its terms, with the sentence as the rationale and a citation.
pub fn rule_file(
    advisory: &Advisory,
    owner: Option<&str>,
    decision: Decision,
    today: Day,
) -> Result<RuleFile, PromoteError> {
    if advisory.terms.is_empty() {
        return Err(PromoteError::NothingToMatch(advisory.id.clone()));
    }
    let id = advisory.id.to_lowercase();
    let quote = |text: &str| serde_json::Value::String(text.to_string()).to_string();
    let title = title(&advisory.sentence);
    let commands: Vec<String> = advisory.terms.iter().map(|t| quote(&format!("*{t}*"))).collect();
    let systems: Vec<String> = advisory.systems.iter().map(|s| quote(s)).collect();
    let mut text = format!("---\nkind: rule\nid: {id}\ntitle: {}\ndecision: {decision}\n", quote(&title));
    if !systems.is_empty() {
        text.push_str(&format!("scope:\n  systems: [{}]\n", systems.join(", ")));
    }
    text.push_str(&format!("match:\n  commands: [{}]\n", commands.join(", ")));
    if let Some(owner) = owner {
        text.push_str(&format!("owner: {}\n", quote(owner)));
    }
    text.push_str(&format!("reviewed: {today}\n---\n# {title}\n\n## Why\n\n{}\n\n", advisory.sentence));
    text.push_str(&format!(
        "Promoted from advisory {} ({}, under \"{}\").\n",
        advisory.id,
        advisory.provenance.cite(),
        advisory.heading
    ));
    Ok(RuleFile { file_name: format!("{id}.md"), id, text })
}

/// The first sentence, without a leading `NOTE:`-style label, at most 100 characters.
fn title(sentence: &str) -> String {
    let unlabelled = match sentence.split_once(':') {
        Some((label, rest)) if !label.contains(' ') && label.chars().all(|c| c.is_uppercase()) => rest.trim(),
        _ => sentence,
    };
    let end = unlabelled.find(['.', '!', '?']).map_or(unlabelled.len(), |i| i + 1);
    unlabelled[..end].chars().take(100).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use lore_model::{Provenance, SourceKind, Strength};

    fn advisory(sentence: &str, terms: &[&str]) -> Advisory {
        Advisory {
            id: "ADV-1234abcd".into(),
            sentence: sentence.into(),
            heading: "Redis › Safety".into(),
            systems: vec!["redis".into()],
            terms: terms.iter().map(|t| t.to_string()).collect(),
            strength: Strength::Prohibition,
            provenance: Provenance::new("runbooks/redis.md", 7, 7, SourceKind::Markdown),
        }
    }

    #[test]
    fn the_rule_cites_the_sentence_and_matches_its_terms() {
        let today = Day::parse("2026-11-28").expect("day");
        let rule = rule_file(
            &advisory("NOTE: DO NOT USE MONITOR COMMAND! It overloads.", &["monitor"]),
            Some("platform"),
            Decision::Ask,
            today,
        )
        .expect("rule");
        assert_eq!(rule.file_name, "adv-1234abcd.md");
        assert!(rule.text.contains("title: \"DO NOT USE MONITOR COMMAND!\""), "{}", rule.text);
        assert!(rule.text.contains("decision: ask\n") && rule.text.contains("commands: [\"*monitor*\"]"));
        assert!(rule.text.contains("owner: \"platform\"") && rule.text.contains("runbooks/redis.md:7"));
        assert!(matches!(
            rule_file(&advisory("Do not rush.", &[]), None, Decision::Warn, today),
            Err(PromoteError::NothingToMatch(_))
        ));
    }
}
