//! SQL both backends share: one builder ([`Sql`]) that numbers its placeholders and keeps
//! the values bound to them, multi-row inserts, IN lists.

use std::fmt::Write as _;

use sqlx::any::{AnyQueryResult, AnyRow};

use crate::{Conn, Result, Scope, StoreError};

/// A value to bind.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Int(i64),
    OptInt(Option<i64>),
    Float(f64),
    OptFloat(Option<f64>),
    Text(String),
    OptText(Option<String>),
}

impl From<f64> for Val {
    fn from(v: f64) -> Val {
        Val::Float(v)
    }
}
impl From<Option<f64>> for Val {
    fn from(v: Option<f64>) -> Val {
        Val::OptFloat(v)
    }
}
impl From<i32> for Val {
    fn from(v: i32) -> Val {
        Val::Int(v.into())
    }
}
impl From<&i64> for Val {
    fn from(v: &i64) -> Val {
        Val::Int(*v)
    }
}
impl From<&String> for Val {
    fn from(v: &String) -> Val {
        Val::Text(v.clone())
    }
}

impl From<i64> for Val {
    fn from(v: i64) -> Val {
        Val::Int(v)
    }
}
impl From<bool> for Val {
    fn from(v: bool) -> Val {
        Val::Int(v as i64)
    }
}
impl From<Option<i64>> for Val {
    fn from(v: Option<i64>) -> Val {
        Val::OptInt(v)
    }
}
impl From<String> for Val {
    fn from(v: String) -> Val {
        Val::Text(v)
    }
}
impl From<&str> for Val {
    fn from(v: &str) -> Val {
        Val::Text(v.to_string())
    }
}
impl From<Option<String>> for Val {
    fn from(v: Option<String>) -> Val {
        Val::OptText(v)
    }
}
impl From<Option<&str>> for Val {
    fn from(v: Option<&str>) -> Val {
        Val::OptText(v.map(str::to_string))
    }
}
impl From<chrono::NaiveDate> for Val {
    fn from(v: chrono::NaiveDate) -> Val {
        Val::Text(crate::date_text(v))
    }
}
impl From<Option<chrono::NaiveDate>> for Val {
    fn from(v: Option<chrono::NaiveDate>) -> Val {
        Val::OptText(v.map(crate::date_text))
    }
}

pub type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

pub(crate) fn bind<'q>(q: AnyQuery<'q>, v: &Val) -> AnyQuery<'q> {
    match v {
        Val::Int(i) => q.bind(*i),
        Val::OptInt(i) => q.bind(*i),
        Val::Float(f) => q.bind(*f),
        // sqlx 0.8's `Any` sends a NULL `f64` to PostgreSQL as a `float4` NULL (and a NULL
        // `f32` as `float8`): a statement first run with NULL there is cached with a
        // `float4` parameter, and the same text run later with a number fails ("incorrect
        // binary data format"). A NULL bound as `f32` is a `float8` NULL, as the column is.
        Val::OptFloat(None) => q.bind(None::<f32>),
        Val::OptFloat(Some(f)) => q.bind(*f),
        Val::Text(s) => q.bind(s.clone()),
        Val::OptText(s) => q.bind(s.clone()),
    }
}

/// One SQL statement being written: its text and the values bound to it. [`Sql::bind`]
/// writes the next numbered placeholder (`$1`, `$2`, …) where the value goes, so the
/// numbers and the values cannot drift apart; identifiers and constants are `push`ed as
/// text, values never are.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Sql {
    text: String,
    vals: Vec<Val>,
}

impl Sql {
    pub(crate) fn new(text: impl Into<String>) -> Sql {
        Sql {
            text: text.into(),
            vals: Vec::new(),
        }
    }

    /// A statement whose text numbers its own placeholders `$1`…`$n` for `vals` (for a
    /// value the text uses more than once); what is appended is numbered from `$n+1`.
    pub(crate) fn numbered(text: impl Into<String>, vals: Vec<Val>) -> Sql {
        Sql {
            text: text.into(),
            vals,
        }
    }

