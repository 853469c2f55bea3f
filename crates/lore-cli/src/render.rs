//! Human-readable output. Colour codes are written freely; anstream strips
//! them when stdout is not a terminal, under NO_COLOR, or with --color never.

use std::fmt::Write;
use std::path::Path;

use lore_model::{Decision, Severity};
use lore_pack::query::{BlastRadius, Briefing, IncidentSummary, RuleSummary, SystemRow};
use lore_pack::{BuildReport, Manifest};
use lore_search::SearchResults;
use owo_colors::OwoColorize;

fn decision(d: Decision) -> String {
    match d {
        Decision::Deny => "DENY".red().bold().to_string(),
        Decision::Ask => "ASK".yellow().bold().to_string(),
        Decision::Warn => "WARN".yellow().to_string(),
        Decision::Allow => "ALLOW".green().to_string(),
    }
}

fn tier(t: Option<u8>) -> String {
    t.map(|t| format!("tier {t}")).unwrap_or_else(|| "tier ?".into())
}

fn heading(out: &mut String, text: &str) {
    let _ = writeln!(out, "\n{}", text.bold());
}

pub fn briefing(b: &Briefing, manifest: &Manifest) -> String {
    let mut out = String::new();
    let s = &b.system;
    let _ = writeln!(
        out,
        "{} ({}, {}){}",
        s.id.bold(),
        s.kind,
        tier(s.tier),
        s.lifecycle.as_ref().map(|l| format!(", {l}")).unwrap_or_default()
    );
    if let Some(d) = &s.description {
        let _ = writeln!(out, "  {d}");
    }
    let _ = writeln!(
        out,
        "  owners: {}",
        if s.owners.is_empty() { "unknown".red().to_string() } else { s.owners.join(", ") }
    );
    if !s.environments.is_empty() {
        let _ = writeln!(out, "  environments: {}", s.environments.join(", "));
    }
    if !s.aliases.is_empty() {
        let _ = writeln!(out, "  also known as: {}", s.aliases.join(", "));
    }
    let _ = writeln!(
        out,
        "  source: {}{}",
        s.cite.dimmed(),
        if s.also_from.is_empty() { String::new() } else { format!(" (+{} more)", s.also_from.len()) }
    );
    for c in &b.escalation {
        let _ = writeln!(
            out,
            "  escalate: {} {} {}",
            c.team,
            c.contacts.join(" "),
            if c.escalation.is_empty() { String::new() } else { format!("→ {}", c.escalation.join(" → ")) }
        );
    }
    if !b.freezes.is_empty() {
        heading(&mut out, "Freezes");
        for f in &b.freezes {
            let state = if f.active { "ACTIVE".red().bold().to_string() } else { "upcoming".to_string() };
            let _ = writeln!(out, "  {state} {} → {}: {} {}", f.start, f.end, f.reason, f.cite.dimmed());
        }
    }
    if !b.rules.is_empty() {
        heading(&mut out, "Rules");
        for r in &b.rules {
            let env =
                if r.environments.is_empty() { String::new() } else { format!(" [{}]", r.environments.join(", ")) };
            let _ = writeln!(out, "  {} {}{env} {}", decision(r.decision), r.title, r.cite.dimmed());
            let _ = writeln!(out, "      why: {}", r.rationale);
            if let Some(instead) = &r.instead {
                let _ = writeln!(out, "      instead: {instead}");
            }
        }
    }
    if !b.incidents.is_empty() {
        heading(&mut out, "Incidents");
        for i in &b.incidents {
            let date = i.date.map(|d| d.to_string()).unwrap_or_default();
            let sev = i.severity.as_deref().unwrap_or("");
            let _ = writeln!(out, "  {} {date} {sev} {} {}", i.id.bold(), i.title, i.cite.dimmed());
            if !i.summary.is_empty() {
                let _ = writeln!(out, "      {}", clip(&i.summary, 300));
            }
        }
    }
    heading(&mut out, &format!("Depended on by ({} direct, {} in all)", b.dependents.len(), b.blast.total));
    for e in &b.dependents {
        let _ = writeln!(out, "  ← {} ({} {}, {}) {}", e.system, e.origin, e.kind, e.via, e.cite.dimmed());
    }
    if !b.blast.critical.is_empty() {
        let _ = writeln!(out, "  tier-1 systems in the blast radius: {}", b.blast.critical.join(", ").red());
    }
    if !b.dependencies.is_empty() {
        heading(&mut out, "Depends on");
        for e in &b.dependencies {
            let unknown = if e.known { String::new() } else { " (unknown system)".yellow().to_string() };
            let _ = writeln!(out, "  → {}{unknown} ({} {}) {}", e.system, e.origin, e.kind, e.cite.dimmed());
        }
    }
    if !b.runbooks.is_empty() {
        heading(&mut out, "Runbooks");
        for r in &b.runbooks {
            let _ = writeln!(out, "  {} {}", r.title, r.cite.dimmed());
            for s in r.sections.iter().take(6) {
                let _ = writeln!(out, "      · {s}");
            }
        }
    }
    if !b.general_rules.is_empty() {
        heading(&mut out, "Rules for every system that also apply");
        for r in &b.general_rules {
            let _ = writeln!(out, "  {r}");
        }
    }
    if !b.freshness.is_empty() {
        heading(&mut out, "Freshness");
        for f in &b.freshness {
            let _ = writeln!(out, "  {} {f}", "!".yellow());
        }
    }
    if !b.omitted.is_empty() {
        let _ = writeln!(out, "\n{}", format!("(budget: left out {})", b.omitted.join(", ")).dimmed());
    }
    let _ = writeln!(out, "{}", format!("knowledge pack {}", manifest.version()).dimmed());
    out
}

