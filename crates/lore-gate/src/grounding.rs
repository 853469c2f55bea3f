//! The gate grounded in the organisation's prose: an action is matched by
//! its typed form (tool family, subcommand, class, targets) against the
//! operations its runbooks and incident reports document, and the cautions
//! around the best matches become cited reasons.

use std::collections::BTreeSet;

use lore_action::{Action, Target};
use lore_model::{ActionClass, ArchivedOperation, ArchivedStrength, Decision, Trust};
use lore_pack::ArchivedPackData;
use lore_pack::query::owned;

use crate::{Reason, ReasonKind};

const MAX_REASONS: usize = 3;
const MAX_DOCUMENTED: usize = 3;

/// Words that say an environment is not production.
const NON_PRODUCTION_WORDS: [&str; 12] =
    ["staging", "stg", "gstg", "dev", "development", "test", "testing", "sandbox", "preprod", "qa", "local", "pre"];

/// What the documents say about one action.
#[derive(Default)]
pub struct Grounding {
    pub reasons: Vec<Reason>,
    /// Sections that document this operation: "the documented way".
    pub documented: Vec<String>,
}

/// Where an action runs, as far as the gate can tell.
#[derive(Clone, PartialEq, Eq)]
pub enum Where {
    /// With what says so, such as `terraform-workspace live (explicit)`.
    Production(String),
    NotProduction,
    Unknown,
}

impl Where {
    pub fn of(action: &Action, production: Option<String>, known_environment: bool) -> Where {
        if let Some(evidence) = production {
            Where::Production(evidence)
        } else if known_environment || looks_non_production(action) || is_local(action) {
            Where::NotProduction
        } else {
            Where::Unknown
        }
    }

    pub fn phrase(&self) -> String {
        match self {
            Where::Production(evidence) => format!("in production ({evidence})"),
            Where::NotProduction => "outside production".into(),
            Where::Unknown => "in an environment lore cannot tell (treated as production)".into(),
        }
    }
}

/// An action on this machine's own files and processes: nothing says it
/// reaches a server, its paths are not a server's (`/var`, `/etc`, `/opt`,
/// `/srv`), and its tool is one lore knows to work locally. A CLI lore does
/// not know, documented in a runbook, may reach anything.
fn is_local(action: &Action) -> bool {
    const SERVER_DIRS: [&str; 5] = ["/var/", "/etc/", "/opt/", "/srv/", "/data/"];
    action.env.hosts.is_empty()
        && action.wrappers.iter().all(|w| !w.starts_with("ssh") && !w.contains(' '))
        && action.targets.iter().all(|t| match t {
            Target::Path { path } => !SERVER_DIRS.iter().any(|dir| path.starts_with(dir)),
            Target::Other { .. } => true,
            _ => false,
        })
        && lore_action::works_locally(&action.tool)
}

/// The command and where it runs: its environment hints and directory.
pub fn situation(action: &Action) -> String {
    let mut text = action.text.clone();
    let hints = action.env.named().into_iter().filter_map(|(_, hint)| hint.as_ref().and_then(|h| h.value()));
    let directory = action.env.directory.as_ref().and_then(|h| h.value());
    for value in hints.chain(directory).chain(action.env.hosts.iter().map(String::as_str)) {
        text.push(' ');
        text.push_str(value);
    }
    text
}

fn looks_non_production(action: &Action) -> bool {
    situation(action)
        .to_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|w| NON_PRODUCTION_WORDS.contains(&w))
}

/// How strongly a document's words bear on the action.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Bearing {
    /// Documented, nothing said against it.
    Documented,
    /// A caution elsewhere in the section.
    SectionCaution,
    /// A caution about this command, or a prohibition in its section.
    Caution,
    /// The documented form of this operation on this target is milder:
    /// it keeps a guard (`--cascade=orphan`, no `--approve`) this one drops.
    Departure,
    /// A warning of lost data or an outage right by a command that destroys.
    Severe,
    /// A prohibition about this very command.
    Prohibition,
}

