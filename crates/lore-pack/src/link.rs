//! Linking: the per-file outputs become one graph. Systems described by
//! several sources merge; aliases resolve; edges find their endpoints (or
//! are kept as dangling); documents find their systems.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use lore_ingest::{Config, FileOutput, PathConvention, SearchDoc};
use lore_model::{
    Diagnostic, Meta, Provenance, Severity, SourceKind, System, SystemKind, SystemMatchers, normalize_name,
};

use crate::data::{DanglingName, LinkedEdge, NameEntry, NameKind, PackData, SystemLinks};

/// A search document and the systems it was resolved to.
pub struct ResolvedDoc<'a> {
    /// The document as ingested.
    pub doc: &'a SearchDoc,
    /// The IDs of the systems it concerns.
    pub systems: Vec<String>,
}

/// Which source wins when two describe the same system: what a person wrote
/// about a system beats what was derived from how it is deployed.
fn precedence(kind: SourceKind) -> u8 {
    match kind {
        SourceKind::Lore => 6,
        SourceKind::Config => 5,
        SourceKind::Backstage => 4,
        SourceKind::ServiceCatalog => 3,
        SourceKind::Kubernetes => 2,
        SourceKind::Compose => 2,
        SourceKind::Markdown => 1,
    }
}

/// Links every file's output into one pack: systems merged by precedence,
/// aliases applied, edges resolved, documents and records given their
/// systems. Also returns each document with its systems, for indexing.
pub fn link<'a>(config: &Config, outputs: &'a [FileOutput]) -> (PackData, Vec<ResolvedDoc<'a>>) {
    let mut diagnostics: Vec<Diagnostic> = outputs.iter().flat_map(|o| o.diagnostics.iter().cloned()).collect();
    let mut systems = merge_systems(outputs);
    apply_aliases(config, outputs, &mut systems, &mut diagnostics);
    add_implicit_systems(outputs, &mut systems);

    let systems: Vec<System> = systems.into_values().collect();
    let resolver = Resolver::new(&systems, &mut diagnostics);
    let resolve = |name: &str| resolver.resolve(name);
    let canonical = |name: &String| -> String {
        resolve(name).map(|ix| systems[ix as usize].id.clone()).unwrap_or_else(|| normalize_name(name))
    };

    // Edges: resolve, then drop exact repeats (the same evidence read twice).
    let mut edges: Vec<LinkedEdge> = Vec::new();
    let mut seen = BTreeSet::new();
    for edge in outputs.iter().flat_map(|o| &o.edges) {
        let from_ix = resolve(&edge.from);
        let to_ix = resolve(&edge.to);
        let evidence = edge.via.split([' ', '=']).next().unwrap_or("").to_string();
        let key =
            (canonical(&edge.from), canonical(&edge.to), edge.kind, edge.origin, edge.provenance.source, evidence);
        if seen.insert(key) {
            edges.push(LinkedEdge { edge: edge.clone(), from_ix, to_ix });
        }
    }

    let mut rules: Vec<_> = outputs.iter().flat_map(|o| o.rules.iter().cloned()).collect();
    for rule in &mut rules {
        rule.scope.systems = rule.scope.systems.iter().map(&canonical).collect();
    }
    let mut freezes: Vec<_> = outputs.iter().flat_map(|o| o.freezes.iter().cloned()).collect();
    for freeze in &mut freezes {
        freeze.systems = freeze.systems.iter().map(&canonical).collect();
    }

    // Documents: explicit systems, then the path convention, then mentions.
    let mentions = MentionFinder::new(&systems);
    let mut doc_systems: HashMap<(&str, &str), Vec<String>> = HashMap::new();
    let mut resolved_docs = Vec::new();
    for doc in outputs.iter().flat_map(|o| &o.documents) {
        let hints = &doc.hints;
        let mut found: Vec<String> = hints.explicit.iter().map(&canonical).collect();
        let by_path = match hints.convention {
            PathConvention::Auto => hints.path_dirs.iter().find_map(|d| resolve(d)),
            PathConvention::FirstDir => hints.path_dirs.first().and_then(|d| resolve(d)),
            PathConvention::FileStem => resolve(&hints.file_stem),
            PathConvention::None => None,
        };
        found.extend(by_path.map(|ix| systems[ix as usize].id.clone()));
        if found.is_empty() {
            found.extend(mentions.find(&hints.mention_text).into_iter().map(|ix| systems[ix as usize].id.clone()));
        }
        dedupe(&mut found);
        doc_systems.insert((doc.kind.as_str(), doc.record_id.as_str()), found.clone());
        resolved_docs.push(ResolvedDoc { doc, systems: found });
    }
    let mut advisories = Vec::new();
    let mut advisory_ids = BTreeSet::new();
    for resolved in &resolved_docs {
        for mut advisory in lore_ingest::advisory::mine(resolved.doc) {
            if advisory_ids.insert(advisory.id.clone()) {
                advisory.systems.clone_from(&resolved.systems);
                advisories.push(advisory);
            }
        }
    }

    let mut operations: Vec<lore_model::Operation> = Vec::new();
    for resolved in &resolved_docs {
        let (mined, notes) = crate::operations::mine(resolved.doc, &resolved.systems);
        operations.extend(mined);
        diagnostics.extend(notes);
    }
    operations.sort_by(|a, b| a.tool.cmp(&b.tool));
    let mut cautions: Vec<lore_model::DocCaution> =
        resolved_docs.iter().flat_map(|r| crate::operations::doc_cautions(r.doc)).collect();
    cautions.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    let docs: Vec<&lore_ingest::SearchDoc> = resolved_docs.iter().map(|r| r.doc).collect();
    let production_names = crate::environments::production_names(&docs);

    let parts = Parts {
        names: resolver.names,
        systems,
        edges,
        diagnostics,
        rules,
        freezes,
        doc_systems,
        advisories,
        operations,
        cautions,
        production_names,
    };
    (finish(config, outputs, parts), resolved_docs)
}