pub fn blast(b: &BlastRadius) -> String {
    let mut out = String::new();
    let known =
        if b.root_known { String::new() } else { " (not a known system: only edges name it)".yellow().to_string() };
    let _ = writeln!(out, "Blast radius of {}{known}: {} dependent system(s)", b.root.bold(), b.nodes.len());
    for node in &b.nodes {
        let mark = if node.tier == Some(1) {
            " tier 1".red().to_string()
        } else {
            node.tier.map(|t| format!(" tier {t}")).unwrap_or_default()
        };
        let _ = writeln!(
            out,
            "  {}{} {}{mark}  {}",
            "  ".repeat(node.depth.saturating_sub(1) as usize),
            node.depth,
            node.system.bold(),
            node.path.join(" ← ").dimmed()
        );
        let _ = writeln!(
            out,
            "  {}    via {} ({}) {}",
            "  ".repeat(node.depth.saturating_sub(1) as usize),
            node.via.via,
            node.via.origin,
            node.via.cite.dimmed()
        );
    }
    if b.revisits > 0 {
        let _ = writeln!(
            out,
            "{}",
            format!("({} edge(s) led back to systems already counted: cycles or shared dependents)", b.revisits)
                .dimmed()
        );
    }
    out
}

pub fn hits(results: &SearchResults) -> String {
    let mut out = String::new();
    if results.hits.is_empty() {
        let _ = writeln!(
            out,
            "No passages match{}.",
            results.note.as_deref().map(|n| format!(": {n}")).unwrap_or_default()
        );
    }
    for (i, h) in results.hits.iter().enumerate() {
        let systems = if h.systems.is_empty() { String::new() } else { format!(" [{}]", h.systems.join(", ")) };
        let _ = writeln!(out, "{}. {} {}{}", i + 1, h.cite.bold(), h.kind.dimmed(), systems);
        let _ = writeln!(out, "   {}", h.heading);
        if !h.snippet.is_empty() {
            let _ = writeln!(out, "   {}", h.snippet.dimmed());
        }
        for also in &h.also {
            let _ = writeln!(out, "   also {} {}", also.cite, also.heading.dimmed());
        }
    }
    out
}

pub fn systems(rows: &[SystemRow]) -> String {
    let mut out = String::new();
    let width = rows.iter().map(|r| r.id.len()).max().unwrap_or(0);
    for r in rows {
        let _ = writeln!(
            out,
            "{:width$}  {:9} {:7} deps {:>2}  dependents {:>2}  {}",
            r.id,
            r.kind,
            tier(r.tier),
            r.dependencies,
            r.dependents,
            if r.owners.is_empty() { "-".to_string() } else { r.owners.join(",") }
        );
    }
    let _ = writeln!(out, "{} systems", rows.len());
    out
}

pub fn rules(rows: &[RuleSummary]) -> String {
    let mut out = String::new();
    for r in rows {
        let stale = if r.stale { " (review overdue)".yellow().to_string() } else { String::new() };
        let status = if r.status == "active" { String::new() } else { format!(" ({})", r.status) };
        let _ =
            writeln!(out, "{:5} {} {}{status}{stale} {}", decision(r.decision), r.id.bold(), r.title, r.cite.dimmed());
    }
    let _ = writeln!(out, "{} rules", rows.len());
    out
}

