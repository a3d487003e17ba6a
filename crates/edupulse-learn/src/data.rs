//! Tabular data: named columns, each numeric (`f64`, NaN = missing) or categorical (strings,
//! empty = missing), all of one length.

use crate::error::{LearnError, Result};
use serde::{Deserialize, Serialize};

/// Pseudo-table name used in validation errors about tabular inputs.
pub const TABLE: &str = "features";

/// One column's values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum ColumnData {
    /// Numbers; NaN marks a missing value.
    Numeric(Vec<f64>),
    /// Categories; the empty string marks a missing value.
    Categorical(Vec<String>),
}

impl ColumnData {
    /// Number of values.
    pub fn len(&self) -> usize {
        match self {
            ColumnData::Numeric(v) => v.len(),
            ColumnData::Categorical(v) => v.len(),
        }
    }

    /// Whether there are no values.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value in row `i` as display text (`""` when missing).
    pub fn display(&self, i: usize) -> String {
        match self {
            ColumnData::Numeric(v) => match v.get(i) {
                Some(x) if x.is_finite() => {
                    if x.fract() == 0.0 && x.abs() < 1e15 {
                        format!("{x:.0}")
                    } else {
                        format!("{x:.3}")
                    }
                }
                _ => String::new(),
            },
            ColumnData::Categorical(v) => v.get(i).cloned().unwrap_or_default(),
        }
    }
}

/// A table of named columns, all of the same length.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TabularData {
    names: Vec<String>,
    columns: Vec<ColumnData>,
}

impl TabularData {
    /// An empty table.
    pub fn new() -> TabularData {
        TabularData::default()
    }

    /// Add a column (the name must be new, the length that of the other columns).
    pub fn push(&mut self, name: &str, column: ColumnData) -> Result<()> {
        if self.names.iter().any(|n| n == name) {
            return Err(LearnError::validation(
                TABLE,
                None,
                Some(name),
                "duplicate column name",
            ));
        }
        if let Some(first) = self.columns.first() {
            if first.len() != column.len() {
                return Err(LearnError::validation(
                    TABLE,
                    None,
                    Some(name),
                    format!(
                        "has {} rows, the other columns have {}",
                        column.len(),
                        first.len()
                    ),
                ));
            }
        }
        if let ColumnData::Numeric(v) = &column {
            if let Some(i) = v.iter().position(|x| x.is_infinite()) {
                return Err(LearnError::validation(
                    TABLE,
                    Some(i + 1),
                    Some(name),
                    "infinite value",
                ));
            }
        }
        self.names.push(name.to_string());
        self.columns.push(column);
        Ok(())
    }

    /// Builder: add a numeric column from a slice (NaN = missing).
    pub fn with_numeric(mut self, name: &str, values: &[f64]) -> Result<TabularData> {
        self.push(name, ColumnData::Numeric(values.to_vec()))?;
        Ok(self)
    }

    /// Builder: add a categorical column from a slice (empty = missing).
    pub fn with_categorical<S: AsRef<str>>(
        mut self,
        name: &str,
        values: &[S],
    ) -> Result<TabularData> {
        self.push(
            name,
            ColumnData::Categorical(values.iter().map(|s| s.as_ref().to_string()).collect()),
        )?;
        Ok(self)
    }

    /// Number of rows (0 without columns).
    pub fn n_rows(&self) -> usize {
        self.columns.first().map_or(0, ColumnData::len)
    }

    /// Number of columns.
    pub fn n_columns(&self) -> usize {
        self.columns.len()
    }

    /// Column names in order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The column called `name`.
    pub fn column(&self, name: &str) -> Option<&ColumnData> {
        self.names
            .iter()
            .position(|n| n == name)
            .map(|i| &self.columns[i])
    }

    /// Columns in order.
    pub fn columns(&self) -> &[ColumnData] {
        &self.columns
    }

    /// Remove the column called `name` and return it.
    pub fn remove(&mut self, name: &str) -> Option<ColumnData> {
        let i = self.names.iter().position(|n| n == name)?;
        self.names.remove(i);
        Some(self.columns.remove(i))
    }

    /// Read CSV text with a header. A column is numeric when every non-empty value parses as a
    /// number (empty → missing), categorical otherwise (values trimmed).
    pub fn from_csv(text: &str) -> Result<TabularData> {
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(text.as_bytes());
        let headers: Vec<String> = rdr
            .headers()
            .map_err(|e| LearnError::validation(TABLE, None, None, e.to_string()))?
            .iter()
            .map(|h| h.trim().to_string())
            .collect();
        let mut raw: Vec<Vec<String>> = vec![Vec::new(); headers.len()];
        for (i, rec) in rdr.records().enumerate() {
            let rec =
                rec.map_err(|e| LearnError::validation(TABLE, Some(i + 1), None, e.to_string()))?;
            if rec.len() != headers.len() {
                return Err(LearnError::validation(
                    TABLE,
                    Some(i + 1),
                    None,
                    "wrong number of fields",
                ));
            }
            for (j, f) in rec.iter().enumerate() {
                raw[j].push(f.trim().to_string());
            }
        }
        let mut t = TabularData::new();
        for (name, vals) in headers.iter().zip(raw) {
            let numeric = vals
                .iter()
                .all(|v| v.is_empty() || v.parse::<f64>().is_ok_and(f64::is_finite));
            let col = if numeric {
                ColumnData::Numeric(
                    vals.iter()
                        .map(|v| v.parse::<f64>().unwrap_or(f64::NAN))
                        .collect(),
                )
            } else {
                ColumnData::Categorical(vals)
            };
            t.push(name, col)?;
        }
        Ok(t)
    }

    /// The rows `idx` (in that order) as a new table.
    pub fn take(&self, idx: &[usize]) -> TabularData {
        TabularData {
            names: self.names.clone(),
            columns: self
                .columns
                .iter()
                .map(|c| match c {
                    ColumnData::Numeric(v) => {
                        ColumnData::Numeric(idx.iter().map(|&i| v[i]).collect())
                    }
                    ColumnData::Categorical(v) => {
                        ColumnData::Categorical(idx.iter().map(|&i| v[i].clone()).collect())
                    }
                })
                .collect(),
        }
    }
}
