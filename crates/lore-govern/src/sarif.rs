//! SARIF 2.1.0, the format code-review tools (GitHub code scanning, GitLab,
//! reviewdog) read to annotate the lines a finding is about.

use std::collections::BTreeSet;

use lore_model::Severity;
use serde_json::{Value, json};

use crate::lint::Report;

/// The report as a SARIF 2.1.0 log, each finding a result at its file and
/// line, from the tool `lore` at `tool_version`.
pub fn to_sarif(report: &Report, tool_version: &str) -> Value {
    let codes: BTreeSet<&str> = report.findings.iter().map(|f| f.code).collect();
    let rules: Vec<Value> = codes.iter().map(|code| json!({ "id": code, "name": code })).collect();
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            let mut message = f.message.clone();
            if !f.suggestions.is_empty() {
                message.push_str(&format!(" (did you mean {}?)", f.suggestions.join(", ")));
            }
            json!({
                "ruleId": f.code,
                "level": match f.severity {
                    Severity::Error => "error",
                    Severity::Warning => "warning",
                    Severity::Info => "note",
                },
                "message": { "text": message },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": f.file },
                        "region": { "startLine": f.line.max(1) }
                    }
                }]
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": { "name": "lore", "version": tool_version, "rules": rules } },
            "results": results
        }]
    })
}
