//! Database clients: SQL from `-c`, `-e`, heredocs, here-strings and
//! readable `-f` files; Redis and MongoDB commands.

use lore_model::ActionClass;

use super::Opts;
use crate::model::{Action, Target};
use crate::shell::Invocation;

pub fn database(inv: &mut Invocation<'_>) -> Vec<Action> {
    match inv.tool {
        "redis-cli" | "valkey-cli" => redis(inv),
        "mongosh" | "mongo" => mongo(inv),
        "dropdb" => {
            let opts = Opts::new(inv.args, &["-h", "--host", "-p", "--port", "-U", "--username"]);
            let mut action = Action::new("dropdb", ActionClass::BulkDestroy);
            for db in opts.positionals() {
                action.targets.push(Target::Database {
                    engine: Some("postgres".into()),
                    database: Some(db.text.clone()),
                    schema: None,
                    table: None,
                });
            }
            host_hint(&mut action, &opts, &["-h", "--host"]);
            vec![action]
        }
        "pg_dump" | "mysqldump" => {
            let mut action = Action::new(inv.tool, ActionClass::Read);
            action.command.push("dump".into());
            vec![action]
        }
        "createdb" => vec![Action::new("createdb", ActionClass::Create)],
        "mysqladmin" => {
            let opts = Opts::new(inv.args, &["-h", "--host", "-u", "--user", "-P", "--port", "-S", "--socket"]);
            let words: Vec<&str> = opts.positionals().iter().map(|a| a.text.as_str()).collect();
            let Some(at) = words.iter().position(|w| *w == "drop") else {
                return vec![Action::new("mysqladmin", ActionClass::Update)];
            };
            let mut action = Action::new("mysqladmin", ActionClass::BulkDestroy);
            action.command.push("DROP DATABASE".into());
            for db in &words[at + 1..] {
                action.targets.push(Target::Database {
                    engine: Some("mysql".into()),
                    database: Some(db.to_string()),
                    schema: None,
                    table: None,
                });
            }
            host_hint(&mut action, &opts, &["-h", "--host"]);
            vec![action]
        }
        "pg_restore" => vec![Action::new("pg_restore", ActionClass::DataWrite)],
        _ => sql_client(inv),
    }
}

fn host_hint(action: &mut Action, opts: &Opts<'_>, flags: &[&str]) {
    if let Some(host) = opts.value(flags) {
        action.env.add_host(&host.text);
        action.targets.push(Target::host(&host.text));
    }
}

/// Which options of a SQL client carry what.
struct ClientFlags {
    value: &'static [&'static str],
    sql: &'static [&'static str],
    db: &'static [&'static str],
    host: &'static [&'static str],
    file: &'static [&'static str],
}