pub fn advisories(list: &[lore_model::Advisory]) -> String {
    let mut out = String::new();
    for a in list {
        let strength = match a.strength {
            lore_model::Strength::Prohibition => "never".red().to_string(),
            lore_model::Strength::Advice => "avoid".yellow().to_string(),
        };
        let systems = if a.systems.is_empty() { "-".to_string() } else { a.systems.join(",") };
        let _ = writeln!(out, "{strength} {} [{systems}] {}", a.id.bold(), clip(&a.sentence, 160));
        let _ = writeln!(out, "      terms: {}  {}", a.terms.join(" "), a.provenance.cite().dimmed());
    }
    let _ = writeln!(out, "{} advisories (unreviewed: they warn, never deny)", list.len());
    out
}

pub fn history(versions: &[lore_log::Version]) -> String {
    let mut out = String::new();
    for v in versions {
        let learned = lore_model::Timestamp(v.learned_unix);
        let until = v.retired_unix.map_or_else(|| "now".to_string(), |t| lore_model::Timestamp(t).to_string());
        let _ = writeln!(out, "{} {} {}  held {learned} → {until}", v.kind, v.id.bold(), v.hash.dimmed());
        if v.valid_from.is_some() || v.valid_until.is_some() {
            let _ = writeln!(
                out,
                "    valid {} → {}",
                v.valid_from.as_deref().unwrap_or("…"),
                v.valid_until.as_deref().unwrap_or("…")
            );
        }
        let _ = writeln!(out, "    {} (pack {})", v.cite.dimmed(), v.pack_version);
    }
    out
}

pub fn proposals(rows: &[lore_pack::query::ProposalRow]) -> String {
    let mut out = String::new();
    for p in rows {
        let _ = writeln!(out, "{:<5} {} {}  {}", p.kind, p.id.bold(), clip(&p.title, 100), p.cite.dimmed());
    }
    let _ = writeln!(
        out,
        "{} proposals waiting for review (shown as unreviewed; never enforced until approved)",
        rows.len()
    );
    out
}

pub fn incidents(rows: &[IncidentSummary]) -> String {
    let mut out = String::new();
    for i in rows {
        let date = i.date.map(|d| d.to_string()).unwrap_or_else(|| "----------".into());
        let _ = writeln!(out, "{date} {} {} {}", i.id.bold(), i.title, i.severity.as_deref().unwrap_or("").yellow());
    }
    let _ = writeln!(out, "{} incidents", rows.len());
    out
}

pub fn record(kind: &str, record: &serde_json::Value) -> String {
    let body = serde_json::to_string_pretty(record).unwrap_or_default();
    format!("{kind}\n{body}\n")
}

pub fn build_report(r: &BuildReport, pack_dir: &Path) -> String {
    let mut out = String::new();
    let c = &r.manifest.counts;
    let _ = writeln!(
        out,
        "Built {} in {} ms ({} files: {} read, {} reused; index {})",
        pack_dir.display(),
        r.elapsed_ms,
        r.files,
        r.files_read,
        r.files_reused,
        index_mode(&r.index)
    );
    let _ = writeln!(
        out,
        "  {} systems, {} edges ({} dangling), {} environments, {} rules, {} runbooks, {} incidents, {} freezes, {} teams",
        c.systems, c.edges, c.dangling_edges, c.environments, c.rules, c.runbooks, c.incidents, c.freezes, c.teams
    );
    let _ =
        writeln!(out, "  {} documents, {} searchable sections; pack {}", c.documents, c.chunks, r.manifest.version());
    if let Some(e) = &r.embeddings {
        let _ = writeln!(out, "  embeddings: {} document(s) embedded, {} reused", e.embedded, e.reused);
    }
    if !r.diagnostics.is_empty() {
        let _ = writeln!(out, "Problems: {} error(s), {} warning(s)", c.errors, c.warnings);
        const SHOWN: usize = 30;
        let mut sorted: Vec<_> = r.diagnostics.iter().collect();
        sorted.sort_by_key(|d| std::cmp::Reverse(d.severity));
        for d in sorted.iter().take(SHOWN) {
            let label = match d.severity {
                Severity::Error => "error".red().bold().to_string(),
                Severity::Warning => "warning".yellow().to_string(),
                Severity::Info => "info".dimmed().to_string(),
            };
            let _ = writeln!(out, "  {label}: {}:{}: {}", d.file, d.line, d.message);
        }
        if sorted.len() > SHOWN {
            let _ = writeln!(out, "  … and {} more (see --json)", sorted.len() - SHOWN);
        }
    }
    out
}

