//! Destroying data with no knowledge written: wiping tables, keyspaces and
//! collections asks where lore cannot tell the database is a local one,
//! and warns where it clearly is (localhost, a SQLite file of the project,
//! a container of the developer's own compose stack).

use lore_action::{Action, Target};
use lore_model::{ActionClass, Decision};

use super::{Finding, Surroundings};

const LOCAL_HOSTS: [&str; 6] = ["localhost", "127.0.0.1", "::1", "0.0.0.0", "host.docker.internal", "[::1]"];

/// What a destructive statement or command wipes, if it is one.
fn wipes(action: &Action) -> Option<Wipe> {
    let head = action.command.first().map(String::as_str).unwrap_or("");
    let database_tool = matches!(
        action.tool.as_str(),
        "psql"
            | "mysql"
            | "mariadb"
            | "sqlite3"
            | "mongosh"
            | "mongo"
            | "redis-cli"
            | "valkey-cli"
            | "dropdb"
            | "mysqladmin"
    );
    if !database_tool {
        return None;
    }
    Some(match head {
        _ if action.tool == "dropdb" || head.starts_with("DROP DATABASE") || action.has_flag("drop-database") => {
            Wipe::Database
        }
        _ if head.starts_with("DROP SCHEMA") => Wipe::Some("DROP SCHEMA deletes every table in the schema"),
        _ if head.starts_with("DROP TABLE") || action.has_flag("drop-collection") => {
            Wipe::Some("dropping a table or collection deletes it and all its rows")
        }
        _ if action.has_flag("truncate") || head.starts_with("TRUNCATE") => {
            Wipe::Some("TRUNCATE deletes every row at once")
        }
        "FLUSHALL" | "FLUSHDB" => {
            Wipe::Some("FLUSHALL/FLUSHDB deletes every key; caches and sessions are gone at once")
        }
        _ if action.has_flag("no-where") && head.starts_with("UPDATE") => {
            Wipe::Some("UPDATE without WHERE overwrites that column in every row")
        }
        _ if action.has_flag("no-where")
            && matches!(action.class, ActionClass::DataDelete | ActionClass::BulkDestroy) =>
        {
            Wipe::Some("a delete without a filter deletes every row")
        }
        _ => return None,
    })
}

enum Wipe {
    Database,
    Some(&'static str),
}

pub fn check(action: &Action, around: &Surroundings) -> Vec<Finding> {
    let Some(wipe) = wipes(action) else { return Vec::new() };
    let local = is_local(action, around);
    let (decision, what) = match wipe {
        Wipe::Database if local => (Decision::Ask, "dropping a database deletes all its data"),
        Wipe::Database => (Decision::Deny, "dropping a database deletes all its data; restores take hours"),
        // Without knowledge, production is only a name: a human decides.
        Wipe::Some(what) if around.production => (Decision::Ask, what),
        Wipe::Some(what) if local || around.known_elsewhere => (Decision::Warn, what),
        Wipe::Some(what) => (Decision::Ask, what),
    };
    let place = if local {
        "on a local database".to_string()
    } else if around.production {
        "in production".to_string()
    } else {
        "and lore cannot tell which database this is".to_string()
    };
    vec![Finding::new(
        decision,
        format!("{what}, {place}"),
        "take a backup first (`pg_dump -t TABLE`, `mysqldump`, `redis-cli --rdb`), and try the statement inside a transaction or on a copy",
    )]
}

/// The database is on this machine or in the developer's own containers.
fn is_local(action: &Action, around: &Surroundings) -> bool {
    let in_container = action
        .wrappers
        .iter()
        .any(|w| w.starts_with("docker exec") || w.starts_with("docker compose") || w.starts_with("podman exec"))
        || action.wrappers.iter().any(|w| w.ends_with("--local"));
    if in_container {
        return true;
    }
    if action.tool == "sqlite3" {
        return action.targets.iter().any(|t| match t {
            Target::Database { database: Some(file), .. } => local_file(file, around),
            _ => false,
        });
    }
    !action.env.hosts.is_empty() && action.env.hosts.iter().all(|h| LOCAL_HOSTS.contains(&h.as_str()))
}

/// A SQLite file in the working tree or a temp directory (or in memory).
fn local_file(file: &str, around: &Surroundings) -> bool {
    if file == ":memory:" {
        return true;
    }
    if file.contains(':') {
        return false;
    }
    let temp = ["/tmp/", "/var/tmp/", "/dev/shm/"].iter().any(|t| file.starts_with(t));
    let in_tree = around.cwd.is_some_and(|cwd| file.starts_with(&format!("{}/", cwd.trim_end_matches('/'))));
    !file.starts_with(['/', '~']) || temp || in_tree
}
