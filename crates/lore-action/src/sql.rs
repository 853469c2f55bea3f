//! SQL statements: what each does, to which table, and whether it takes
//! locks or destroys data. Parsed with sqlparser (PostgreSQL, then MySQL,
//! then generic); statements no dialect parses are read by their keywords
//! and marked so.

use lore_model::ActionClass;
use sqlparser::ast::{ObjectType, Statement};
use sqlparser::dialect::{Dialect, GenericDialect, MySqlDialect, PostgreSqlDialect};
use sqlparser::parser::Parser;

use crate::model::{Action, Analysis, InputKind, Reversibility, Target};

/// Larger SQL is not analysed.
pub const MAX_SQL_BYTES: usize = 1024 * 1024;

/// Analyses SQL statements as run by an unnamed client (`sql`); incomplete
/// when any statement could not be read.
pub fn analyze(sql: &str) -> Analysis {
    let (actions, problems) = actions("sql", sql, None);
    let complete = problems.is_empty();
    Analysis { kind: InputKind::Sql, actions, complete, problems }
}

/// The actions of every statement in `sql`, run by `tool` against `database`.
pub fn actions(tool: &str, sql: &str, database: Option<&str>) -> (Vec<Action>, Vec<String>) {
    if sql.len() > MAX_SQL_BYTES {
        return (Vec::new(), vec![format!("SQL larger than {} KiB was not analysed", MAX_SQL_BYTES / 1024)]);
    }
    let dialects: [&dyn Dialect; 3] = [&PostgreSqlDialect {}, &MySqlDialect {}, &GenericDialect {}];
    let mut batch = Batch::default();
    for dialect in dialects {
        if let Ok(statements) = Parser::parse_sql(dialect, sql) {
            let actions = statements.iter().map(|s| statement(tool, s, database, &mut batch)).collect();
            return (actions, Vec::new());
        }
    }
    // No dialect parses the whole text: take it statement by statement.
    let mut actions = Vec::new();
    let mut problems = Vec::new();
    for piece in split_statements(sql) {
        let parsed = dialects.iter().find_map(|d| Parser::parse_sql(*d, piece).ok());
        match parsed {
            Some(statements) => actions.extend(statements.iter().map(|s| statement(tool, s, database, &mut batch))),
            None => {
                let mut action = by_keywords(tool, piece, database);
                action.flag("parsed-by-keywords");
                problems.push(format!("SQL not parsed, read by keywords: {}", clip(piece, 80)));
                actions.push(action);
            }
        }
    }
    (actions, problems)
}

/// What earlier statements of the same batch established.
#[derive(Default)]
struct Batch {
    /// `(table, column)` with a `CHECK (column IS NOT NULL)` constraint added
    /// here: PostgreSQL then sets NOT NULL without scanning the table.
    not_null_checked: Vec<(String, String)>,
}