/// Systems merged by id, the source with the higher precedence winning.
fn merge_systems(outputs: &[FileOutput]) -> BTreeMap<String, System> {
    let mut incoming: Vec<&System> = outputs.iter().flat_map(|o| &o.systems).collect();
    incoming.sort_by_key(|s| precedence(s.meta.provenance.source));
    let mut systems: BTreeMap<String, System> = BTreeMap::new();
    for system in incoming {
        match systems.get_mut(&system.id) {
            Some(existing) => merge_system(existing, system),
            None => {
                systems.insert(system.id.clone(), system.clone());
            }
        }
    }
    systems
}

/// Aliases from lore.toml and from alias declarations join their system's matchers.
fn apply_aliases(
    config: &Config,
    outputs: &[FileOutput],
    systems: &mut BTreeMap<String, System>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let config_provenance = Provenance::new(lore_ingest::config::CONFIG_FILE, 0, 0, SourceKind::Config);
    let declared = config
        .aliases
        .iter()
        .map(|(alias, system)| (normalize_name(alias), normalize_name(system), config_provenance.clone()))
        .chain(
            outputs.iter().flat_map(|o| &o.aliases).map(|a| (a.alias.clone(), a.system.clone(), a.provenance.clone())),
        );
    for (alias, target, provenance) in declared {
        let problem = if !systems.contains_key(&target) {
            Some(format!("alias `{alias}` points at `{target}`, which is no known system"))
        } else if alias != target && systems.contains_key(&alias) {
            Some(format!("alias `{alias}` → `{target}` ignored: `{alias}` is itself a system"))
        } else {
            None
        };
        if let Some(message) = problem {
            diagnostics.push(Diagnostic {
                file: provenance.file.clone(),
                line: provenance.line_start,
                severity: Severity::Warning,
                message,
            });
            continue;
        }
        if let Some(system) = systems.get_mut(&target)
            && !system.matchers.aliases.iter().any(|a| normalize_name(a) == alias)
        {
            system.matchers.aliases.push(alias);
        }
    }
}

