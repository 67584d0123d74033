//! SQL text as the platform's query route takes it: split into statements the way the official
//! CLI does (SQLite's own `sqlite3_complete` decides where a statement ends, so strings,
//! comments and triggers' `BEGIN ... END` are kept whole; a last statement may leave out its
//! `;`), held to the public limits, and results rendered for people.

use std::ffi::CString;

use crate::api::queries::{StatementResult, MAX_SQL_BYTES, MAX_STATEMENTS, MAX_STATEMENT_BYTES};

/// Whether SQLite deems `text` one or more complete statements.
fn complete(text: &str) -> bool {
    let Ok(c) = CString::new(text) else {
        return false;
    };
    // SAFETY: `c` is a NUL-terminated string that outlives the call; sqlite3_complete only
    // reads it.
    unsafe { rusqlite::ffi::sqlite3_complete(c.as_ptr()) != 0 }
}

/// Whether `text` holds anything but whitespace, comments and `;`.
fn has_sql(text: &str) -> bool {
    let mut rest = text;
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == ';');
        if let Some(after) = rest.strip_prefix("--") {
            rest = after.split_once('\n').map_or("", |(_, r)| r);
        } else if let Some(after) = rest.strip_prefix("/*") {
            rest = after.split_once("*/").map_or("", |(_, r)| r);
        } else {
            return !rest.is_empty();
        }
    }
}

/// The statements of `text`, in order, each with its `;` (a missing last one is added).
pub(super) fn split(text: &str) -> Result<Vec<String>, String> {
    let text = text.trim_start_matches('\u{feff}');
    if text.contains('\0') {
        return Err("the SQL contains a NUL character".to_string());
    }
    let mut statements = Vec::new();
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if c != ';' {
            continue;
        }
        let piece = &text[start..=i];
        // A statement never grows past the platform's limit: stop there, so that an unclosed
        // string cannot make every later `;` rescan the whole text.
        if piece.len() > 2 * MAX_STATEMENT_BYTES {
            return Err(format!(
                "statement {} is over {} bytes, or does not end (a string, a quoted name, a \
                 comment or a trigger's BEGIN ... END is not closed); it starts with {:?}",
                statements.len() + 1,
                MAX_STATEMENT_BYTES,
                excerpt(piece.trim())
            ));
        }
        if complete(piece) {
            if has_sql(piece) {
                statements.push(piece.trim().to_string());
            }
            start = i + 1;
        }
    }
    let rest = &text[start..];
    if has_sql(rest) {
        let closed = [format!("{rest};"), format!("{rest}\n;")];
        match closed.iter().find(|t| complete(t)) {
            Some(t) => statements.push(t.trim().to_string()),
            None => {
                return Err(format!(
                    "the last statement does not end: a string, a quoted name, a comment or a \
                     trigger's BEGIN ... END is not closed (it starts with {:?})",
                    excerpt(rest.trim())
                ))
            }
        }
    }
    if statements.is_empty() {
        return Err("the SQL holds no statement".to_string());
    }
    Ok(statements)
}

/// Holds `statements` to the platform's limits for one request, `reserved` statements being
/// added by the provider (a migration's own bookkeeping).
pub(super) fn check_limits(statements: &[String], reserved: usize) -> Result<(), String> {
    let most = MAX_STATEMENTS - reserved;
    if statements.len() > most {
        return Err(format!(
            "the SQL holds {} statements; at most {most} go in one request{}",
            statements.len(),
            if reserved > 0 {
                format!(" ({MAX_STATEMENTS}, less the {reserved} Terraform adds)")
            } else {
                String::new()
            }
        ));
    }
    let mut total = 0;
    for (i, s) in statements.iter().enumerate() {
        if s.len() > MAX_STATEMENT_BYTES {
            return Err(format!(
                "statement {} is {} bytes; at most {MAX_STATEMENT_BYTES} (50 KiB) each",
                i + 1,
                s.len()
            ));
        }
        total += s.len();
    }
    if total > MAX_SQL_BYTES {
        return Err(format!(
            "the statements are {total} bytes in all; at most {MAX_SQL_BYTES} (900 KiB) in one \
             request"
        ));
    }
    Ok(())
}

