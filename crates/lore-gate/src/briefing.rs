//! The briefing: what the agent should read before going on. Built beside
//! the reasons, never from their text.

use lore_model::Incident;
use lore_pack::ArchivedPackData;
use lore_pack::query::{self, owned};

use crate::Briefing;

fn add_new(list: &mut Vec<String>, item: String) {
    if !list.contains(&item) {
        list.push(item);
    }
}

pub fn add_instead(briefing: &mut Briefing, instead: &[String]) {
    for item in instead {
        add_new(&mut briefing.instead, item.clone());
    }
}

pub fn add_incidents(briefing: &mut Briefing, incidents: &[(Incident, crate::Reason)]) {
    for (incident, _) in incidents {
        let date = incident.date.map(|d| d.to_string()).unwrap_or_default();
        add_new(&mut briefing.incidents, format!("{} {} ({date})", incident.id, incident.title));
    }
}

/// Sections that document this operation: "the documented way".
pub fn add_documented(briefing: &mut Briefing, documented: Vec<String>) {
    for item in documented {
        add_new(&mut briefing.runbooks, item);
    }
}

/// Owners and whom to escalate to, dependents, blast radius and runbooks of
/// the touched systems.
pub fn add_systems(briefing: &mut Briefing, escalation: &mut Vec<String>, data: &ArchivedPackData, systems: &[u32]) {
    for &ix in systems {
        let system = query::system(data, ix);
        let links = &data.links[ix as usize];
        for owner in &system.owners {
            add_new(&mut briefing.owners, owner.clone());
            if let Some(team) = data.teams.iter().find(|t| t.id.as_str() == lore_model::normalize_name(owner)) {
                let team: lore_model::Team = owned(team);
                for contact in team.contacts.iter().chain(team.escalation.iter()) {
                    add_new(escalation, contact.clone());
                }
            }
        }
        for e in links.dependents.iter() {
            if let Some(from) = data.edges[e.to_native() as usize].from_ix.as_ref() {
                add_new(&mut briefing.dependents, data.systems[from.to_native() as usize].id.to_string());
            }
        }
        let (blast_total, tier1_in_blast) = query::blast_counts(data, ix, 16);
        briefing.blast_radius = briefing.blast_radius.max(blast_total);
        for c in tier1_in_blast {
            add_new(&mut briefing.tier1_in_blast_radius, c);
        }
        for r in links.runbooks.iter().take(3) {
            let runbook = &data.runbooks[r.to_native() as usize];
            add_new(&mut briefing.runbooks, format!("{} ({})", runbook.title, runbook.path));
        }
    }
}