/// Under the `first-dir` convention a runbook folder names its system, even
/// one no catalog describes.
fn add_implicit_systems(outputs: &[FileOutput], systems: &mut BTreeMap<String, System>) {
    let known: Vec<System> = systems.values().cloned().collect();
    let names = name_table(&known);
    for doc in outputs.iter().flat_map(|o| &o.documents) {
        if doc.hints.convention != PathConvention::FirstDir {
            continue;
        }
        let Some(dir) = doc.hints.path_dirs.first() else { continue };
        let id = normalize_name(dir);
        if names.contains_key(&id) || systems.contains_key(&id) {
            continue;
        }
        systems.insert(id.clone(), implicit_system(&id, Provenance::new(doc.path.clone(), 1, 1, SourceKind::Markdown)));
    }
}

/// Top-level domains of the public internet: `api.stripe.com` is not a
/// system called `api`, while `ledger-db.prod.acme.internal` is `ledger-db`.
const PUBLIC_TLDS: [&str; 12] = ["com", "net", "org", "io", "dev", "co", "cloud", "app", "ai", "eu", "uk", "de"];

/// Finds the system a name or hostname means.
struct Resolver {
    names: BTreeMap<String, (u32, NameKind)>,
    hosts: GlobSet,
    host_targets: Vec<u32>,
}

impl Resolver {
    fn new(systems: &[System], diagnostics: &mut Vec<Diagnostic>) -> Resolver {
        let mut builder = GlobSetBuilder::new();
        let mut host_targets = Vec::new();
        for (ix, system) in systems.iter().enumerate() {
            for pattern in &system.matchers.hosts {
                match GlobBuilder::new(&pattern.to_ascii_lowercase()).literal_separator(false).build() {
                    Ok(glob) => {
                        builder.add(glob);
                        host_targets.push(ix as u32);
                    }
                    Err(err) => diagnostics.push(Diagnostic {
                        file: system.meta.provenance.file.clone(),
                        line: system.meta.provenance.line_start,
                        severity: Severity::Warning,
                        message: format!("host pattern `{pattern}` of `{}`: {err}", system.id),
                    }),
                }
            }
        }
        let hosts = builder.build().unwrap_or_else(|_| GlobSet::empty());
        Resolver { names: name_table(systems), hosts, host_targets }
    }

    fn resolve(&self, name: &str) -> Option<u32> {
        let key = normalize_name(name);
        if let Some((ix, _)) = self.names.get(&key) {
            return Some(*ix);
        }
        if !key.contains('.') {
            return None;
        }
        if let Some(&first) = self.hosts.matches(&key).first() {
            return Some(self.host_targets[first]);
        }
        let (label, rest) = key.split_once('.')?;
        let tld = rest.rsplit('.').next().unwrap_or(rest);
        if PUBLIC_TLDS.contains(&tld) {
            return None;
        }
        self.names.get(label).map(|(ix, _)| *ix)
    }
}

/// Every name a system answers to. Ids win over aliases, aliases over
/// workload and service names.
fn name_table(systems: &[System]) -> BTreeMap<String, (u32, NameKind)> {
    let mut names: BTreeMap<String, (u32, NameKind)> = BTreeMap::new();
    for (ix, system) in systems.iter().enumerate() {
        names.insert(system.id.clone(), (ix as u32, NameKind::Id));
    }
    for (ix, system) in systems.iter().enumerate() {
        let extra = [
            (&system.matchers.aliases, NameKind::Alias),
            (&system.matchers.workloads, NameKind::Workload),
            (&system.matchers.services, NameKind::Service),
        ];
        for (list, how) in extra {
            for name in list {
                names.entry(normalize_name(name)).or_insert((ix as u32, how));
            }
        }
    }
    names
}

fn implicit_system(id: &str, provenance: Provenance) -> System {
    System {
        id: id.to_string(),
        name: id.to_string(),
        kind: SystemKind::Service,
        description: Some("Known only from its runbook folder; no catalog describes it.".into()),
        tier: None,
        lifecycle: None,
        owners: Vec::new(),
        environments: Vec::new(),
        matchers: SystemMatchers::default(),
        part_of: None,
        labels: vec![lore_model::Label { key: "implicit".into(), value: "runbook-folder".into() }],
        meta: Meta::new(provenance),
        also_from: Vec::new(),
    }
}