/// A documented operation that bears on the action, and how.
struct Match<'a> {
    bearing: Bearing,
    op: &'a ArchivedOperation,
    /// The caution that speaks, by index into the operation's.
    caution: Option<usize>,
    /// How the action departs from this documented form, if it does.
    departed: Option<String>,
}

/// The action in the forms grounding compares, worked out once rather
/// than again for each of the pack's documented operations.
struct Proposed<'a> {
    action: &'a Action,
    /// Its targets' short forms: `k8s:pod/web@prod`, `path:/var/x`.
    targets: Vec<String>,
    /// The Kubernetes kinds among them: `k8s:pod`.
    kube_kinds: Vec<String>,
    /// It works on files.
    on_files: bool,
    /// Its subcommands, lower-cased and as Kubernetes kinds (`sts` → `statefulset`).
    command_names: Vec<String>,
    /// The words of its text.
    words: Vec<String>,
    /// Its `--switch=true|false` flags.
    switches: Vec<(String, String)>,
}

impl<'a> Proposed<'a> {
    fn of(action: &'a Action) -> Proposed<'a> {
        let targets: Vec<String> = action.targets.iter().map(Target::short).collect();
        let kube_kinds = targets.iter().filter(|t| t.starts_with("k8s:")).map(|t| kind_of(t).to_string()).collect();
        let command_names =
            action.command.iter().flat_map(|c| [c.to_lowercase(), lore_action::kind_name(&c.to_lowercase())]).collect();
        Proposed {
            action,
            targets,
            kube_kinds,
            on_files: action.targets.iter().any(|t| matches!(t, Target::Path { .. })),
            command_names,
            words: words(&action.text),
            switches: switches(&action.text),
        }
    }
}

/// What the documents say about `action`, which touches `systems` (ids).
pub fn ground(data: &ArchivedPackData, action: &Action, systems: &[String], place: &Where) -> Grounding {
    let proposed = Proposed::of(action);
    let words = context_words(action);
    // A document about other systems than the action's says nothing about it.
    let in_scope = |op: &ArchivedOperation| {
        op.systems.is_empty()
            || systems.is_empty()
            || op.systems.iter().any(|s| systems.iter().any(|t| t == s.as_str()))
    };
    let mut matches: Vec<Match> = candidates(data, action.family())
        .filter(|op| in_scope(op))
        .filter_map(|op| {
            // How this command departs from the form documented for its target
            // outweighs what is said around that form.
            if let Some(how) = departure(op, &proposed) {
                return Some(Match { bearing: Bearing::Departure, op, caution: None, departed: Some(how) });
            }
            matches(op, &proposed).then(|| {
                let (bearing, caution) = bearing(op, &proposed);
                Match { bearing, op, caution, departed: None }
            })
        })
        .collect();
    // Warnings first; among them, what the document shares with the action's
    // own words (its hosts, namespaces, paths) weighed with how strongly it
    // speaks: a prohibition counts as two shared words, a caution as one.
    let key = |Match { bearing, op, .. }: &Match| {
        let strength = match bearing {
            Bearing::Documented | Bearing::SectionCaution => 0,
            Bearing::Caution => 1,
            Bearing::Departure | Bearing::Severe | Bearing::Prohibition => 2,
        };
        (*bearing > Bearing::Documented, relevance(op, &words) + strength, *bearing, op.targets.len())
    };
    matches.sort_by_cached_key(|m| std::cmp::Reverse(key(m)));
    let mut grounding = Grounding::default();
    let mut seen_lines = Vec::new();
    for Match { bearing, op, caution, departed } in &matches {
        let cite = match caution {
            Some(i) => format!("{}:{}", op.provenance.file, op.cautions[*i].line),
            None => format!("{}:{}", op.provenance.file, op.provenance.line_start),
        };
        if seen_lines.contains(&cite) {
            continue;
        }
        seen_lines.push(cite.clone());
        if grounding.documented.len() < MAX_DOCUMENTED && op.doc_kind.as_str() == "runbook" && !op.tool.is_empty() {
            grounding.documented.push(format!("{} › {} ({})", op.doc_title, op.heading, cite));
        }
        if grounding.reasons.len() >= MAX_REASONS {
            continue;
        }
        let severe = op.doc_kind.as_str() == "incident" && severe_incident(data, op.doc_id.as_str());
        if let Some(reason) = reason(*bearing, op, *caution, departed.as_ref(), severe, action, place, cite) {
            grounding.reasons.push(reason);
        }
    }
    grounding
}

/// The words of a text that can tie it to a document: not flags, not short.
fn words(text: &str) -> Vec<String> {
    let mut out: Vec<String> = text
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() >= 3 && !w.chars().all(|c| c.is_ascii_digit()))
        .map(str::to_string)
        .collect();
    out.sort();
    out.dedup();
    out
}

