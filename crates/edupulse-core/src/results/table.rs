//! Typed result tables: one Rust struct per result shape, with its table name, natural key and a
//! column spec (name, kind, nullability, doc) from which the stores generate real SQL tables, the
//! Python bindings build typed DataFrames and `docs/results.md` is written.
//!
//! A step returns its rows as a [`ResultSet`] (the spec and the rows as typed [`Value`]s); a
//! reader decodes a set back into the struct with [`ResultSet::decode`]. There is no JSON
//! document in between: a column is a column in every store.

use super::Severity;
use crate::error::{CoreError, Result};
use crate::model::{ColumnKind, Value};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{de::DeserializeOwned, Deserialize, Serialize};

/// One column of a result table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ResultColumn {
    /// Column name (the same in SQL, DataFrames and JSON).
    pub name: &'static str,
    /// Storage kind.
    pub kind: ColumnKind,
    /// Whether the column may hold NULL.
    pub nullable: bool,
    /// What the column holds (the first line of the field's doc comment, and the rest).
    pub doc: &'static str,
}

/// The shape of one result table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ResultSpec {
    /// Table name (`churn_scores`, `best_slots`, ...).
    pub name: &'static str,
    /// What one row is.
    pub doc: &'static str,
    /// The capability (job step) that writes it.
    pub step: &'static str,
    /// The natural key within one run (together with `as_of`).
    pub key: &'static [&'static str],
    /// The columns, in order. Every table also has `as_of` (the run's time) first.
    pub columns: &'static [ResultColumn],
}

impl ResultSpec {
    /// The column named `name`.
    pub fn column(&self, name: &str) -> Option<&ResultColumn> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// The position of column `name`.
    pub fn position(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }
}

/// A type that can live in a result column.
pub trait ResultField: Sized {
    /// Storage kind.
    const KIND: ColumnKind;
    /// Whether NULL is allowed.
    const NULLABLE: bool = false;
    /// The column value.
    fn to_value(&self) -> Value;
    /// Back from a column value; the error says what was found.
    fn from_value(v: &Value) -> std::result::Result<Self, String>;
}

fn mismatch(want: &str, v: &Value) -> String {
    match v {
        Value::Null => format!("NULL where a {want} is required"),
        other => format!("{other:?} is not a {want}"),
    }
}

impl ResultField for String {
    const KIND: ColumnKind = ColumnKind::Text;
    fn to_value(&self) -> Value {
        Value::Text(self.clone())
    }
    fn from_value(v: &Value) -> std::result::Result<Self, String> {
        match v {
            Value::Text(s) => Ok(s.clone()),
            other => Err(mismatch("text", other)),
        }
    }
}

impl ResultField for f64 {
    const KIND: ColumnKind = ColumnKind::Float;
    fn to_value(&self) -> Value {
        Value::Float(*self)
    }
    fn from_value(v: &Value) -> std::result::Result<Self, String> {
        match v {
            Value::Float(x) => Ok(*x),
            Value::Int(i) => Ok(*i as f64),
            // SQLite stores NaN as NULL: a non-nullable float reads it back as NaN.
            Value::Null => Ok(f64::NAN),
            other => Err(mismatch("float", other)),
        }
    }
}

macro_rules! int_field {
    ($($t:ty),+) => {$(
        impl ResultField for $t {
            const KIND: ColumnKind = ColumnKind::Int;
            fn to_value(&self) -> Value {
                Value::Int(i64::try_from(*self).unwrap_or(i64::MAX))
            }
            fn from_value(v: &Value) -> std::result::Result<Self, String> {
                match v {
                    Value::Int(i) => <$t>::try_from(*i)
                        .map_err(|_| format!("{i} is out of range for {}", stringify!($t))),
                    Value::Float(x) if x.fract() == 0.0 && x.is_finite() => <$t>::try_from(*x as i64)
                        .map_err(|_| format!("{x} is out of range for {}", stringify!($t))),
                    other => Err(mismatch("integer", other)),
                }
            }
        }
    )+};
}
int_field!(i64, u64, u32, u8, usize, i32);

impl ResultField for bool {
    const KIND: ColumnKind = ColumnKind::Bool;
    fn to_value(&self) -> Value {
        Value::Bool(*self)
    }
    fn from_value(v: &Value) -> std::result::Result<Self, String> {
        match v {
            Value::Bool(b) => Ok(*b),
            Value::Int(i) => Ok(*i != 0),
            other => Err(mismatch("boolean", other)),
        }
    }
}