fn sql_client(inv: &mut Invocation<'_>) -> Vec<Action> {
    let tool = inv.tool;
    let flags = match tool {
        "psql" => ClientFlags {
            value: &[
                "-c",
                "--command",
                "-d",
                "--dbname",
                "-h",
                "--host",
                "-p",
                "--port",
                "-U",
                "--username",
                "-f",
                "--file",
                "-v",
                "--set",
                "-o",
                "--output",
                "-P",
                "-F",
                "-R",
            ],
            sql: &["-c", "--command"],
            db: &["-d", "--dbname"],
            host: &["-h", "--host"],
            file: &["-f", "--file"],
        },
        "mysql" | "mariadb" => ClientFlags {
            value: &[
                "-e",
                "--execute",
                "-D",
                "--database",
                "-h",
                "--host",
                "-P",
                "--port",
                "-u",
                "--user",
                "-S",
                "--socket",
            ],
            sql: &["-e", "--execute"],
            db: &["-D", "--database"],
            host: &["-h", "--host"],
            file: &[],
        },
        _ => ClientFlags {
            value: &["-cmd", "-separator", "-init"],
            sql: &["-cmd"],
            db: &[],
            host: &[],
            file: &["-init"],
        },
    };
    let ClientFlags { value: value_flags, sql: sql_flags, db: db_flags, host: host_flags, file: file_flags } = flags;
    let opts = Opts::new(inv.args, value_flags);
    let positionals = opts.positionals();
    let engine = match tool {
        "psql" => "postgres",
        "sqlite3" => "sqlite",
        _ => "mysql",
    };
    // The database: a flag, a positional, or a connection string.
    let mut database = opts.value(db_flags).map(|a| a.text);
    let mut host = opts.value(host_flags).map(|a| a.text);
    let mut connection = None;
    for arg in &positionals {
        if arg.text.contains("://") {
            connection = Some(arg.text.clone());
            let (h, d) = parse_connection_string(&arg.text);
            host = host.or(h);
            database = database.or(d);
        }
    }
    if let Some(db) = opts.value(db_flags).filter(|d| d.text.contains("://")) {
        connection = Some(db.text.clone());
        let (h, d) = parse_connection_string(&db.text);
        host = host.or(h);
        database = d;
    }
    let unknown_sql = opts.values(sql_flags).into_iter().filter(|a| a.unknown).map(|a| a.text).collect::<Vec<_>>();
    let mut sql: Vec<String> = opts.values(sql_flags).into_iter().filter(|a| !a.unknown).map(|a| a.text).collect();
    let first_positional_is_db = tool != "sqlite3" || positionals.len() > 1;
    if database.is_none() && first_positional_is_db {
        database = positionals.iter().find(|a| !a.text.contains("://")).map(|a| a.text.clone());
    }
    if tool == "sqlite3" {
        database = positionals.first().map(|a| a.text.clone());
        sql.extend(positionals.iter().skip(1).map(|a| a.text.clone()));
    }
    for file in opts.values(file_flags) {
        match std::fs::read_to_string(&file.text) {
            Ok(text) => sql.push(text),
            Err(_) => sql.push(String::new()),
        }
    }
    let unreadable_file = opts.values(file_flags).iter().any(|f| std::fs::metadata(&f.text).is_err());
    if let Some(stdin) = inv.stdin {
        sql.push(stdin.to_string());
    }
    let mut actions = Vec::new();
    for text in sql.iter().filter(|s| !s.trim().is_empty()) {
        let (mut found, problems) = crate::sql::actions(tool, text, database.as_deref());
        for action in &mut found {
            action.unknowns.extend(problems.iter().cloned());
        }
        actions.extend(found);
    }
    for expression in &unknown_sql {
        // SQL in a variable: what it does cannot be known here.
        let mut action = Action::new(tool, ActionClass::Unknown);
        action.command.push(sql_flags.first().copied().unwrap_or("-c").to_string());
        action.unknowns.push(expression.clone());
        action.targets.push(Target::Database {
            engine: Some(engine.into()),
            database: database.clone(),
            schema: None,
            table: None,
        });
        actions.push(action);
    }
    if actions.is_empty() {
        // No SQL on the command line: an interactive session, or a script lore cannot read.
        let mut action = Action::new(tool, if unreadable_file { ActionClass::Unknown } else { ActionClass::Exec });
        action.command.push(if unreadable_file { "-f" } else { "interactive" }.into());
        action.targets.push(Target::Database {
            engine: Some(engine.into()),
            database: database.clone(),
            schema: None,
            table: None,
        });
        if unreadable_file {
            for file in opts.values(file_flags) {
                action.unknowns.push(format!("the SQL in {}", file.text));
            }
        }
        actions.push(action);
    }
    for action in &mut actions {
        if let Some(host) = &host {
            action.env.add_host(host);
        }
        if let Some(connection) = &connection {
            action.env.connection_strings.push(connection.clone());
        }
        for target in &mut action.targets {
            if let Target::Database { engine: e, database: d, .. } = target {
                e.get_or_insert_with(|| engine.to_string());
                if d.is_none() {
                    d.clone_from(&database);
                }
            }
        }
    }
    actions
}

/// `postgres://user:pw@host:5432/db?x=y` → (host, database).
fn parse_connection_string(url: &str) -> (Option<String>, Option<String>) {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    let rest = rest.rsplit_once('@').map(|(_, r)| r).unwrap_or(rest);
    let (hostport, path) = rest.split_once('/').unwrap_or((rest, ""));
    let host = hostport.split(':').next().filter(|h| !h.is_empty()).map(str::to_string);
    let db = path.split('?').next().filter(|d| !d.is_empty()).map(str::to_string);
    (host, db)
}

fn redis(inv: &mut Invocation<'_>) -> Vec<Action> {
    let opts = Opts::new(
        inv.args,
        &[
            "-h",
            "-p",
            "-a",
            "-n",
            "-u",
            "--user",
            "--pass",
            "-s",
            "-r",
            "-i",
            "--pattern",
            "--count",
            "--tls-cert",
            "--cacert",
            "--key",
            "--cert",
        ],
    );
    let words: Vec<String> = opts.positionals().iter().map(|a| a.text.clone()).collect();
    if !words.is_empty() {
        return vec![redis_command(inv.tool, &opts, words)];
    }
    // On stdin, one command per line.
    let lines: Vec<Vec<String>> = inv
        .stdin
        .map(|s| s.lines().map(|l| l.split_whitespace().map(str::to_string).collect::<Vec<_>>()).collect())
        .unwrap_or_default();
    let actions: Vec<Action> =
        lines.into_iter().filter(|l| !l.is_empty()).map(|line| redis_command(inv.tool, &opts, line)).collect();
    if actions.is_empty() {
        return vec![redis_command(inv.tool, &opts, Vec::new())];
    }
    actions
}

