//! Conversions between Python column lists and the core's typed tables.
//!
//! Into Rust: the Python layer hands over `{table: {column: list}}`; every value becomes text here
//! (None, NaN, NaT and pd.NA → missing; bool → `true`/`false`; int → decimal; float → shortest
//! round-trip decimal; datetime, date and pandas Timestamp → `isoformat()`; anything else → `str()`)
//! and the core parses it with the same code as CSV files, so errors name table, row and column.
//!
//! Out of Rust: `{column: list}` of Python-native values (str, float, int, bool, None; date-times
//! and dates as ISO strings, which the Python layer turns into datetime64 columns).

use crate::errors::Failure;
use edupulse::core::model::{
    visit_tables, ColumnKind, ColumnMap, ColumnSpec, Record, Table, TableVisitor, Value,
};
use edupulse::core::{CoreError, Tables};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyType};

/// One table received from Python: its columns as text, in the order given.
#[derive(Debug)]
pub(crate) struct RawTable {
    /// Which table.
    pub table: Table,
    /// Column names, as given.
    pub headers: Vec<String>,
    /// One vector per column, all of the same length; `None` is a missing value.
    pub columns: Vec<Vec<Option<String>>>,
}

impl RawTable {
    fn rows(&self) -> usize {
        self.columns.first().map_or(0, Vec::len)
    }
}

/// Every table name, for error messages.
pub(crate) fn table_names() -> Vec<&'static str> {
    Table::ALL.iter().map(|t| t.name()).collect()
}

/// Look a table up by name; an unknown name is a validation error naming it.
pub(crate) fn table_named(name: &str) -> Result<Table, Failure> {
    Table::from_name(name).ok_or_else(|| {
        Failure::table(
            name,
            None,
            format!(
                "unknown table (expected one of: {})",
                table_names().join(", ")
            ),
        )
    })
}

/// The storage kind of a column as the Python layer names it.
pub(crate) fn kind_name(kind: ColumnKind) -> &'static str {
    match kind {
        ColumnKind::Text => "text",
        ColumnKind::Float => "float",
        ColumnKind::Int => "int",
        ColumnKind::Bool => "bool",
        ColumnKind::DateTime => "datetime",
        ColumnKind::Date => "date",
        ColumnKind::Json => "json",
        _ => "text",
    }
}

/// Read `{table: {column: values}}` into text columns (needs the GIL; cheap per value).
pub(crate) fn extract_tables(tables: &Bound<'_, PyAny>) -> Result<Vec<RawTable>, Failure> {
    let tables = tables.cast::<PyDict>().map_err(|_| {
        Failure::param(
            "tables",
            "expected a dict mapping table names to DataFrames",
        )
    })?;
    let mut out = Vec::with_capacity(tables.len());
    for (name, frame) in tables.iter() {
        let name: String = name
            .extract()
            .map_err(|_| Failure::param("tables", "table names must be str"))?;
        let table = table_named(&name)?;
        out.push(extract_table(table, &frame)?);
    }
    Ok(out)
}

fn extract_table(table: Table, frame: &Bound<'_, PyAny>) -> Result<RawTable, Failure> {
    let frame = frame.cast::<PyDict>().map_err(|_| {
        Failure::table(
            table.name(),
            None,
            "expected a DataFrame or a dict of column lists",
        )
    })?;
    let mut headers = Vec::with_capacity(frame.len());
    let mut columns: Vec<Vec<Option<String>>> = Vec::with_capacity(frame.len());
    for (name, values) in frame.iter() {
        let name: String = match name.cast::<PyString>() {
            Ok(s) => s.to_cow()?.into_owned(),
            Err(_) => name.str()?.to_cow()?.into_owned(),
        };
        let values = text_column(&values)?;
        if let (Some(first), Some(n)) = (headers.first(), columns.first().map(Vec::len)) {
            if values.len() != n {
                return Err(Failure::table(
                    table.name(),
                    Some(&name),
                    format!(
                        "column has {} values but column '{first}' has {n}",
                        values.len()
                    ),
                ));
            }
        }
        headers.push(name);
        columns.push(values);
    }
    Ok(RawTable {
        table,
        headers,
        columns,
    })
}

/// Convert one column (a list, or any iterable) to text values.
fn text_column(values: &Bound<'_, PyAny>) -> PyResult<Vec<Option<String>>> {
    let mut cache = TypeCache::default();
    if let Ok(list) = values.cast::<PyList>() {
        let mut out = Vec::with_capacity(list.len());
        for v in list.iter() {
            out.push(cache.text_of(&v)?);
        }
        Ok(out)
    } else {
        let mut out = Vec::with_capacity(values.len().unwrap_or(0));
        for v in values.try_iter()? {
            out.push(cache.text_of(&v?)?);
        }
        Ok(out)
    }
}