    /// Appends text (SQL, identifiers, constants: no values).
    pub(crate) fn push(mut self, text: &str) -> Sql {
        self.text.push_str(text);
        self
    }

    /// Appends the next placeholder and binds `v` to it.
    pub(crate) fn bind(mut self, v: impl Into<Val>) -> Sql {
        self.vals.push(v.into());
        let _ = write!(self.text, "${}", self.vals.len());
        self
    }

    /// Appends the predicate of `scope` on `column` (a literal path range) with its values.
    pub(crate) fn scope(mut self, column: &str, scope: &Scope) -> Sql {
        let (pred, vals) = scope.predicate(column, self.vals.len() + 1);
        self.text.push_str(&pred);
        self.vals.extend(vals.into_iter().map(Val::Text));
        self
    }

    /// [`Sql::scope`] on a table distributed by shard (`crate::shard::SHARDED`): below a
    /// top subtree the whole scope lies in one shard, which is said too, so that a Citus
    /// coordinator sends the statement to that shard's node alone.
    pub(crate) fn sharded_scope(self, column: &str, scope: &Scope) -> Sql {
        let q = self.scope(column, scope);
        match scope {
            Scope::Subtree { path, .. } if jiceng_domain::path::depth(path) >= 2 => {
                // `m.org_path` → `m.shard`: the table the path column is named by.
                let shard = match column.rsplit_once('.') {
                    Some((table, _)) => format!(" AND {table}.shard = "),
                    None => " AND shard = ".to_string(),
                };
                q.push(&shard).bind(jiceng_domain::path::shard(path))
            }
            _ => q,
        }
    }

    /// Appends `year = $n AND` the scope's range on `org_path`: the rows of one year of
    /// a subtree, as the tables keyed by `(year, org_path)` are read.
    pub(crate) fn year_in(self, year: i32, scope: &Scope) -> Sql {
        self.push("year = ")
            .bind(year)
            .push(" AND ")
            .scope("org_path", scope)
    }

    /// Appends `($n, $n+1, …)`, one placeholder per value (callers keep lists to
    /// [`IN_CHUNK`] values and never pass an empty one).
    pub(crate) fn in_list<V: Into<Val>>(mut self, values: impl IntoIterator<Item = V>) -> Sql {
        self.text.push('(');
        for (i, v) in values.into_iter().enumerate() {
            if i > 0 {
                self.text.push_str(", ");
            }
            self = self.bind(v);
        }
        self.text.push(')');
        self
    }

    /// The statement's text.
    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    /// The values bound so far, in placeholder order (to wrap the statement in another).
    pub(crate) fn vals(&self) -> &[Val] {
        &self.vals
    }

    /// Appends ` LIMIT $n OFFSET $n+1`: one page.
    pub(crate) fn page(self, limit: i64, offset: i64) -> Sql {
        self.push(" LIMIT ")
            .bind(limit)
            .push(" OFFSET ")
            .bind(offset)
    }