/// The first keyword of a statement, upper-cased (after comments).
pub(super) fn first_keyword(statement: &str) -> String {
    let mut rest = statement;
    loop {
        rest = rest.trim_start();
        if let Some(after) = rest.strip_prefix("--") {
            rest = after.split_once('\n').map_or("", |(_, r)| r);
        } else if let Some(after) = rest.strip_prefix("/*") {
            rest = after.split_once("*/").map_or("", |(_, r)| r);
        } else {
            break;
        }
    }
    rest.chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect::<String>()
        .to_ascii_uppercase()
}

/// Whether a statement begins, ends or marks a transaction.
pub(super) fn is_transaction_control(statement: &str) -> bool {
    matches!(
        first_keyword(statement).as_str(),
        "BEGIN" | "COMMIT" | "END" | "ROLLBACK" | "SAVEPOINT" | "RELEASE"
    )
}

/// `text` as an SQL string literal.
pub(super) fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// The start of a statement, on one line, for messages.
pub(super) fn excerpt(statement: &str) -> String {
    let one_line: String = statement.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > 80 {
        format!("{}...", one_line.chars().take(77).collect::<String>())
    } else {
        one_line
    }
}

/// Most rows of one statement shown in a report.
const SHOWN_ROWS: usize = 20;

/// What a statement did, for people: its columns and first rows, or its counts.
pub(super) fn describe(number: usize, statement: &str, r: &StatementResult) -> String {
    let head = format!("statement {number} ({})", excerpt(statement));
    if !r.success {
        let how = if r.skipped { "skipped" } else { "failed" };
        return format!("{head}: {how}: {}", r.message());
    }
    let mut out = head;
    if r.columns.is_empty() {
        out.push_str(&format!(
            ": ok, {} row(s) changed",
            r.affected_row_count.unwrap_or_default()
        ));
    } else {
        let names: Vec<&str> = r.columns.iter().map(|c| c.name.as_str()).collect();
        out.push_str(&format!(
            ": {} row(s)\n  {}",
            r.rows.len(),
            names.join(" | ")
        ));
        for row in r.rows.iter().take(SHOWN_ROWS) {
            let cells: Vec<String> = row.iter().map(|c| c.display()).collect();
            out.push_str(&format!("\n  {}", cells.join(" | ")));
        }
        if r.rows.len() > SHOWN_ROWS {
            out.push_str(&format!("\n  ... {} more", r.rows.len() - SHOWN_ROWS));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_end_where_sqlite_says() {
        let text = "\u{feff}-- a comment; with a semicolon\n\
                    CREATE TABLE t (x TEXT);\n\
                    INSERT INTO t VALUES ('a;b'), (\"c\");\n\
                    /* block; comment */\n\
                    CREATE TRIGGER tr AFTER INSERT ON t BEGIN\n  UPDATE t SET x = x; \nEND;\n\
                    SELECT 1";
        let s = split(text).unwrap();
        assert_eq!(s.len(), 4, "{s:#?}");
        assert!(s[0].ends_with("CREATE TABLE t (x TEXT);"), "{}", s[0]);
        assert_eq!(s[1], "INSERT INTO t VALUES ('a;b'), (\"c\");");
        assert!(s[2].starts_with("/* block; comment */\nCREATE TRIGGER"));
        assert!(s[2].ends_with("END;"));
        assert_eq!(s[3], "SELECT 1;");
        assert_eq!(split("SELECT 1 -- done").unwrap(), ["SELECT 1 -- done\n;"]);
        assert!(split("SELECT 'open").unwrap_err().contains("does not end"));
        assert!(split(" -- nothing\n ; ")
            .unwrap_err()
            .contains("no statement"));
        assert!(split("SELECT '\0'").is_err());
    }

    #[test]
    fn limits_are_the_public_ones() {
        let many = vec!["SELECT 1;".to_string(); 250];
        assert!(check_limits(&many, 0).is_ok());
        assert!(check_limits(&many, 4).unwrap_err().contains("at most 246"));
        let big = vec!["x".repeat(MAX_STATEMENT_BYTES + 1)];
        assert!(check_limits(&big, 0).unwrap_err().contains("statement 1"));
        let total = vec!["x".repeat(MAX_STATEMENT_BYTES); 19];
        assert!(check_limits(&total, 0).unwrap_err().contains("in all"));
    }

    #[test]
    fn transaction_control_and_literals() {
        assert!(is_transaction_control("  -- c\n begin immediate;"));
        assert!(is_transaction_control("COMMIT;"));
        assert!(!is_transaction_control("CREATE TABLE begin_x (x);"));
        assert_eq!(literal("it's"), "'it''s'");
    }
}
