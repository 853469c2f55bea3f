//! lore's knowledge model: the typed records every source is compiled into.
//!
//! Every record carries [`Meta`]: where it came from ([`Provenance`]), who owns
//! it, how fresh it is ([`Freshness`]) and its lifecycle [`Status`]. The types
//! derive `serde` (for `--json` and the file format) and `rkyv` (for the
//! zero-copy knowledge pack), so they stay plain data with no behaviour that
//! depends on a transport.

mod action;
mod date;
mod records;
mod trust;

pub use action::{ActionClass, ActionMatcher, Decision, ParseEnumError};
pub use date::{Day, Timestamp};
pub use records::*;
pub use trust::{Origin, ReviewState, Trust};

/// Normalises a system or alias name for lookup: lower-case, `_` and spaces
/// folded to `-`, trimmed. Catalogs spell the same system `Redis Cart`,
/// `redis_cart` and `redis-cart`.
pub fn normalize_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for ch in name.trim().chars() {
        match ch {
            '_' | ' ' => out.push('-'),
            c => out.extend(c.to_lowercase()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_normalise_case_and_separators() {
        assert_eq!(normalize_name(" Redis_Cart "), "redis-cart");
        assert_eq!(normalize_name("Payment Service"), "payment-service");
    }
}