/// What ties an action to one document rather than another: its targets,
/// hosts, namespaces, directory and workspace, not the tool and subcommand
/// words every candidate shares.
fn context_words(action: &Action) -> Vec<String> {
    let text = situation(action);
    let common: Vec<String> = command_words(action).map(str::to_lowercase).collect();
    let command = action.text.to_lowercase();
    let flag_words = flag_only_words(&command);
    let mut out = words(&text);
    out.retain(|w| !common.contains(w) && !flag_words.contains(w.as_str()));
    out
}

/// The tool, its family and its subcommands: what every candidate shares.
fn command_words(action: &Action) -> impl Iterator<Item = &str> {
    [action.tool.as_str(), action.family()].into_iter().chain(action.command.iter().map(String::as_str))
}

/// The words that appear in the (lower-cased) command only as part of a
/// `--flag`. One pass: a command an agent writes can be tens of kilobytes.
fn flag_only_words(command: &str) -> BTreeSet<&str> {
    let (mut in_flags, mut elsewhere) = (BTreeSet::new(), BTreeSet::new());
    for token in command.split_whitespace() {
        let flag = token.starts_with('-') && !token.contains('=');
        let found = if flag { &mut in_flags } else { &mut elsewhere };
        found.extend(token.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()));
    }
    in_flags.retain(|w| !elsewhere.contains(w));
    in_flags
}

/// How many of the action's words the operation's document uses around it.
fn relevance(op: &ArchivedOperation, action_words: &[String]) -> usize {
    let context = format!("{} {} {} {}", op.text, op.heading, op.doc_title, op.provenance.file).to_lowercase();
    let theirs = words(&context);
    action_words.iter().filter(|w| theirs.binary_search(w).is_ok()).count()
}

/// Operations of the action's tool family, and the commandless prohibitions.
fn candidates<'a>(data: &'a ArchivedPackData, family: &'a str) -> impl Iterator<Item = &'a ArchivedOperation> {
    let ops = &data.operations;
    let range = |tool: &str| {
        let start = ops.partition_point(|op| op.tool.as_str() < tool);
        let end = ops.partition_point(|op| op.tool.as_str() <= tool);
        start..end
    };
    let (sentences, tools) = (range(""), range(family));
    ops[sentences].iter().chain(ops[tools].iter())
}

fn matches(op: &ArchivedOperation, proposed: &Proposed) -> bool {
    if op.tool.is_empty() {
        return sentence_matches(op, proposed);
    }
    let action = proposed.action;
    let class: ActionClass = owned(&op.class);
    let same_command = op.command.iter().zip(&action.command).all(|(a, b)| a.as_str() == b);
    class == action.class && same_command && targets_compatible(op, proposed)
}

/// "Do not delete the PVC": the verb's class and the object among the action's kinds or words.
fn sentence_matches(op: &ArchivedOperation, proposed: &Proposed) -> bool {
    let action = proposed.action;
    let class: ActionClass = owned(&op.class);
    let Some(word) = op.targets.first().and_then(|t| t.as_str().strip_prefix("word:")) else { return false };
    // "Do not use MONITOR" names a command, whatever its class.
    let names_command = class == ActionClass::Unknown;
    let same_class = names_command || class == action.class || (is_deletion(class) && is_deletion(action.class));
    let command_word = proposed.command_names.iter().any(|c| c == word);
    if names_command {
        return command_word || action.tool == word;
    }
    // Code in the prohibition names what it protects: `.history`, `/@pools/`.
    let mut code = op.targets.iter().filter_map(|t| t.as_str().strip_prefix("code:")).peekable();
    if code.peek().is_some() && same_class && code.any(|c| action.text.contains(c)) {
        return true;
    }
    same_class
        && (command_word
            || action.targets.iter().any(|t| match t {
                Target::Kubernetes { kind, .. } => kind == word,
                Target::Cloud { resource_type, service, .. } => {
                    resource_type.as_deref() == Some(word) || service == word
                }
                _ => false,
            }))
}