fn redis_command(tool: &str, opts: &Opts<'_>, command: Vec<String>) -> Action {
    let verb = command.first().map(|c| c.to_ascii_uppercase()).unwrap_or_default();
    let mut action = Action::new(tool, ActionClass::Exec);
    if !verb.is_empty() {
        action.command.push(verb.clone());
    }
    action.class = match verb.as_str() {
        "" if opts.has(&["--scan", "--bigkeys", "--memkeys", "--hotkeys", "--stat", "--latency"]) => ActionClass::Read,
        "" => ActionClass::Exec,
        "FLUSHALL" | "FLUSHDB" => {
            action.flag("all");
            ActionClass::BulkDestroy
        }
        "DEL" | "UNLINK" | "HDEL" | "SREM" | "ZREM" | "LREM" | "XDEL" | "GETDEL" | "EXPIRE" | "PEXPIRE" => {
            ActionClass::DataDelete
        }
        "KEYS" => {
            action.flag("blocking");
            ActionClass::Read
        }
        "MONITOR" => {
            action.flag("blocking");
            ActionClass::Read
        }
        "CONFIG" => match command.get(1).map(|s| s.to_ascii_uppercase()).as_deref() {
            Some("SET" | "REWRITE" | "RESETSTAT") => ActionClass::Update,
            _ => ActionClass::Read,
        },
        "SHUTDOWN" => ActionClass::Restart,
        "DEBUG"
            if command
                .get(1)
                .is_some_and(|s| s.eq_ignore_ascii_case("sleep") || s.eq_ignore_ascii_case("segfault")) =>
        {
            ActionClass::Restart
        }
        "SET" | "HSET" | "LPUSH" | "RPUSH" | "SADD" | "ZADD" | "INCR" | "DECR" | "MSET" | "SETEX" | "APPEND"
        | "RENAME" | "XADD" | "PUBLISH" | "RESTORE" | "MIGRATE" => ActionClass::DataWrite,
        "REPLICAOF" | "SLAVEOF" | "FAILOVER" | "CLUSTER" => ActionClass::Failover,
        "SCRIPT" | "EVAL" | "EVALSHA" | "FUNCTION" => ActionClass::Unknown,
        "ACL" => ActionClass::PermissionChange,
        "CLIENT" => ActionClass::Update,
        _ => ActionClass::Read,
    };
    if let Some(host) = opts.value(&["-h"]) {
        action.env.add_host(&host.text);
        action.targets.push(Target::host(&host.text));
    }
    if let Some(url) = opts.value(&["-u"]) {
        action.env.connection_strings.push(url.text.clone());
        if let (Some(host), _) = parse_connection_string(&url.text) {
            action.env.add_host(&host);
            action.targets.push(Target::host(&host));
        }
    }
    if verb == "DEL" || verb == "UNLINK" {
        for key in command.iter().skip(1) {
            action.targets.push(Target::Other { value: format!("key:{key}") });
        }
    }
    action
}

fn mongo(inv: &mut Invocation<'_>) -> Vec<Action> {
    let opts = Opts::new(
        inv.args,
        &[
            "--eval",
            "--host",
            "--port",
            "-u",
            "--username",
            "-p",
            "--password",
            "--file",
            "-f",
            "--authenticationDatabase",
        ],
    );
    let script = opts.value(&["--eval"]).map(|a| a.text).or_else(|| inv.stdin.map(str::to_string)).unwrap_or_default();
    let lower = script.to_lowercase();
    let class = if script.is_empty() {
        ActionClass::Exec
    } else if lower.contains("dropdatabase(") {
        ActionClass::BulkDestroy
    } else if lower.contains(".drop(") || lower.contains("dropindex") {
        ActionClass::Delete
    } else if lower.contains("deletemany({})") || lower.contains("remove({})") {
        ActionClass::BulkDestroy
    } else if lower.contains("deletemany(") || lower.contains("deleteone(") || lower.contains(".remove(") {
        ActionClass::DataDelete
    } else if lower.contains("updatemany(")
        || lower.contains("updateone(")
        || lower.contains("insert")
        || lower.contains("replaceone(")
    {
        ActionClass::DataWrite
    } else if lower.contains("createuser") || lower.contains("grantroles") || lower.contains("dropuser") {
        ActionClass::PermissionChange
    } else {
        ActionClass::Read
    };
    let mut action = Action::new(inv.tool, class);
    action.command.push(if script.is_empty() { "interactive" } else { "--eval" }.into());
    if lower.contains("dropdatabase(") {
        action.flag("drop-database");
    } else if lower.contains(".drop(") {
        action.flag("drop-collection");
    } else if lower.contains("deletemany({})") || lower.contains("remove({})") {
        action.flag("no-where");
    }
    let positionals = opts.positionals();
    if let Some(host) = opts.value(&["--host"]) {
        action.env.add_host(host.text.split(':').next().unwrap_or(&host.text));
    }
    if let Some(target) = positionals.first() {
        if target.text.contains("://") {
            action.env.connection_strings.push(target.text.clone());
            let (host, db) = parse_connection_string(&target.text);
            if let Some(host) = host {
                action.env.add_host(&host);
            }
            action.targets.push(Target::Database {
                engine: Some("mongodb".into()),
                database: db,
                schema: None,
                table: None,
            });
        } else {
            action.targets.push(Target::Database {
                engine: Some("mongodb".into()),
                database: Some(target.text.clone()),
                schema: None,
                table: None,
            });
        }
    }
    vec![action]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_strings_give_host_and_database() {
        assert_eq!(
            parse_connection_string("postgres://u:p@db-1.prod:5432/payments?sslmode=require"),
            (Some("db-1.prod".into()), Some("payments".into()))
        );
        assert_eq!(parse_connection_string("redis://cache:6379"), (Some("cache".into()), None));
    }
}