/// Remembers the last type seen that has `isoformat` (datetime, date, pandas Timestamp), so a
/// column of timestamps is converted without probing every value's type.
#[derive(Default)]
struct TypeCache<'py> {
    iso_type: Option<Bound<'py, PyType>>,
}

impl<'py> TypeCache<'py> {
    /// The text of one value, `None` when missing.
    fn text_of(&mut self, v: &Bound<'py, PyAny>) -> PyResult<Option<String>> {
        let py = v.py();
        if v.is_none() {
            return Ok(None);
        }
        if let Ok(s) = v.cast::<PyString>() {
            return Ok(Some(s.to_cow()?.into_owned()));
        }
        if let Ok(x) = v.cast::<PyFloat>() {
            let x = x.value();
            return Ok(if x.is_nan() {
                None
            } else {
                Some(format!("{x}"))
            });
        }
        if let Ok(b) = v.cast::<PyBool>() {
            return Ok(Some(if b.is_true() { "true" } else { "false" }.to_string()));
        }
        if v.cast::<PyInt>().is_ok() {
            return Ok(Some(match v.extract::<i64>() {
                Ok(i) => i.to_string(),
                Err(_) => v.str()?.to_cow()?.into_owned(),
            }));
        }
        let ty = v.get_type();
        let known = self.iso_type.as_ref().is_some_and(|t| t.is(&ty));
        if known || is_datetime_like(v)? {
            let iso = v.call_method0(intern!(py, "isoformat"))?;
            let iso = iso.str()?.to_cow()?.into_owned();
            if !known && iso != "NaT" {
                self.iso_type = Some(ty);
            }
            return Ok(if iso == "NaT" { None } else { Some(iso) });
        }
        // pandas' NA/NaT singletons and numpy scalars (np.int64, np.float32, np.bool_...).
        let s = v.str()?.to_cow()?.into_owned();
        Ok(match s.as_str() {
            "<NA>" | "NaT" | "nan" | "NaN" => None,
            _ => Some(s),
        })
    }
}

/// Whether a value is a date, a datetime or a pandas Timestamp (has `isoformat`, is not NaT).
fn is_datetime_like(v: &Bound<'_, PyAny>) -> PyResult<bool> {
    let name = v.get_type().name()?;
    if name == "NaTType" || name == "NAType" {
        return Ok(false);
    }
    v.hasattr(intern!(v.py(), "isoformat"))
}

/// Parse text tables into a batch (no GIL needed). Errors name table, 1-based row and column.
pub(crate) fn parse_tables(raw: &[RawTable]) -> Result<Tables, CoreError> {
    struct Parse<'a> {
        raw: &'a RawTable,
        out: &'a mut Tables,
    }
    impl TableVisitor for Parse<'_> {
        type Error = CoreError;
        fn visit<R: Record>(&mut self) -> Result<(), CoreError> {
            if R::TABLE != self.raw.table {
                return Ok(());
            }
            let headers: Vec<&str> = self.raw.headers.iter().map(String::as_str).collect();
            let map = ColumnMap::new::<R>(&headers)?;
            let n = self.raw.rows();
            let rows = R::rows_mut(self.out);
            rows.reserve(n);
            let mut source: Vec<Option<&str>> = vec![None; self.raw.columns.len()];
            for i in 0..n {
                for (slot, column) in source.iter_mut().zip(&self.raw.columns) {
                    *slot = column.get(i).and_then(|v| v.as_deref());
                }
                rows.push(map.parse::<R>(i + 1, &source)?);
            }
            Ok(())
        }
    }
    let mut out = Tables::default();
    for table in raw {
        visit_tables(&mut Parse {
            raw: table,
            out: &mut out,
        })?;
    }
    Ok(out)
}

/// The columns of one table of a batch, column-major, ready to become Python lists.
pub(crate) struct ColumnData {
    /// Column specs, in canonical order.
    pub specs: &'static [ColumnSpec],
    /// One vector per column.
    pub values: Vec<Vec<Value>>,
}