/// Whether `object` (a kind or a word) is what the action works on: its
/// tool, subcommands, target kinds or words.
fn concerns(proposed: &Proposed, object: &str) -> bool {
    let action = proposed.action;
    let kinds = action.targets.iter().filter_map(|t| match t {
        Target::Kubernetes { kind, .. } => Some(kind.as_str()),
        Target::Cloud { resource_type, service, .. } => resource_type.as_deref().or(Some(service.as_str())),
        _ => None,
    });
    let mut named = command_words(action).chain(kinds);
    named.any(|w| w.eq_ignore_ascii_case(object)) || proposed.words.binary_search_by(|w| w.as_str().cmp(object)).is_ok()
}

fn is_deletion(class: ActionClass) -> bool {
    matches!(class, ActionClass::Delete | ActionClass::DataDelete | ActionClass::BulkDestroy)
}

/// Concrete targets must overlap where both name one of the same kind; a
/// file command is only the documented one when the files are.
fn targets_compatible(op: &ArchivedOperation, proposed: &Proposed) -> bool {
    if proposed.on_files && !op.targets.iter().any(|t| t.as_str().starts_with("path:")) {
        return false;
    }
    if op.targets.is_empty() {
        return true;
    }
    // `kubectl delete pod` documents nothing about deleting a StatefulSet.
    let mut documented_kinds =
        op.targets.iter().map(|t| t.as_str()).filter(|t| t.starts_with("k8s:")).map(kind_of).peekable();
    if documented_kinds.peek().is_some()
        && !proposed.kube_kinds.is_empty()
        && !documented_kinds.any(|k| proposed.kube_kinds.iter().any(|p| p == k))
    {
        return false;
    }
    op.targets.iter().all(|documented| {
        let documented = documented.as_str();
        let kind = kind_of(documented);
        let mut same_kind = proposed.targets.iter().filter(|t| kind_of(t) == kind).peekable();
        same_kind.peek().is_none() || same_kind.any(|t| overlaps(documented, t))
    })
}

/// `k8s:pod/web@prod` → `k8s:pod`; `path:/var/x` → `path`.
fn kind_of(target: &str) -> &str {
    let end = target.find(['/', '@']).unwrap_or(target.len());
    let head = &target[..end];
    if head.starts_with("k8s:") { head } else { target.split(':').next().unwrap_or(target) }
}

fn overlaps(documented: &str, proposed: &str) -> bool {
    if let (Some(a), Some(b)) = (documented.strip_prefix("path:"), proposed.strip_prefix("path:")) {
        let (a, b) = (a.trim_end_matches(['/', '*']), b.trim_end_matches(['/', '*']));
        return a.starts_with(b) || b.starts_with(a);
    }
    // Terraform: `module.a` holds `module.a.aws_db_instance.main`.
    if let (Some(a), Some(b)) = (documented.strip_prefix("tf:"), proposed.strip_prefix("tf:")) {
        let within = |outer: &str, inner: &str| {
            inner.strip_prefix(outer).is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
        };
        return within(a, b) || within(b, a);
    }
    if !documented.starts_with("k8s:") {
        // Hosts, clouds, databases: the same name, or a glob of it.
        return glob_match(documented, proposed) || glob_match(proposed, documented);
    }
    // Kubernetes: a documented name or namespace must be the proposed one.
    let parts = |t: &str| -> (Option<String>, Option<String>) {
        let (rest, ns) = match t.split_once('@') {
            Some((rest, ns)) => (rest, Some(ns.to_string())),
            None => (t, None),
        };
        (rest.split_once('/').map(|(_, name)| name.to_string()), ns)
    };
    let ((name_a, ns_a), (name_b, ns_b)) = (parts(documented), parts(proposed));
    let agree = |a: &Option<String>, b: &Option<String>| match (a, b) {
        (Some(a), Some(b)) => glob_match(a, b) || glob_match(b, a),
        _ => true,
    };
    agree(&name_a, &name_b) && agree(&ns_a, &ns_b)
}