    /// The statement with its values bound, for the caller to run.
    pub(crate) fn query(&self) -> AnyQuery<'_> {
        self.vals
            .iter()
            .fold(sqlx::query(&self.text), |q, v| bind(q, v))
    }

    pub(crate) async fn fetch_all<'e, 'c: 'e, E>(&self, ex: E) -> Result<Vec<AnyRow>>
    where
        E: 'e + sqlx::Executor<'c, Database = sqlx::Any>,
    {
        Ok(self.query().fetch_all(ex).await?)
    }

    pub(crate) async fn fetch_optional<'e, 'c: 'e, E>(&self, ex: E) -> Result<Option<AnyRow>>
    where
        E: 'e + sqlx::Executor<'c, Database = sqlx::Any>,
    {
        Ok(self.query().fetch_optional(ex).await?)
    }

    pub(crate) async fn fetch_one<'e, 'c: 'e, E>(&self, ex: E) -> Result<AnyRow>
    where
        E: 'e + sqlx::Executor<'c, Database = sqlx::Any>,
    {
        Ok(self.query().fetch_one(ex).await?)
    }

    /// Every row, each read by `read`.
    pub(crate) async fn fetch_map<'e, 'c: 'e, T, E>(
        &self,
        ex: E,
        read: impl FnMut(&AnyRow) -> Result<T>,
    ) -> Result<Vec<T>>
    where
        E: 'e + sqlx::Executor<'c, Database = sqlx::Any>,
    {
        self.fetch_all(ex).await?.iter().map(read).collect()
    }

    /// The row, if any, read by `read`.
    pub(crate) async fn fetch_opt_map<'e, 'c: 'e, T, E>(
        &self,
        ex: E,
        read: impl FnOnce(&AnyRow) -> Result<T>,
    ) -> Result<Option<T>>
    where
        E: 'e + sqlx::Executor<'c, Database = sqlx::Any>,
    {
        self.fetch_optional(ex)
            .await?
            .as_ref()
            .map(read)
            .transpose()
    }

    /// Every row, each read as a `T` (a tuple of the selected columns, in order).
    pub(crate) async fn fetch_all_as<'e, 'c: 'e, T, E>(&self, ex: E) -> Result<Vec<T>>
    where
        E: 'e + sqlx::Executor<'c, Database = sqlx::Any>,
        T: for<'r> sqlx::FromRow<'r, AnyRow>,
    {
        let rows = self.fetch_all(ex).await?;
        Ok(rows.iter().map(T::from_row).collect::<Result<_, _>>()?)
    }

    /// The first column of the one row the statement returns (`COUNT(*)` and the like).
    pub(crate) async fn fetch_scalar<'e, 'c: 'e, T, E>(&self, ex: E) -> Result<T>
    where
        E: 'e + sqlx::Executor<'c, Database = sqlx::Any>,
        T: for<'r> sqlx::Decode<'r, sqlx::Any> + sqlx::Type<sqlx::Any>,
    {
        use sqlx::Row;
        Ok(self.fetch_one(ex).await?.try_get(0)?)
    }

    pub(crate) async fn execute<'e, 'c: 'e, E>(&self, ex: E) -> Result<AnyQueryResult>
    where
        E: 'e + sqlx::Executor<'c, Database = sqlx::Any>,
    {
        Ok(self.query().execute(ex).await?)
    }
}

/// The rows of one statement per chunk of `keys` (IN lists of at most [`IN_CHUNK`]
/// values; `statement` writes the one for a chunk), each read by `read`.
pub(crate) async fn fetch_chunked<K, T>(
    conn: &mut Conn,
    keys: &[K],
    statement: impl Fn(&[K]) -> Sql,
    mut read: impl FnMut(&AnyRow) -> Result<T>,
) -> Result<Vec<T>> {
    let mut out = Vec::new();
    for chunk in keys.chunks(IN_CHUNK) {
        for row in statement(chunk).fetch_all(&mut *conn).await? {
            out.push(read(&row)?);
        }
    }
    Ok(out)
}

/// One page of the rows `select` writes a statement for (given the columns to select),
/// ordered by `order` and each read by `read`, with how many rows there are in all
/// (`known_total` when the caller knows it: counting is then skipped).
pub(crate) async fn counted_page<T>(
    conn: &mut Conn,
    select: impl Fn(&str) -> Sql,
    (columns, order): (&str, &str),
    (offset, limit): (i64, i64),
    known_total: Option<i64>,
    read: impl FnMut(&AnyRow) -> Result<T>,
) -> Result<(Vec<T>, i64)> {
    let total = match known_total {
        Some(t) => t,
        None => select("COUNT(*)").fetch_scalar(&mut *conn).await?,
    };
    let items = select(columns)
        .push(" ORDER BY ")
        .push(order)
        .page(limit, offset)
        .fetch_map(&mut *conn, read)
        .await?;
    Ok((items, total))
}

/// Binds to stay under: SQLite's default limit is 32,766, PostgreSQL's 65,535.
const MAX_BINDS: usize = 30_000;
const MAX_ROWS: usize = 1_000;

