//! What every front end of lore does, whatever its transport: find the
//! knowledge and keep its pack fresh ([`knowledge`]), and check a proposed
//! action and log the decision ([`evaluate`]). The CLI, the hooks and the
//! server all go through here, so a decision is made and logged the same way
//! whichever way it was asked for.

pub mod evaluate;
pub mod history;
pub mod knowledge;
pub mod search;

pub use evaluate::{Input, Outcome, Request};
pub use knowledge::{Knowledge, Origin};