impl ResultField for DateTime<Utc> {
    const KIND: ColumnKind = ColumnKind::DateTime;
    fn to_value(&self) -> Value {
        Value::DateTime(*self)
    }
    fn from_value(v: &Value) -> std::result::Result<Self, String> {
        match v {
            Value::DateTime(t) => Ok(*t),
            Value::Text(s) => crate::model::parse_datetime(s),
            other => Err(mismatch("date-time", other)),
        }
    }
}

impl ResultField for NaiveDate {
    const KIND: ColumnKind = ColumnKind::Date;
    fn to_value(&self) -> Value {
        Value::Date(*self)
    }
    fn from_value(v: &Value) -> std::result::Result<Self, String> {
        match v {
            Value::Date(d) => Ok(*d),
            Value::DateTime(t) => Ok(t.date_naive()),
            Value::Text(s) => crate::model::parse_date(s),
            other => Err(mismatch("date", other)),
        }
    }
}

impl<T: ResultField> ResultField for Option<T> {
    const KIND: ColumnKind = T::KIND;
    const NULLABLE: bool = true;
    fn to_value(&self) -> Value {
        match self {
            None => Value::Null,
            Some(v) => v.to_value(),
        }
    }
    fn from_value(v: &Value) -> std::result::Result<Self, String> {
        match v {
            Value::Null => Ok(None),
            other => T::from_value(other).map(Some),
        }
    }
}

/// Encode a serde value as a JSON column value.
pub fn json_value<T: Serialize>(v: &T) -> Value {
    serde_json::to_value(v).map_or(Value::Null, Value::Json)
}

/// Decode a JSON column value (a JSON column may come back from a store as text).
pub fn from_json_value<T: DeserializeOwned>(v: &Value) -> std::result::Result<T, String> {
    match v {
        Value::Json(j) => serde_json::from_value(j.clone()).map_err(|e| e.to_string()),
        Value::Text(s) => serde_json::from_str(s).map_err(|e| e.to_string()),
        Value::Null => serde_json::from_value(serde_json::Value::Null).map_err(|e| e.to_string()),
        other => Err(mismatch("JSON value", other)),
    }
}

impl<T: Serialize + DeserializeOwned> ResultField for Vec<T> {
    const KIND: ColumnKind = ColumnKind::Json;
    fn to_value(&self) -> Value {
        json_value(self)
    }
    fn from_value(v: &Value) -> std::result::Result<Self, String> {
        from_json_value(v)
    }
}

/// Implements [`ResultField`] for enums that serialise as a plain string (stored as text).
#[macro_export]
macro_rules! text_result_field {
    ($($t:ty),+ $(,)?) => {$(
        impl $crate::results::ResultField for $t {
            const KIND: $crate::model::ColumnKind = $crate::model::ColumnKind::Text;
            fn to_value(&self) -> $crate::model::Value {
                match serde_json::to_value(self) {
                    Ok(serde_json::Value::String(s)) => $crate::model::Value::Text(s),
                    _ => $crate::model::Value::Null,
                }
            }
            fn from_value(v: &$crate::model::Value) -> std::result::Result<Self, String> {
                match v {
                    $crate::model::Value::Text(s) => {
                        serde_json::from_value(serde_json::Value::String(s.clone()))
                            .map_err(|e| e.to_string())
                    }
                    other => Err(format!("{other:?} is not text")),
                }
            }
        }
    )+};
}

/// Implements [`ResultField`] for structured types stored as one JSON column.
#[macro_export]
macro_rules! json_result_field {
    ($($t:ty),+ $(,)?) => {$(
        impl $crate::results::ResultField for $t {
            const KIND: $crate::model::ColumnKind = $crate::model::ColumnKind::Json;
            fn to_value(&self) -> $crate::model::Value {
                $crate::results::json_value(self)
            }
            fn from_value(v: &$crate::model::Value) -> std::result::Result<Self, String> {
                $crate::results::from_json_value(v)
            }
        }
    )+};
}

text_result_field!(Severity);
json_result_field!(serde_json::Value);

