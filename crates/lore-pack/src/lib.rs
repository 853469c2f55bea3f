//! The knowledge pack: compile sources into one linked, indexed pack; store
//! it; open it zero-copy; and answer queries (brief, blast radius, search,
//! listings) from it.

pub mod build;
pub mod data;
pub mod environments;
pub mod graph;
pub mod link;
pub mod operations;
pub mod query;
pub mod store;

pub use build::{BuildOptions, BuildReport, PROPOSALS_DIR, Progress, build};
pub use data::{ArchivedPackData, PackData, SCHEMA_VERSION};
pub use lore_search::IndexUpdate;
pub use store::{Manifest, Pack, PackError};