fn dedupe(list: &mut Vec<String>) {
    let mut seen = BTreeSet::new();
    list.retain(|item| seen.insert(item.clone()));
}

fn merge_system(base: &mut System, other: &System) {
    let higher = precedence(other.meta.provenance.source) >= precedence(base.meta.provenance.source);
    let take = |mine: &mut Option<String>, theirs: &Option<String>| {
        if theirs.is_some() && (higher || mine.is_none()) {
            mine.clone_from(theirs);
        }
    };
    take(&mut base.description, &other.description);
    take(&mut base.lifecycle, &other.lifecycle);
    take(&mut base.part_of, &other.part_of);
    if other.tier.is_some() && (higher || base.tier.is_none()) {
        base.tier = other.tier;
    }
    // `service` is the default guess; a more specific kind wins.
    if other.kind != SystemKind::Service && (higher || base.kind == SystemKind::Service) {
        base.kind = other.kind;
    }
    if higher && other.name != other.id {
        base.name.clone_from(&other.name);
    }
    union(&mut base.owners, &other.owners);
    union(&mut base.environments, &other.environments);
    let (m, o) = (&mut base.matchers, &other.matchers);
    for (mine, theirs) in [
        (&mut m.aliases, &o.aliases),
        (&mut m.namespaces, &o.namespaces),
        (&mut m.workloads, &o.workloads),
        (&mut m.services, &o.services),
        (&mut m.hosts, &o.hosts),
        (&mut m.cloud_ids, &o.cloud_ids),
        (&mut m.terraform, &o.terraform),
        (&mut m.databases, &o.databases),
    ] {
        union(mine, theirs);
    }
    for label in &other.labels {
        if !base.labels.contains(label) {
            base.labels.push(label.clone());
        }
    }
    if higher {
        let merged = merged_meta(&other.meta, &base.meta);
        let previous = std::mem::replace(&mut base.meta, merged);
        base.also_from.push(previous.provenance);
    } else {
        base.also_from.push(other.meta.provenance.clone());
        if base.meta.owner.is_none() {
            base.meta.owner.clone_from(&other.meta.owner);
        }
    }
}

fn merged_meta(winner: &Meta, loser: &Meta) -> Meta {
    let mut meta = winner.clone();
    if meta.owner.is_none() {
        meta.owner.clone_from(&loser.owner);
    }
    if meta.freshness.reviewed.is_none() {
        meta.freshness = loser.freshness.clone();
    }
    meta
}

fn union(mine: &mut Vec<String>, theirs: &[String]) {
    for item in theirs {
        if !mine.contains(item) {
            mine.push(item.clone());
        }
    }
}

/// Finds system names mentioned as whole words in prose.
struct MentionFinder {
    automaton: Option<AhoCorasick>,
    targets: Vec<u32>,
}

impl MentionFinder {
    /// Names shorter than this are too often ordinary words.
    const MIN_LEN: usize = 4;

    fn new(systems: &[System]) -> MentionFinder {
        let mut patterns = Vec::new();
        let mut targets = Vec::new();
        for (ix, system) in systems.iter().enumerate() {
            for name in std::iter::once(&system.id).chain(&system.matchers.aliases) {
                if name.len() >= Self::MIN_LEN {
                    patterns.push(name.to_lowercase());
                    targets.push(ix as u32);
                }
            }
        }
        let automaton = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .build(&patterns)
            .ok();
        MentionFinder { automaton, targets }
    }

    fn find(&self, text: &str) -> Vec<u32> {
        let Some(automaton) = &self.automaton else { return Vec::new() };
        let bytes = text.as_bytes();
        let is_word = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
        let mut found = Vec::new();
        for m in automaton.find_iter(text) {
            let before = m.start().checked_sub(1).map(|i| bytes[i]);
            let after = bytes.get(m.end()).copied();
            if before.is_some_and(is_word) || after.is_some_and(is_word) {
                continue;
            }
            let target = self.targets[m.pattern().as_usize()];
            if !found.contains(&target) {
                found.push(target);
            }
        }
        found
    }
}