fn statement(tool: &str, statement: &Statement, database: Option<&str>, batch: &mut Batch) -> Action {
    let text = statement.to_string();
    let upper = text.to_uppercase();
    let mut action = Action::new(tool, ActionClass::Unknown);
    action.command = vec![keyword_head(&upper)];
    action.text = text.clone();
    let table = |name: Option<String>| -> Target { db_target(database, name.as_deref()) };
    match statement {
        Statement::Query(_) => action.class = ActionClass::Read,
        Statement::Insert(_) => {
            action.class = ActionClass::DataWrite;
            action.targets.push(table(name_after(
                &upper,
                &text,
                &["INSERT INTO", "INSERT IGNORE INTO", "REPLACE INTO"],
            )));
        }
        Statement::Update(update) => {
            action.class = ActionClass::DataWrite;
            action.targets.push(table(name_after(&upper, &text, &["UPDATE"])));
            if update.selection.is_none() {
                action.flag("no-where");
            }
        }
        Statement::Delete(delete) => {
            action.class = ActionClass::DataDelete;
            action.targets.push(table(name_after(&upper, &text, &["DELETE FROM", "DELETE"])));
            if delete.selection.is_none() && delete.using.is_none() {
                action.flag("no-where");
            }
        }
        Statement::Truncate(truncate) => {
            action.class = ActionClass::DataDelete;
            action.flag("truncate");
            for target in &truncate.table_names {
                action.targets.push(table(Some(target.name.to_string())));
            }
            if upper.contains(" CASCADE") {
                action.flag("cascade");
            }
        }
        Statement::Drop { object_type, names, cascade, .. } => {
            action.class = match object_type {
                ObjectType::Database | ObjectType::Schema => ActionClass::BulkDestroy,
                ObjectType::Role | ObjectType::User => ActionClass::PermissionChange,
                _ => ActionClass::Delete,
            };
            for name in names {
                action.targets.push(match object_type {
                    ObjectType::Database => Target::Database {
                        engine: None,
                        database: Some(unquote(&name.to_string())),
                        schema: None,
                        table: None,
                    },
                    ObjectType::Schema => Target::Database {
                        engine: None,
                        database: database.map(str::to_string),
                        schema: Some(unquote(&name.to_string())),
                        table: None,
                    },
                    _ => table(Some(name.to_string())),
                });
            }
            if *cascade {
                action.flag("cascade");
            }
            if matches!(object_type, ObjectType::Index) && !upper.contains("CONCURRENTLY") {
                action.flag("heavy-lock");
            }
        }
        Statement::AlterTable(alter) => {
            action.class = ActionClass::Migrate;
            action.targets.push(table(Some(alter.name.to_string())));
            let table_name = unquote(&alter.name.to_string()).to_uppercase();
            for op in &alter.operations {
                alter_operation(&mut action, &op.to_string().to_uppercase(), &table_name, batch);
            }
        }
        Statement::CreateIndex(index) => {
            action.class = ActionClass::Migrate;
            action.targets.push(table(Some(index.table_name.to_string())));
            if !index.concurrently {
                action.flag("heavy-lock");
                action.flag("not-concurrent");
            }
        }
        Statement::CreateTable(create) => {
            action.class = ActionClass::Create;
            action.targets.push(table(Some(create.name.to_string())));
        }
        Statement::Grant(_) | Statement::Revoke(_) | Statement::GrantRole(_) | Statement::RevokeRole(_) => {
            action.class = ActionClass::PermissionChange
        }
        _ => {
            action = by_keywords(tool, &text, database);
        }
    }
    action.reversibility = Reversibility::estimate(action.class, &action.flags);
    action
}

/// Locks and rewrites that PostgreSQL takes for an ALTER TABLE operation
/// (the squawk rules): each becomes a flag.
fn alter_operation(action: &mut Action, op: &str, table: &str, batch: &mut Batch) {
    if op.starts_with("ADD CONSTRAINT")
        && let Some(column) = op.split("CHECK (").nth(1).and_then(|rest| rest.strip_suffix_ci_is_not_null())
    {
        batch.not_null_checked.push((table.to_string(), column));
    }
    if op.starts_with("DROP COLUMN") {
        action.class = ActionClass::DataDelete;
        action.flag("drop-column");
    }
    if op.starts_with("ADD CONSTRAINT")
        || op.starts_with("ADD FOREIGN KEY")
        || op.starts_with("ADD PRIMARY KEY")
        || op.starts_with("ADD UNIQUE")
        || op.starts_with("ADD CHECK")
    {
        let uses_index = op.contains("USING INDEX");
        if !op.contains("NOT VALID") && !uses_index {
            action.flag("heavy-lock");
        }
        if (op.contains("UNIQUE") || op.contains("PRIMARY KEY")) && !uses_index {
            action.flag("heavy-lock");
        }
    }
    if op.starts_with("ALTER COLUMN") && (op.contains(" TYPE ") || op.contains("SET DATA TYPE")) {
        action.flag("table-rewrite");
        action.flag("heavy-lock");
    }
    if op.starts_with("ALTER COLUMN") && op.contains("SET NOT NULL") {
        let column = op.trim_start_matches("ALTER COLUMN ").split_whitespace().next().map(unquote).unwrap_or_default();
        let checked = batch.not_null_checked.iter().any(|(t, c)| t == table && *c == column);
        if !checked {
            action.flag("heavy-lock");
        }
    }
    if op.starts_with("ALTER COLUMN") && op.contains("DROP NOT NULL") {
        action.flag("drop-not-null");
    }
    if op.starts_with("ADD COLUMN") || op.starts_with("ADD ") && !op.starts_with("ADD CONSTRAINT") {
        if op.contains("NOT NULL") && !op.contains("DEFAULT") {
            action.flag("not-null-without-default");
        }
        if op.contains(" SERIAL")
            || op.contains("BIGSERIAL")
            || op.contains("GENERATED ALWAYS AS (")
            || op.contains("PRIMARY KEY")
            || op.contains(" UNIQUE")
        {
            action.flag("table-rewrite");
            action.flag("heavy-lock");
        }
        if op.contains("DEFAULT")
            && (op.contains("NOW()")
                || op.contains("RANDOM()")
                || op.contains("GEN_RANDOM_UUID")
                || op.contains("UUID_GENERATE")
                || op.contains("CLOCK_TIMESTAMP"))
        {
            action.flag("table-rewrite");
            action.flag("heavy-lock");
        }
    }
    if op.starts_with("RENAME") {
        action.flag("rename");
    }
    if op.starts_with("DETACH PARTITION") && !op.contains("CONCURRENTLY") {
        action.flag("heavy-lock");
    }
}