/// Take the rows of `table` out of a batch as columns (no GIL needed).
pub(crate) fn collect_columns(table: Table, tables: &Tables) -> ColumnData {
    struct Collect<'a> {
        table: Table,
        tables: &'a Tables,
        out: Option<ColumnData>,
    }
    impl TableVisitor for Collect<'_> {
        type Error = std::convert::Infallible;
        fn visit<R: Record>(&mut self) -> Result<(), Self::Error> {
            if R::TABLE != self.table {
                return Ok(());
            }
            let specs = R::columns();
            let rows = R::rows(self.tables);
            let mut values: Vec<Vec<Value>> = (0..specs.len())
                .map(|_| Vec::with_capacity(rows.len()))
                .collect();
            for row in rows {
                for (column, v) in values.iter_mut().zip(row.to_values()) {
                    column.push(v);
                }
            }
            self.out = Some(ColumnData { specs, values });
            Ok(())
        }
    }
    let mut c = Collect {
        table,
        tables,
        out: None,
    };
    let _ = visit_tables(&mut c);
    c.out.unwrap_or(ColumnData {
        specs: table.columns(),
        values: vec![Vec::new(); table.columns().len()],
    })
}

fn value_to_py(py: Python<'_>, v: Value) -> PyResult<Bound<'_, PyAny>> {
    Ok(match v {
        Value::Null => py.None().into_bound(py),
        Value::Text(s) => PyString::new(py, &s).into_any(),
        Value::Float(x) => PyFloat::new(py, x).into_any(),
        Value::Int(i) => i.into_pyobject(py)?.into_any(),
        Value::Bool(b) => PyBool::new(py, b).to_owned().into_any(),
        v @ (Value::DateTime(_) | Value::Date(_)) => match v.to_text() {
            Some(s) => PyString::new(py, &s).into_any(),
            None => py.None().into_bound(py),
        },
        Value::Json(j) => json_to_py(py, &j)?,
    })
}

/// A JSON value as the Python object `json.loads` would give (dict, list, str, float, int,
/// bool, None).
pub(crate) fn json_to_py<'py>(
    py: Python<'py>,
    v: &serde_json::Value,
) -> PyResult<Bound<'py, PyAny>> {
    use serde_json::Value as J;
    Ok(match v {
        J::Null => py.None().into_bound(py),
        J::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        J::Number(n) => match n.as_i64() {
            Some(i) => i.into_pyobject(py)?.into_any(),
            None => PyFloat::new(py, n.as_f64().unwrap_or(f64::NAN)).into_any(),
        },
        J::String(s) => PyString::new(py, s).into_any(),
        J::Array(items) => {
            let items = items
                .iter()
                .map(|x| json_to_py(py, x))
                .collect::<PyResult<Vec<_>>>()?;
            PyList::new(py, items)?.into_any()
        }
        J::Object(map) => {
            let d = PyDict::new(py);
            for (k, x) in map {
                d.set_item(k, json_to_py(py, x)?)?;
            }
            d.into_any()
        }
    })
}

/// A result set as `{"as_of": [...], column: [...], ...}` (needs the GIL).
pub(crate) fn result_set_to_py<'py>(
    py: Python<'py>,
    set: edupulse::core::results::ResultSet,
) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    let as_of = edupulse::core::model::format_datetime(&set.as_of);
    let n = set.rows.len();
    dict.set_item("as_of", PyList::new(py, vec![as_of; n])?)?;
    let mut columns: Vec<Vec<Bound<'py, PyAny>>> = set
        .spec
        .columns
        .iter()
        .map(|_| Vec::with_capacity(n))
        .collect();
    for row in set.rows {
        for (col, v) in columns.iter_mut().zip(row) {
            col.push(value_to_py(py, v)?);
        }
    }
    for (spec, values) in set.spec.columns.iter().zip(columns) {
        dict.set_item(spec.name, PyList::new(py, values)?)?;
    }
    Ok(dict)
}

/// Build `{column: list}` from column data (needs the GIL).
pub(crate) fn columns_to_py(py: Python<'_>, data: ColumnData) -> PyResult<Bound<'_, PyDict>> {
    let dict = PyDict::new(py);
    for (spec, values) in data.specs.iter().zip(data.values) {
        let items = values
            .into_iter()
            .map(|v| value_to_py(py, v))
            .collect::<PyResult<Vec<_>>>()?;
        dict.set_item(spec.name, PyList::new(py, items)?)?;
    }
    Ok(dict)
}

/// Build `{table: {column: list}}` for every table of a batch (needs the GIL).
pub(crate) fn tables_to_py<'py>(
    py: Python<'py>,
    data: Vec<(Table, ColumnData)>,
) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    for (table, columns) in data {
        dict.set_item(table.name(), columns_to_py(py, columns)?)?;
    }
    Ok(dict)
}