/// Inserts rows in multi-row statements (one round trip per chunk). `table` and `columns`
/// are written into the statement: names fixed in the code, never input.
pub(crate) async fn insert_many(
    conn: &mut Conn,
    table: &'static str,
    columns: &[&'static str],
    rows: &[Vec<Val>],
) -> Result<()> {
    insert_many_then(conn, table, columns, rows, "").await
}

/// As [`insert_many`], each statement ending with `tail` (an `ON CONFLICT …` clause fixed
/// in the code; the rows of one call must not share a key).
pub(crate) async fn insert_many_then(
    conn: &mut Conn,
    table: &'static str,
    columns: &[&'static str],
    rows: &[Vec<Val>],
    tail: &'static str,
) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let per = (MAX_BINDS / columns.len()).clamp(1, MAX_ROWS);
    // SQLite looks up each numbered parameter in a list (quadratic in a statement with
    // thousands of them); plain `?` is positional and linear. PostgreSQL needs `$n`.
    let anonymous = conn.backend_name() != "PostgreSQL";
    for chunk in rows.chunks(per) {
        let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
        let mut n = 1;
        for (i, row) in chunk.iter().enumerate() {
            debug_assert_eq!(row.len(), columns.len());
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push('(');
            for j in 0..row.len() {
                if j > 0 {
                    sql.push_str(", ");
                }
                if anonymous {
                    sql.push('?');
                } else {
                    sql.push('$');
                    sql.push_str(&n.to_string());
                }
                n += 1;
            }
            sql.push(')');
        }
        sql.push_str(tail);
        let mut q = sqlx::query(&sql);
        for row in chunk {
            for v in row {
                q = bind(q, v);
            }
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Inserts one row, given as its columns with their values.
pub(crate) async fn insert_one(
    conn: &mut Conn,
    table: &'static str,
    row: Vec<(&'static str, Val)>,
) -> Result<()> {
    let (columns, vals): (Vec<&'static str>, Vec<Val>) = row.into_iter().unzip();
    insert_many(conn, table, &columns, &[vals]).await
}

/// Replaces the row of `table` keyed by the `key` columns' values in `row` (deletes it,
/// then inserts `row`).
pub(crate) async fn replace_one(
    conn: &mut Conn,
    table: &'static str,
    key: &[&'static str],
    row: Vec<(&'static str, Val)>,
) -> Result<()> {
    let mut q = Sql::new(format!("DELETE FROM {table} WHERE "));
    for (i, k) in key.iter().enumerate() {
        let (_, v) = row
            .iter()
            .find(|(c, _)| c == k)
            .expect("the key columns are the row's");
        q = q
            .push(if i > 0 { " AND " } else { "" })
            .push(k)
            .push(" = ")
            .bind(v.clone());
    }
    q.execute(&mut *conn).await?;
    insert_one(conn, table, row).await
}

/// Rewrites one row of `table`: `columns` start with `id`, and `vals` hold the row's id
/// and then the other columns' new values, in the same order.
pub(crate) async fn update_row(
    conn: &mut Conn,
    table: &'static str,
    columns: &[&'static str],
    mut vals: Vec<Val>,
) -> Result<AnyQueryResult> {
    debug_assert_eq!(columns.first(), Some(&"id"));
    debug_assert_eq!(columns.len(), vals.len());
    let id = vals.remove(0);
    let mut q = Sql::new(format!("UPDATE {table} SET "));
    for (i, (col, v)) in columns[1..].iter().zip(vals).enumerate() {
        q = q
            .push(if i > 0 { ", " } else { "" })
            .push(col)
            .push(" = ")
            .bind(v);
    }
    q.push(" WHERE id = ").bind(id).execute(conn).await
}

/// Chunks of ids small enough for one IN list.
pub const IN_CHUNK: usize = 500;

pub(crate) fn id_table(kind: &str) -> Result<&'static str> {
    Ok(match kind {
        "org" => "org",
        "member" => "member",
        "unit" => "unit",
        "position" => "position",
        "history" => "org_history",
        "org_event" => "org_event",
        "meeting" => "meeting",
        "user" => "app_user",
        "weakness_signal" => "weakness_signal",
        "discipline_case" => "discipline_case",
        "rectification" => "rectification",
        "rectification_event" => "rectification_event",
        "referral" => "referral",
        "applicant" => "applicant",
        "recruitment_step" => "recruitment_step",
        "member_transfer" => "member_transfer",
        "member_mobility" => "member_mobility",
        "dues_base" => "dues_base",
        "training" => "training",
        "org_staff" => "org_staff",
        "mobile_in" => "mobile_in",
        "notice" => "notice",
        "task" => "task",
        "inspection" => "inspection",
        "duty_record" => "duty_record",
        "mass_request" => "mass_request",
        "survey" => "survey",
        "venue" => "venue",
        "survey_response" => "survey_response",
        "disclosure_item" => "disclosure_item",
        "pairing" => "pairing",
        "meeting_attachment" => "meeting_attachment",
        "record_file" => "record_file",
        other => return Err(StoreError::Corrupt(format!("unknown id kind {other}"))),
    })
}

/// Locks the org rows `ids` for the rest of the transaction, in id order (so that two
/// transactions locking overlapping sets cannot deadlock), before the caller recounts the
/// facts stored for them: a concurrent writer of the same facts waits here, and the
/// caller's reads after the lock see its commit (PostgreSQL, READ COMMITTED). SQLite's
/// write transactions (`BEGIN IMMEDIATE`) already hold the database's only write lock.
pub async fn lock_orgs(conn: &mut Conn, ids: &[i64]) -> Result<()> {
    if conn.backend_name() != "PostgreSQL" || ids.is_empty() {
        return Ok(());
    }
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    for chunk in ids.chunks(IN_CHUNK) {
        let q = Sql::new("SELECT id FROM org WHERE id IN ")
            .in_list(chunk)
            .push(" ORDER BY id FOR UPDATE");
        q.fetch_all(&mut *conn).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_in_the_order_values_are_bound() {
        let q = Sql::new("SELECT x FROM t WHERE a = ")
            .bind(7)
            .push(" AND ")
            .scope("path", &Scope::subtree("/1/"))
            .push(" AND b IN ")
            .in_list(["p", "q"])
            .push(" AND c = ")
            .bind(Some(1.5));
        assert_eq!(
            q.text(),
            "SELECT x FROM t WHERE a = $1 AND path >= $2 AND path < $3 AND b IN ($4, $5) AND c = $6"
        );
        assert_eq!(q.vals.len(), 6);
        assert_eq!(q.vals[0], Val::Int(7));
        assert_eq!(q.vals[1], Val::Text("/1/".into()));
        assert_eq!(q.vals[3], Val::Text("p".into()));
        assert_eq!(q.vals[5], Val::OptFloat(Some(1.5)));
    }

    #[test]
    fn a_scope_without_a_range_binds_nothing() {
        let q = Sql::new("SELECT 1 WHERE ")
            .scope("path", &Scope::All)
            .push(" AND x = ")
            .bind(1);
        assert_eq!(q.text(), "SELECT 1 WHERE 1=1 AND x = $1");
        let q = Sql::new("SELECT 1 WHERE ").scope("path", &Scope::Nothing);
        assert_eq!(q.text(), "SELECT 1 WHERE 1=0");
        assert!(q.vals.is_empty());
    }

    #[test]
    fn a_year_of_a_subtree_is_the_year_then_the_path_range() {
        let q = Sql::new("SELECT 1 FROM rating WHERE org_id = ")
            .bind(3)
            .push(" AND ")
            .year_in(2026, &Scope::subtree("/1/"));
        assert_eq!(
            q.text(),
            "SELECT 1 FROM rating WHERE org_id = $1 AND year = $2 AND org_path >= $3 AND org_path < $4"
        );
        assert_eq!(q.vals[1], Val::Int(2026));
    }

    #[test]
    fn a_page_binds_its_limit_then_its_offset() {
        let q = Sql::new("SELECT 1 ORDER BY x").page(10, 20);
        assert_eq!(q.text(), "SELECT 1 ORDER BY x LIMIT $1 OFFSET $2");
        assert_eq!(q.vals, vec![Val::Int(10), Val::Int(20)]);
    }
}