fn index_mode(u: &lore_pack::IndexUpdate) -> String {
    match u {
        lore_pack::IndexUpdate::Full { chunks } => format!("rebuilt, {chunks} sections"),
        lore_pack::IndexUpdate::Incremental { files, chunks } => {
            format!("updated {files} file(s), {chunks} sections")
        }
        lore_pack::IndexUpdate::Unchanged => "unchanged".into(),
    }
}

fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    format!("{}…", text.chars().take(max).collect::<String>())
}

pub fn analysis(a: &lore_action::Analysis) -> String {
    use lore_action::HintSource;
    let mut out = String::new();
    if a.actions.is_empty() {
        out.push_str("No actions.\n");
    }
    for action in &a.actions {
        let class = action.class.as_str();
        let class = if action.class.is_destructive() { class.red().bold().to_string() } else { class.to_string() };
        let _ = writeln!(out, "{class} {} ({})", action.label().bold(), action.reversibility);
        if !action.targets.is_empty() {
            let _ =
                writeln!(out, "  targets: {}", action.targets.iter().map(|t| t.short()).collect::<Vec<_>>().join(", "));
        }
        let mut env = Vec::new();
        let e = &action.env;
        for (label, hint) in e.named() {
            if let Some(hint) = hint {
                let value = match hint.source {
                    HintSource::Explicit => hint.value.clone().unwrap_or_default(),
                    HintSource::Implicit => "(implicit)".to_string(),
                    HintSource::Unknown => format!("{} (unknown)", hint.value.clone().unwrap_or_default()),
                };
                env.push(format!("{label}={value}"));
            }
        }
        for host in &e.hosts {
            env.push(format!("host={host}"));
        }
        for file in &e.terraform_var_files {
            env.push(format!("var-file={file}"));
        }
        if !env.is_empty() {
            let _ = writeln!(out, "  env: {}", env.join(" "));
        }
        if !action.flags.is_empty() {
            let _ = writeln!(out, "  flags: {}", action.flags.join(", "));
        }
        if !action.wrappers.is_empty() {
            let _ = writeln!(out, "  inside: {}", action.wrappers.join(" → "));
        }
        if !action.unknowns.is_empty() {
            let _ = writeln!(out, "  unknown: {}", action.unknowns.join(", ").yellow());
        }
        let _ = writeln!(
            out,
            "  {}",
            format!("[{}..{}] {}", action.span.start, action.span.end, clip(&action.text, 120)).dimmed()
        );
    }
    if !a.complete {
        for problem in &a.problems {
            let _ = writeln!(out, "{} {problem}", "incomplete:".yellow());
        }
    }
    out
}

pub fn verdict(v: &lore_gate::Verdict, decision_id: Option<i64>) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} {}", decision(v.decision), v.summary);
    for action in &v.actions {
        let env = action.environment.as_deref().map(|e| format!(" in {e}")).unwrap_or_default();
        let prod = if action.production && action.environment.is_none() {
            " (looks like production)".to_string()
        } else {
            String::new()
        };
        let systems =
            if action.systems.is_empty() { String::new() } else { format!(" on {}", action.systems.join(", ")) };
        let _ = writeln!(out, "\n  {} {}{systems}{env}{prod}", decision(action.decision), action.action.bold());
        for reason in &action.reasons {
            let cite = reason.cite.as_ref().map(|c| format!(" {}", c.dimmed())).unwrap_or_default();
            let trust = reason
                .trust
                .and_then(|t| t.label())
                .map(|label| format!(" ({label})").dimmed().to_string())
                .unwrap_or_default();
            let _ = writeln!(out, "    {:5} {}{cite}{trust}", reason.decision.as_str(), reason.message);
        }
    }
    let briefing = lore_service::evaluate::briefing_text(v);
    if !briefing.is_empty() {
        let _ = writeln!(out, "\n{}", briefing);
    }
    if let Some(id) = decision_id {
        let _ = writeln!(out, "{}", format!("decision {id} logged").dimmed());
    }
    out
}

pub fn log_entries(entries: &[lore_log::Entry], path: &Path) -> String {
    let mut out = String::new();
    for e in entries {
        let when = lore_model::Timestamp(e.ts_unix).to_string();
        let d = e.decision.parse_decision();
        let executed = if e.executed { " (ran)" } else { "" };
        let _ = writeln!(
            out,
            "{:>5} {when} {:5} {} {}{executed}",
            e.id,
            d,
            e.agent.as_deref().unwrap_or("-"),
            clip(&e.input, 100)
        );
    }
    let _ = writeln!(out, "{}", format!("{} decisions from {}", entries.len(), path.display()).dimmed());
    out
}

trait ParseDecision {
    fn parse_decision(&self) -> String;
}

