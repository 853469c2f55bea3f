//! Governance: how far the knowledge in a pack can be trusted. `lint` reports
//! stale and unowned records, broken references, cycles and drift between the
//! documented dependency graph and the observed one; `sarif` renders the
//! report for code review; `promote` turns a mined advisory into a rule file;
//! `proposal` writes proposed knowledge and records its review.

mod links;
pub mod lint;
pub mod promote;
pub mod proposal;
pub mod sarif;

pub use lint::{Finding, Report, lint};