struct Parts<'a> {
    systems: Vec<System>,
    names: BTreeMap<String, (u32, NameKind)>,
    edges: Vec<LinkedEdge>,
    diagnostics: Vec<Diagnostic>,
    rules: Vec<lore_model::Rule>,
    freezes: Vec<lore_model::Freeze>,
    doc_systems: HashMap<(&'a str, &'a str), Vec<String>>,
    advisories: Vec<lore_model::Advisory>,
    operations: Vec<lore_model::Operation>,
    cautions: Vec<lore_model::DocCaution>,
    production_names: Vec<lore_model::ProductionName>,
}

/// Builds the per-system indexes and assembles the pack.
fn finish(config: &Config, outputs: &[FileOutput], parts: Parts<'_>) -> PackData {
    let Parts {
        systems,
        names,
        edges,
        diagnostics,
        rules,
        freezes,
        doc_systems,
        advisories,
        operations,
        cautions,
        production_names,
    } = parts;
    let index_of: HashMap<&str, u32> = systems.iter().enumerate().map(|(i, s)| (s.id.as_str(), i as u32)).collect();
    let mut links = vec![SystemLinks::default(); systems.len()];
    let mut dangling: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    for (i, edge) in edges.iter().enumerate() {
        let i = i as u32;
        if let Some(from) = edge.from_ix {
            links[from as usize].dependencies.push(i);
        }
        match edge.to_ix {
            Some(to) => links[to as usize].dependents.push(i),
            None => dangling.entry(edge.edge.to.clone()).or_default().push(i),
        }
    }
    let mut runbooks: Vec<_> = outputs.iter().flat_map(|o| o.runbooks.iter().cloned()).collect();
    for runbook in &mut runbooks {
        if let Some(found) = doc_systems.get(&("runbook", runbook.id.as_str())) {
            runbook.systems = found.clone();
        }
    }
    let mut incidents: Vec<_> = outputs.iter().flat_map(|o| o.incidents.iter().cloned()).collect();
    for incident in &mut incidents {
        if let Some(found) = doc_systems.get(&("incident", incident.id.as_str()))
            && incident.systems.is_empty()
        {
            incident.systems = found.clone();
        }
    }
    let mut global_rules = Vec::new();
    for (i, rule) in rules.iter().enumerate() {
        if rule.scope.systems.is_empty() {
            global_rules.push(i as u32);
        }
        for s in &rule.scope.systems {
            if let Some(ix) = index_of.get(s.as_str()) {
                links[*ix as usize].rules.push(i as u32);
            }
        }
    }
    let attach =
        |links: &mut Vec<SystemLinks>, list: &[String], i: u32, pick: fn(&mut SystemLinks) -> &mut Vec<u32>| {
            for s in list {
                if let Some(ix) = index_of.get(s.as_str()) {
                    let slot = pick(&mut links[*ix as usize]);
                    if !slot.contains(&i) {
                        slot.push(i);
                    }
                }
            }
        };
    for (i, runbook) in runbooks.iter().enumerate() {
        attach(&mut links, &runbook.systems, i as u32, |l| &mut l.runbooks);
    }
    for (i, incident) in incidents.iter().enumerate() {
        attach(&mut links, &incident.systems, i as u32, |l| &mut l.incidents);
    }
    for (i, freeze) in freezes.iter().enumerate() {
        attach(&mut links, &freeze.systems, i as u32, |l| &mut l.freezes);
    }
    for (i, advisory) in advisories.iter().enumerate() {
        attach(&mut links, &advisory.systems, i as u32, |l| &mut l.advisories);
    }
    PackData {
        names: names.into_iter().map(|(name, (system, how))| NameEntry { name, system, how }).collect(),
        links,
        dangling: dangling.into_iter().map(|(name, edges)| DanglingName { name, edges }).collect(),
        global_rules,
        environments: outputs.iter().flat_map(|o| o.environments.iter().cloned()).collect(),
        teams: outputs.iter().flat_map(|o| o.teams.iter().cloned()).collect(),
        systems,
        edges,
        rules,
        runbooks,
        incidents,
        freezes,
        advisories,
        operations,
        cautions,
        production_names,
        diagnostics,
        default_review_days: config.default_review_days(),
        name: config.knowledge.name.clone(),
    }
}