/// A row type of a result table.
pub trait ResultTable: Sized {
    /// The table's shape.
    const SPEC: ResultSpec;
    /// The row as column values, in [`ResultSpec::columns`] order.
    fn to_values(&self) -> Vec<Value>;
    /// The row back from column values in spec order; the error names the column.
    fn from_values(values: &[Value]) -> std::result::Result<Self, (&'static str, String)>;
}

/// Declares a result row struct and its [`ResultTable`] impl from one field list, so the SQL
/// table, the DataFrame dtypes, the docs and the Rust type can never drift apart. Every field
/// carries a doc comment (it becomes the column's documentation).
///
/// ```
/// use edupulse_core::result_table;
/// use edupulse_core::results::ResultTable;
/// result_table! {
///     /// One counter.
///     #[table = "counters", step = "demo", key = [name]]
///     pub struct Counter {
///         /// Its name.
///         name: String,
///         /// Its value.
///         value: Option<f64>,
///     }
/// }
/// assert_eq!(Counter::SPEC.columns[1].name, "value");
/// assert!(Counter::SPEC.columns[1].nullable);
/// ```
#[macro_export]
macro_rules! result_table {
    (
        $(#[doc = $doc:literal])*
        #[table = $table:literal, step = $step:literal, key = [$($key:ident),*]]
        $vis:vis struct $name:ident {
            $( $(#[doc = $fdoc:literal])+ $fvis:vis $field:ident : $ty:ty ),+ $(,)?
        }
    ) => {
        $(#[doc = $doc])*
        #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
        $vis struct $name {
            $( $(#[doc = $fdoc])+ pub $field: $ty, )+
        }

        impl $crate::results::ResultTable for $name {
            const SPEC: $crate::results::ResultSpec = $crate::results::ResultSpec {
                name: $table,
                doc: concat!($($doc),*),
                step: $step,
                key: &[$(stringify!($key)),*],
                columns: &[$($crate::results::ResultColumn {
                    name: stringify!($field),
                    kind: <$ty as $crate::results::ResultField>::KIND,
                    nullable: <$ty as $crate::results::ResultField>::NULLABLE,
                    doc: concat!($($fdoc),+),
                }),+],
            };

            fn to_values(&self) -> Vec<$crate::model::Value> {
                vec![$($crate::results::ResultField::to_value(&self.$field)),+]
            }

            #[allow(unused_assignments)]
            fn from_values(
                values: &[$crate::model::Value],
            ) -> std::result::Result<Self, (&'static str, String)> {
                let mut i = 0usize;
                Ok($name {
                    $($field: {
                        let v = values.get(i).unwrap_or(&$crate::model::Value::Null);
                        i += 1;
                        <$ty as $crate::results::ResultField>::from_value(v)
                            .map_err(|m| (stringify!($field), m))?
                    },)+
                })
            }
        }
    };
}

/// The rows one run wrote (or a reader got back) for one result table.
///
/// Serialised as `{"table": name, "as_of": time, "rows": [[value, …], …]}`; deserialising looks
/// the table up in the [catalog](super::catalog) (an unknown name is an error).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "ResultSetWire", into = "ResultSetWire")]
pub struct ResultSet {
    /// The table's shape.
    pub spec: &'static ResultSpec,
    /// The run's `as_of`.
    pub as_of: DateTime<Utc>,
    /// The rows, each in [`ResultSpec::columns`] order.
    pub rows: Vec<Vec<Value>>,
}

impl ResultSet {
    /// An empty set of `spec` for `as_of` (writing it clears that run's rows of the table).
    pub fn empty(spec: &'static ResultSpec, as_of: DateTime<Utc>) -> ResultSet {
        ResultSet {
            spec,
            as_of,
            rows: Vec::new(),
        }
    }

    /// The set of typed rows `rows`.
    pub fn of<T: ResultTable>(as_of: DateTime<Utc>, rows: &[T]) -> ResultSet {
        ResultSet {
            spec: spec_of::<T>(),
            as_of,
            rows: rows.iter().map(ResultTable::to_values).collect(),
        }
    }

    /// Decode the rows as `T`; a set of another table, or a row that does not fit, is an error
    /// naming the table, the row (1-based) and the column.
    pub fn decode<T: ResultTable>(&self) -> Result<Vec<T>> {
        if self.spec.name != T::SPEC.name {
            return Err(CoreError::param(
                "table",
                format!(
                    "rows of `{}` cannot be read as `{}`",
                    self.spec.name,
                    T::SPEC.name
                ),
            ));
        }
        self.rows
            .iter()
            .enumerate()
            .map(|(i, r)| {
                T::from_values(r).map_err(|(col, msg)| {
                    CoreError::validation(self.spec.name, Some(i + 1), Some(col), msg)
                })
            })
            .collect()
    }

    /// The natural key of row `i` (its key columns' text forms joined by `\u{1f}`).
    pub fn key_of(&self, i: usize) -> String {
        let row = &self.rows[i];
        self.spec
            .key
            .iter()
            .map(|k| {
                self.spec
                    .position(k)
                    .and_then(|p| row.get(p))
                    .and_then(Value::to_text)
                    .unwrap_or_default()
            })
            .collect::<Vec<_>>()
            .join("\u{1f}")
    }

    /// Check that every row has one value per column, of the column's kind, NULL only where
    /// allowed, and that no two rows share a key: what a store relies on before writing.
    pub fn check(&self) -> Result<()> {
        let mut keys = std::collections::HashSet::with_capacity(self.rows.len());
        for (i, row) in self.rows.iter().enumerate() {
            if row.len() != self.spec.columns.len() {
                return Err(CoreError::validation(
                    self.spec.name,
                    Some(i + 1),
                    None,
                    format!(
                        "{} values for {} columns",
                        row.len(),
                        self.spec.columns.len()
                    ),
                ));
            }
            for (c, v) in self.spec.columns.iter().zip(row) {
                let ok = match (c.kind, v) {
                    (_, Value::Null) => c.nullable || c.kind == ColumnKind::Float,
                    (ColumnKind::Text, Value::Text(_))
                    | (ColumnKind::Float, Value::Float(_))
                    | (ColumnKind::Int, Value::Int(_))
                    | (ColumnKind::Bool, Value::Bool(_))
                    | (ColumnKind::DateTime, Value::DateTime(_))
                    | (ColumnKind::Date, Value::Date(_))
                    | (ColumnKind::Json, Value::Json(_)) => true,
                    _ => false,
                };
                if !ok {
                    return Err(CoreError::validation(
                        self.spec.name,
                        Some(i + 1),
                        Some(c.name),
                        format!("{v:?} does not fit a {} column", c.kind.name()),
                    ));
                }
            }
            if !keys.insert(self.key_of(i)) {
                return Err(CoreError::validation(
                    self.spec.name,
                    Some(i + 1),
                    None,
                    format!("duplicate key ({})", self.spec.key.join(", ")),
                ));
            }
        }
        Ok(())
    }
}

/// The serde form of a [`ResultSet`]. Rows travel as plain JSON and are typed by the table's
/// column kinds on the way back (an untagged [`Value`] would read every number as a float, losing
/// integers above 2^53).
#[derive(Serialize, Deserialize)]
struct ResultSetWire {
    table: String,
    as_of: DateTime<Utc>,
    rows: Vec<Vec<serde_json::Value>>,
}

impl From<ResultSet> for ResultSetWire {
    fn from(s: ResultSet) -> Self {
        ResultSetWire {
            table: s.spec.name.to_string(),
            as_of: s.as_of,
            rows: s
                .rows
                .iter()
                .map(|r| {
                    r.iter()
                        .map(|v| serde_json::to_value(v).unwrap_or(serde_json::Value::Null))
                        .collect()
                })
                .collect(),
        }
    }
}

impl TryFrom<ResultSetWire> for ResultSet {
    type Error = String;
    fn try_from(w: ResultSetWire) -> std::result::Result<Self, String> {
        let spec =
            super::spec(&w.table).ok_or_else(|| super::unknown_table(&w.table).to_string())?;
        let rows = w
            .rows
            .into_iter()
            .map(|r| {
                r.into_iter()
                    .zip(spec.columns)
                    .map(|(v, c)| from_json(v, c.kind))
                    .collect()
            })
            .collect();
        Ok(ResultSet {
            spec,
            as_of: w.as_of,
            rows,
        })
    }
}

/// A JSON value brought to a column's kind (integers stay exact in integer columns).
fn from_json(j: serde_json::Value, kind: ColumnKind) -> Value {
    use serde_json::Value as J;
    match (kind, j) {
        (_, J::Null) => Value::Null,
        (ColumnKind::Int, J::Number(n)) if n.is_i64() => Value::Int(n.as_i64().unwrap_or(0)),
        (ColumnKind::Int, J::Number(n)) if n.is_u64() => {
            Value::Int(i64::try_from(n.as_u64().unwrap_or(0)).unwrap_or(i64::MAX))
        }
        (ColumnKind::Float, J::Number(n)) => n.as_f64().map_or(Value::Null, Value::Float),
        (ColumnKind::Json, j) => Value::Json(j),
        (kind, j) => retype(
            serde_json::from_value(j.clone()).unwrap_or(Value::Json(j)),
            kind,
        ),
    }
}

/// A value read back from an untyped form (JSON text), brought to the column's kind: text
/// becomes a time or date in such columns, any JSON in a JSON column.
pub fn retype(v: Value, kind: ColumnKind) -> Value {
    match (kind, v) {
        (_, Value::Null) => Value::Null,
        (ColumnKind::DateTime, Value::Text(s)) => crate::model::parse_datetime(&s)
            .map(Value::DateTime)
            .unwrap_or(Value::Text(s)),
        (ColumnKind::Date, Value::Text(s)) => crate::model::parse_date(&s)
            .map(Value::Date)
            .unwrap_or(Value::Text(s)),
        (ColumnKind::Float, Value::Int(i)) => Value::Float(i as f64),
        (ColumnKind::Json, Value::Json(j)) => Value::Json(j),
        (ColumnKind::Json, Value::Text(s)) => Value::Json(serde_json::Value::String(s)),
        (ColumnKind::Json, Value::Float(x)) => Value::Json(serde_json::json!(x)),
        (ColumnKind::Json, Value::Int(x)) => Value::Json(serde_json::json!(x)),
        (ColumnKind::Json, Value::Bool(x)) => Value::Json(serde_json::json!(x)),
        (_, v) => v,
    }
}

/// The `'static` spec of a row type (constants are promoted).
pub fn spec_of<T: ResultTable>() -> &'static ResultSpec {
    struct Holder<T>(std::marker::PhantomData<T>);
    impl<T: ResultTable> Holder<T> {
        const SPEC: &'static ResultSpec = &T::SPEC;
    }
    Holder::<T>::SPEC
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    crate::result_table! {
        /// A test row.
        #[table = "test_rows", step = "test", key = [id]]
        pub struct TestRow {
            /// Id.
            id: String,
            /// A float.
            x: f64,
            /// Optional count.
            n: Option<u32>,
            /// When.
            at: DateTime<Utc>,
            /// Severity.
            severity: Severity,
            /// Labels.
            labels: Vec<String>,
        }
    }

    #[test]
    fn rows_round_trip_through_values_and_check_catches_shape_errors() {
        let t = Utc.with_ymd_and_hms(2025, 3, 1, 0, 0, 0).unwrap();
        let rows = vec![
            TestRow {
                id: "a".into(),
                x: 1.5,
                n: None,
                at: t,
                severity: Severity::High,
                labels: vec!["x".into()],
            },
            TestRow {
                id: "b".into(),
                x: -2.0,
                n: Some(3),
                at: t,
                severity: Severity::Low,
                labels: vec![],
            },
        ];
        let set = ResultSet::of(t, &rows);
        set.check().unwrap();
        assert_eq!(set.decode::<TestRow>().unwrap(), rows);
        assert_eq!(TestRow::SPEC.columns[4].kind, ColumnKind::Text);
        assert_eq!(TestRow::SPEC.columns[5].kind, ColumnKind::Json);
        assert_eq!(TestRow::SPEC.columns[0].doc.trim(), "Id.");
        let mut dup = set.clone();
        dup.rows[1][0] = Value::Text("a".into());
        assert!(dup
            .check()
            .unwrap_err()
            .to_string()
            .contains("duplicate key"));
        let mut bad = set.clone();
        bad.rows[0][2] = Value::Text("3".into());
        let e = bad.check().unwrap_err().to_string();
        assert!(e.contains("`n`") && e.contains("row 1"), "{e}");
        let mut null = set;
        null.rows[0][0] = Value::Null;
        assert!(null.decode::<TestRow>().is_err());
    }
}