impl ParseDecision for String {
    fn parse_decision(&self) -> String {
        match self.as_str() {
            "deny" => decision(Decision::Deny),
            "ask" => decision(Decision::Ask),
            "warn" => decision(Decision::Warn),
            _ => decision(Decision::Allow),
        }
    }
}

pub fn doctor(checks: &[lore_service::ops::agents::Check]) -> String {
    let mut out = String::new();
    for check in checks {
        let mark = if check.ok { "ok".green().to_string() } else { "!!".red().bold().to_string() };
        let _ = writeln!(out, "{mark} {}: {}", check.check, check.detail);
    }
    out
}

/// Said when a file lore wrote into the knowledge was not loaded by the next build.
pub const NOT_LOADED: &str =
    "warning: the next build did not load it; is that directory inside a [[source]] in lore.toml?\n";

/// An approved action: once or standing, until when, and any note.
pub fn approved(approved: &lore_service::ops::Approved) -> String {
    let until = lore_model::Timestamp(approved.expires_unix);
    let how = if approved.standing { "every time" } else { "once" };
    let mut out = format!(
        "Approved decision {} to run {how} until {until} ({} minutes): {}\n",
        approved.decision_id, approved.minutes, approved.input
    );
    if let Some(note) = &approved.note {
        let _ = writeln!(out, "note: {note}");
    }
    out
}

/// Withdrawn approvals.
pub fn revoked(revoked: &lore_service::ops::Revoked) -> String {
    let mut out = match revoked.revoked {
        0 => format!("decision {} had no approval left to withdraw\n", revoked.decision_id),
        n => format!("withdrew {n} approval(s) of decision {}'s command\n", revoked.decision_id),
    };
    if let Some(note) = &revoked.note {
        let _ = writeln!(out, "note: {note}");
    }
    out
}

/// An approved or rejected proposal.
pub fn reviewed(reviewed: &lore_service::ops::Reviewed) -> String {
    let decided = &reviewed.decided;
    let mut out = match &decided.written {
        Some(path) => {
            format!("approved {}: wrote {}; review and commit it like any change\n", decided.id, path.display())
        }
        None => format!("rejected {}\n", decided.id),
    };
    let _ = writeln!(out, "kept the proposal and the decision in {}", decided.kept.display());
    if let Some(next) = &decided.next {
        let _ = writeln!(out, "next: {next}");
    }
    if !reviewed.loaded {
        out.push_str(NOT_LOADED);
    }
    out
}

/// Findings grouped by code, most severe first; a few of each unless `all`.
pub fn lint(report: &lore_govern::Report, all: bool) -> String {
    const SHOWN: usize = 8;
    let mut out = String::new();
    let mut groups: Vec<(&str, Vec<&lore_govern::Finding>)> = Vec::new();
    for f in &report.findings {
        match groups.iter_mut().find(|(code, _)| *code == f.code) {
            Some((_, list)) => list.push(f),
            None => groups.push((f.code, vec![f])),
        }
    }
    for (code, findings) in &groups {
        let label = match findings[0].severity {
            Severity::Error => "error".red().bold().to_string(),
            Severity::Warning => "warning".yellow().bold().to_string(),
            Severity::Info => "info".cyan().to_string(),
        };
        let _ = writeln!(out, "{label} {} ({})", code.bold(), findings.len());
        let shown = if all { findings.len() } else { SHOWN.min(findings.len()) };
        for f in &findings[..shown] {
            let hint = if f.suggestions.is_empty() {
                String::new()
            } else {
                format!("; did you mean {}?", f.suggestions.join(", "))
            };
            let _ = writeln!(out, "  {}{hint} {}", f.message, format!("{}:{}", f.file, f.line).dimmed());
        }
        if shown < findings.len() {
            let _ = writeln!(out, "  … and {} more (--all to list them)", findings.len() - shown);
        }
    }
    let h = &report.health;
    heading(&mut out, &format!("Health {}/100", h.overall));
    for i in &h.top_actions {
        let _ = writeln!(out, "  +{:<3} {} ({} systems)", i.gain, i.action, i.systems);
    }
    let worst: Vec<String> = h.teams.iter().take(5).map(|t| format!("{} {}", t.name, t.score)).collect();
    if !worst.is_empty() {
        let _ = writeln!(out, "  lowest teams: {}", worst.join(", "));
    }
    let _ = writeln!(
        out,
        "{} errors, {} warnings, {} findings",
        report.count(Severity::Error),
        report.count(Severity::Warning) - report.count(Severity::Error),
        report.findings.len()
    );
    out
}