/// Classification from the leading keywords, for SQL no dialect parses
/// (`DROP INDEX CONCURRENTLY`, vendor syntax) and rare statement kinds.
fn by_keywords(tool: &str, sql: &str, database: Option<&str>) -> Action {
    // Comments out, case kept: names are cut from this text.
    let clean = strip_sql_comments(sql).trim().to_string();
    let upper = clean.to_uppercase();
    let words: Vec<&str> = upper.split_whitespace().collect();
    let head = |n: usize| words.iter().take(n).copied().collect::<Vec<_>>().join(" ");
    let mut action = Action::new(tool, ActionClass::Unknown);
    action.command = vec![keyword_head(&upper)];
    action.text = clean.clone();
    let first = words.first().copied().unwrap_or("");
    let has_where = words.contains(&"WHERE");
    action.class = match first {
        "SELECT" | "WITH" | "SHOW" | "EXPLAIN" | "DESCRIBE" | "DESC" | "SET" | "BEGIN" | "COMMIT" | "ROLLBACK"
        | "START" | "END" | "VALUES" | "\\D" => ActionClass::Read,
        "INSERT" | "REPLACE" | "COPY" | "LOAD" | "MERGE" | "UPSERT" => ActionClass::DataWrite,
        "UPDATE" => {
            if !has_where {
                action.flag("no-where");
            }
            ActionClass::DataWrite
        }
        "DELETE" => {
            if !has_where {
                action.flag("no-where");
            }
            ActionClass::DataDelete
        }
        "TRUNCATE" => {
            action.flag("truncate");
            ActionClass::DataDelete
        }
        "DROP" => match words.get(1).copied() {
            Some("DATABASE" | "SCHEMA") => ActionClass::BulkDestroy,
            Some("ROLE" | "USER") => ActionClass::PermissionChange,
            Some("INDEX") => {
                if !words.contains(&"CONCURRENTLY") {
                    action.flag("heavy-lock");
                }
                ActionClass::Delete
            }
            _ => ActionClass::Delete,
        },
        "ALTER" => ActionClass::Migrate,
        "CREATE" => {
            if head(3).contains("INDEX") && !words.contains(&"CONCURRENTLY") {
                action.flag("heavy-lock");
                action.flag("not-concurrent");
            }
            if words.contains(&"INDEX") { ActionClass::Migrate } else { ActionClass::Create }
        }
        "REINDEX" => {
            if !words.contains(&"CONCURRENTLY") {
                action.flag("heavy-lock");
            }
            ActionClass::Migrate
        }
        "VACUUM" | "ANALYZE" | "CLUSTER" => {
            if words.contains(&"FULL") || first == "CLUSTER" {
                action.flag("heavy-lock");
            }
            ActionClass::Update
        }
        "GRANT" | "REVOKE" => ActionClass::PermissionChange,
        "CALL" | "DO" | "EXECUTE" => ActionClass::Unknown,
        _ => ActionClass::Unknown,
    };
    if matches!(first, "DROP" | "TRUNCATE" | "DELETE" | "UPDATE" | "INSERT" | "ALTER") {
        let keywords: &[&str] = match first {
            "DROP" => &[
                "DROP TABLE IF EXISTS",
                "DROP TABLE",
                "DROP INDEX CONCURRENTLY IF EXISTS",
                "DROP INDEX CONCURRENTLY",
                "DROP INDEX IF EXISTS",
                "DROP INDEX",
                "DROP DATABASE IF EXISTS",
                "DROP DATABASE",
                "DROP SCHEMA",
            ],
            "TRUNCATE" => &["TRUNCATE TABLE", "TRUNCATE"],
            "DELETE" => &["DELETE FROM"],
            "UPDATE" => &["UPDATE"],
            "INSERT" => &["INSERT INTO"],
            _ => &["ALTER TABLE IF EXISTS ONLY", "ALTER TABLE IF EXISTS", "ALTER TABLE ONLY", "ALTER TABLE"],
        };
        if first == "ALTER"
            && let Some(name) = name_after(&upper, &clean, keywords)
        {
            // Apply the same lock rules to the operations after the table name.
            let name_upper = name.to_uppercase();
            if let Some(ops) = upper.split_once(&name_upper).map(|(_, rest)| rest.trim().to_string()) {
                let mut batch = Batch::default();
                for op in ops.split(", ") {
                    alter_operation(&mut action, op.trim(), &unquote(&name_upper), &mut batch);
                }
            }
        }
        if let Some(name) = name_after(&upper, &clean, keywords) {
            action.targets.push(if upper.starts_with("DROP DATABASE") {
                Target::Database { engine: None, database: Some(unquote(&name)), schema: None, table: None }
            } else {
                db_target(database, Some(&name))
            });
        }
    }
    action.reversibility = Reversibility::estimate(action.class, &action.flags);
    action
}

