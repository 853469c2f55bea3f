//! The one error type of lore's operations. Each front end maps it to its
//! own form: an exit code and a line on stderr, a problem document, a tool
//! error.

use std::path::PathBuf;

/// What went wrong in an operation.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The thing asked for does not exist; `suggestions` are names close to it.
    #[error("{message}")]
    NotFound {
        /// What was not found, said for a person.
        message: String,
        /// Names close to the one asked for, best first.
        suggestions: Vec<String>,
    },
    /// The request itself is wrong (an unknown kind, a bad date, an empty query).
    #[error("{0}")]
    Invalid(String),
    /// The operation needs something lore does not have now (no pack, no index).
    #[error("{0}")]
    Unavailable(String),
    /// Something failed that is no fault of the request (a task that died).
    #[error("{0}")]
    Internal(String),
    /// The configuration could not be read.
    #[error(transparent)]
    Config(#[from] lore_ingest::config::ConfigError),
    /// The pack could not be built, opened or read.
    #[error(transparent)]
    Pack(#[from] lore_pack::PackError),
    /// The search index failed.
    #[error(transparent)]
    Search(#[from] lore_search::SearchError),
    /// The decision log failed.
    #[error(transparent)]
    Log(#[from] lore_log::LogError),
    /// A proposal could not be written, approved or rejected.
    #[error(transparent)]
    Proposal(#[from] lore_govern::proposal::ProposalError),
    /// A rule could not be written from an advisory.
    #[error(transparent)]
    Promote(#[from] lore_govern::promote::PromoteError),
    /// The embedding model could not be loaded.
    #[cfg(feature = "semantic")]
    #[error(transparent)]
    Model(#[from] lore_search::semantic::SemanticError),
    /// A file lore reads or writes. The cause is in the message, not the
    /// error's `source`, so a chain printer does not say it twice.
    #[error("{action} {}: {cause}", path.display())]
    Io {
        /// What lore was doing: "reading", "writing", …
        action: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// The cause.
        cause: std::io::Error,
    },
    /// A file lore reads is not what it should be (malformed JSON or TOML).
    #[error("{}: {message}", path.display())]
    Malformed {
        /// The file.
        path: PathBuf,
        /// What is wrong and what to do.
        message: String,
    },
}

/// The result of an operation.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A "not found" with its suggestions.
    pub fn not_found(message: impl Into<String>, suggestions: Vec<String>) -> Error {
        Error::NotFound { message: message.into(), suggestions }
    }

    /// An I/O failure on `path` while doing `action`.
    pub fn io(action: &'static str, path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Error {
        let path = path.into();
        move |cause| Error::Io { action, path, cause }
    }
}