/// `nb-*` against `nb-user`: a trailing or leading star, else equality.
fn glob_match(pattern: &str, value: &str) -> bool {
    match (pattern.strip_suffix('*'), pattern.strip_prefix('*')) {
        (Some(prefix), _) => value.starts_with(prefix),
        (_, Some(suffix)) => value.ends_with(suffix),
        _ => pattern == value,
    }
}

/// Flags that make an operation milder; the documented form keeps them.
const GUARD_FLAGS: [&str; 2] = ["dry-run", "cascade=orphan"];
/// Flags that make it harsher than a documented form without them.
const HARSH_FLAGS: [&str; 6] = ["force", "auto-approve", "approve", "grace-period=0", "all", "all-namespaces"];

/// How `action` departs from `op`, a documented form of the same command on
/// the same concrete target: a guard dropped, a harsher flag added, or a
/// `--switch=true` turned to false.
fn departure(op: &ArchivedOperation, proposed: &Proposed) -> Option<String> {
    let action = proposed.action;
    let same_command = !op.command.is_empty() && op.command.iter().zip(&action.command).all(|(a, b)| a.as_str() == b);
    if op.tool.is_empty() || action.class == ActionClass::Read || !same_command {
        return None;
    }
    // A switch is specific enough on its own; other flags are compared on the
    // same target only.
    let mut how = flipped_switches(&op.text, &proposed.switches);
    if shares_target(op, proposed) {
        let documented = |flag: &str| op.flags.iter().any(|f| f.as_str() == flag);
        let dropped = GUARD_FLAGS.iter().filter(|f| documented(f) && !action.has_flag(f));
        how.extend(dropped.map(|f| format!("drops `--{f}`")));
        let added = HARSH_FLAGS.iter().filter(|f| action.has_flag(f) && !documented(f));
        how.extend(added.map(|f| format!("adds `--{f}`")));
    }
    (!how.is_empty()).then(|| how.join(", "))
}

/// The documented form names a concrete target (more than a kind) that
/// this action names too.
fn shares_target(op: &ArchivedOperation, proposed: &Proposed) -> bool {
    targets_compatible(op, proposed)
        && op.targets.iter().any(|documented| {
            let documented = documented.as_str();
            documented != kind_of(documented)
                && proposed.targets.iter().any(|t| kind_of(t) == kind_of(documented) && overlaps(documented, t))
        })
}

/// `--skip-prod-destroy=false` where the runbook has `=true`.
fn flipped_switches(documented: &str, proposed: &[(String, String)]) -> Vec<String> {
    let theirs = switches(documented);
    proposed
        .iter()
        .filter(|(k, v)| theirs.iter().any(|(dk, dv)| dk == k && dv != v))
        .map(|(k, v)| format!("sets `{k}={v}` where the runbook has the opposite"))
        .collect()
}