/// `db.schema.table`, `schema.table` or `table` into a target.
fn db_target(database: Option<&str>, name: Option<&str>) -> Target {
    let parts: Vec<String> = name.map(|n| n.split('.').map(unquote).collect()).unwrap_or_default();
    let (db, schema, table) = match parts.as_slice() {
        [db, schema, table] => (Some(db.clone()), Some(schema.clone()), Some(table.clone())),
        [schema, table] => (database.map(str::to_string), Some(schema.clone()), Some(table.clone())),
        [table] => (database.map(str::to_string), None, Some(table.clone())),
        _ => (database.map(str::to_string), None, None),
    };
    Target::Database { engine: None, database: db, schema, table }
}

/// The object name after the first of `keywords` found at the start of `upper`.
fn name_after(upper: &str, original: &str, keywords: &[&str]) -> Option<String> {
    let upper = upper.trim_start();
    let offset = original.len() - original.trim_start().len();
    for keyword in keywords {
        if let Some(rest) = upper.strip_prefix(keyword) {
            let start = offset + keyword.len();
            let tail = original.get(start..).unwrap_or("").trim_start();
            let name: String =
                tail.chars().take_while(|c| !c.is_whitespace() && *c != '(' && *c != ';' && *c != ',').collect();
            let _ = rest;
            if !name.is_empty() {
                return Some(name);
            }
        }
    }
    None
}

trait NotNullCheck {
    /// `"COL" IS NOT NULL) NOT VALID` → `COL`.
    fn strip_suffix_ci_is_not_null(&self) -> Option<String>;
}

impl NotNullCheck for str {
    fn strip_suffix_ci_is_not_null(&self) -> Option<String> {
        let (column, rest) = self.split_once(" IS NOT NULL")?;
        rest.trim_start().starts_with(')').then(|| unquote(column.trim()))
    }
}

fn unquote(name: &str) -> String {
    name.trim_matches(['"', '`', '[', ']']).to_string()
}

