//! Recording what the knowledge said, build after build, so a question can
//! be asked of any past date (see `lore_log::history`).

use lore_log::{Current, LogError, Store, Synced};
use lore_model::Meta;
use lore_pack::{Pack, query};
use serde::Serialize;
use serde_json::Value;

/// Brings the history up to `pack`; nothing to do when it already is.
pub fn sync(log: &mut dyn Store, knowledge: &str, pack: &Pack, now: i64) -> Result<Synced, LogError> {
    let version = pack.manifest().version();
    if log.synced_version(knowledge)?.as_deref() == Some(version.as_str()) {
        return Ok(Synced::default());
    }
    log.sync_history(knowledge, &records(pack), &version, now)
}

/// Every record of the pack, as history stores it.
pub fn records(pack: &Pack) -> Vec<Current> {
    let data = pack.data();
    let mut out = Vec::new();
    for ix in 0..data.systems.len() as u32 {
        let system = query::system(data, ix);
        push(&mut out, "system", &system.id, &system.meta, &system);
    }
    macro_rules! all {
        ($field:ident, $ty:ty, $kind:literal) => {
            for archived in data.$field.iter() {
                let record: $ty = query::owned(archived);
                push(&mut out, $kind, &record.id, &record.meta, &record);
            }
        };
    }
    all!(rules, lore_model::Rule, "rule");
    all!(incidents, lore_model::Incident, "incident");
    all!(runbooks, lore_model::Runbook, "runbook");
    all!(freezes, lore_model::Freeze, "freeze");
    all!(teams, lore_model::Team, "team");
    all!(environments, lore_model::Environment, "environment");
    out
}

fn push<T: Serialize>(out: &mut Vec<Current>, kind: &str, id: &str, meta: &Meta, record: &T) {
    let Ok(value) = serde_json::to_value(record) else { return };
    // What the record says, not where it sits: moving it in its file, or a
    // new commit, is not a new version.
    let mut said = value.clone();
    if let Some(object) = said.as_object_mut() {
        object.remove("also_from");
        if let Some(Value::Object(meta)) = object.get_mut("meta") {
            meta.remove("provenance");
        }
    }
    let hash = format!("{:016x}", xxhash_rust::xxh3::xxh3_64(said.to_string().as_bytes()));
    out.push(Current {
        kind: kind.to_string(),
        id: id.to_string(),
        hash,
        record: value.to_string(),
        cite: meta.provenance.cite(),
        valid_from: meta.freshness.valid_from.map(|d| d.to_string()),
        valid_until: meta.freshness.valid_until.map(|d| d.to_string()),
    });
}
