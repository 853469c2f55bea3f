//! lore's operations layer: everything a front end of lore does, whatever
//! its transport. It finds the knowledge and keeps its pack fresh
//! ([`knowledge`], [`loaded`]), checks a proposed action and logs the
//! decision ([`evaluate`]), and answers every other request ([`ops`]). The
//! CLI, the hooks and the server all go through here, so an answer is the
//! same whichever way it was asked for. Nothing here knows about
//! arguments, terminals, HTTP or MCP: notes for the user are returned as
//! data, and errors are [`Error`].

pub mod error;
pub mod evaluate;
pub mod history;
pub mod knowledge;
pub mod loaded;
pub mod ops;
pub mod search;
mod shared_log;

pub use error::{Error, Result};
pub use evaluate::{CheckAnswer, Input, Outcome, Request};
pub use knowledge::{Knowledge, Opened, Origin};
pub use loaded::Loaded;