/// A text's `--switch=true|false` flags.
fn switches(text: &str) -> Vec<(String, String)> {
    text.split_whitespace()
        .filter_map(|w| w.trim_matches(['"', '\'']).split_once('='))
        .filter(|(k, v)| k.starts_with('-') && matches!(*v, "true" | "false"))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Words that say what a step can cost, beyond "be careful".
const SEVERE_CUES: [&str; 9] = [
    "data loss",
    "lose data",
    "lose all",
    "irreversible",
    "cannot be undone",
    "can't be undone",
    "last resort",
    "permanently",
    "outage",
];

/// The strongest caution that bears on the action, and its index.
fn bearing(op: &ArchivedOperation, proposed: &Proposed) -> (Bearing, Option<usize>) {
    let action = proposed.action;
    let mut best = (Bearing::Documented, None);
    for (i, caution) in op.cautions.iter().enumerate() {
        // "Do not delete the PVC" beside `kubectl delete sts` forbids something else.
        let quoted = caution.line == op.provenance.line_start;
        let elsewhere = !quoted && !caution.object.is_empty() && !concerns(proposed, &caution.object);
        let prohibition = matches!(caution.strength, ArchivedStrength::Prohibition) && !elsewhere;
        let severe = caution.adjacent && action.class.is_destructive() && {
            let sentence = caution.sentence.to_lowercase();
            SEVERE_CUES.iter().any(|cue| sentence.contains(cue))
        };
        let bearing = match (prohibition, caution.adjacent) {
            (true, true) => Bearing::Prohibition,
            _ if severe => Bearing::Severe,
            (true, false) | (false, true) => Bearing::Caution,
            (false, false) => Bearing::SectionCaution,
        };
        if bearing > best.0 {
            best = (bearing, Some(i));
        }
    }
    // What the docs show read-only is safe to repeat, unless the prohibition
    // quotes this very command (or names it, for a commandless prohibition).
    // A rehearsal changes nothing, whatever is said about the real thing.
    if action.has_flag("dry-run") {
        return (Bearing::Documented, None);
    }
    if action.class == ActionClass::Read {
        let quoted = best.1.is_some_and(|i| op.tool.is_empty() || op.cautions[i].line == op.provenance.line_start);
        if best.0 != Bearing::Prohibition || !quoted {
            return (Bearing::Documented, None);
        }
    }
    best
}

/// Whether the incident with this id was severe (sev1, sev2, critical, …).
fn severe_incident(data: &ArchivedPackData, id: &str) -> bool {
    data.incidents
        .iter()
        .any(|i| i.id.as_str() == id && i.severity.as_ref().is_some_and(|s| lore_model::severity_is_severe(s.as_str())))
}

#[allow(clippy::too_many_arguments)]
fn reason(
    bearing: Bearing,
    op: &ArchivedOperation,
    caution: Option<usize>,
    departed: Option<&String>,
    severe: bool,
    action: &Action,
    place: &Where,
    cite: String,
) -> Option<Reason> {
    let incident = op.doc_kind.as_str() == "incident";
    let decision = match bearing {
        Bearing::Prohibition | Bearing::Severe | Bearing::Departure if *place == Where::NotProduction => Decision::Warn,
        Bearing::Prohibition | Bearing::Severe | Bearing::Departure => Decision::Ask,
        Bearing::Caution | Bearing::SectionCaution => Decision::Warn,
        // An incident report shows many commands; the destructive ones are what
        // it warns of, and repeating one in production asks when it was severe.
        Bearing::Documented
            if incident && action.class.is_destructive() && severe && matches!(place, Where::Production(_)) =>
        {
            Decision::Ask
        }
        Bearing::Documented if incident && action.class.is_destructive() => Decision::Warn,
        // A documented step with nothing said against it is context, in the briefing.
        Bearing::Documented => return None,
    };
    let source = if incident { format!("incident report {}", op.doc_id) } else { "the runbook".to_string() };
    let message = match (caution, departed) {
        (_, Some(how)) => format!(
            "{source} does this as `{}` ({} › {}); `{}` {} {how}",
            op.text,
            op.doc_title,
            op.heading,
            action.label(),
            place.phrase()
        ),
        (Some(i), None) => format!(
            "{source} says, about `{}` {}: \"{}\" ({})",
            action.label(),
            place.phrase(),
            op.cautions[i].sentence,
            op.doc_title
        ),
        (None, None) if incident => {
            format!(
                "{source} ({}) shows `{}` in its account of the outage; this runs {}",
                op.doc_title,
                op.text,
                place.phrase()
            )
        }
        (None, None) => format!("documented in {} › {}", op.doc_title, op.heading),
    };
    Some(Reason::new(decision, ReasonKind::Documented, message).citing(cite, Trust::MINED))
}