const SQL_OBJECTS: [&str; 14] = [
    "TABLE",
    "INDEX",
    "DATABASE",
    "SCHEMA",
    "VIEW",
    "SEQUENCE",
    "TYPE",
    "ROLE",
    "USER",
    "FUNCTION",
    "TRIGGER",
    "EXTENSION",
    "MATERIALIZED",
    "UNIQUE",
];

/// The statement's leading keywords, such as `DROP TABLE` or `ALTER TABLE`.
fn keyword_head(upper: &str) -> String {
    let words: Vec<&str> = upper.split_whitespace().take(2).collect();
    match words.as_slice() {
        [first, second] if ["DROP", "CREATE", "ALTER"].contains(first) && SQL_OBJECTS.contains(second) => {
            format!("{first} {second}")
        }
        [first, ..] => first.to_string(),
        [] => String::new(),
    }
}

fn strip_sql_comments(sql: &str) -> String {
    sql.lines()
        .map(|l| l.split("--").next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Splits SQL on semicolons outside quotes and comments.
pub fn split_statements(sql: &str) -> Vec<&str> {
    let bytes = sql.as_bytes();
    let mut out = Vec::new();
    let (mut start, mut i) = (0, 0);
    let mut quote: Option<u8> = None;
    while i < bytes.len() {
        let b = bytes[i];
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'\'' || b == b'"' => quote = Some(b),
            None if b == b'-' && bytes.get(i + 1) == Some(&b'-') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            None if b == b';' => {
                out.push(&sql[start..i]);
                start = i + 1;
            }
            None => {}
        }
        i += 1;
    }
    out.push(&sql[start.min(sql.len())..]);
    out.into_iter().map(str::trim).filter(|s| !s.is_empty() && !strip_sql_comments(s).trim().is_empty()).collect()
}

fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        format!("{}…", text.chars().take(max).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(sql: &str) -> Action {
        let analysis = analyze(sql);
        assert_eq!(analysis.actions.len(), 1, "{sql}: {analysis:?}");
        analysis.actions.into_iter().next().expect("one")
    }

    #[test]
    fn destructive_statements() {
        let a = one("DROP DATABASE payments;");
        assert_eq!(a.class, ActionClass::BulkDestroy);
        assert_eq!(a.targets[0].short(), "db:payments");
        assert_eq!(one("DROP TABLE public.refunds CASCADE").targets[0].short(), "db:public.refunds");
        assert!(one("DELETE FROM refunds").has_flag("no-where"));
        assert!(!one("DELETE FROM refunds WHERE id = 1").has_flag("no-where"));
        let update = one("UPDATE refunds SET state = 'pending'");
        assert!(update.has_flag("no-where"));
        assert_eq!(update.reversibility, Reversibility::Irreversible);
        assert_eq!(one("TRUNCATE orders CASCADE").class, ActionClass::DataDelete);
    }

    #[test]
    fn locks_and_concurrency() {
        assert!(one("CREATE INDEX idx ON orders (user_id)").has_flag("heavy-lock"));
        assert!(!one("CREATE INDEX CONCURRENTLY idx ON orders (user_id)").has_flag("heavy-lock"));
        let drop = one("DROP INDEX CONCURRENTLY IF EXISTS idx");
        assert_eq!(drop.class, ActionClass::Delete);
        assert!(!drop.has_flag("heavy-lock"));
        assert!(
            one("ALTER TABLE email ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id)")
                .has_flag("heavy-lock")
        );
        assert!(
            !one("ALTER TABLE email ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID")
                .has_flag("heavy-lock")
        );
        assert!(one("ALTER TABLE t ALTER COLUMN c TYPE bigint").has_flag("table-rewrite"));
        assert_eq!(one("ALTER TABLE t DROP COLUMN c").class, ActionClass::DataDelete);
    }

    #[test]
    fn reads_and_grants() {
        assert_eq!(one("select * from orders where id = 1").class, ActionClass::Read);
        assert_eq!(one("GRANT SELECT ON orders TO analyst").class, ActionClass::PermissionChange);
        assert_eq!(analyze("SELECT 1; DROP TABLE x;").actions.len(), 2);
    }
}
