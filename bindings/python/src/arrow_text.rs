//! A column of texts read in place through the Arrow C data interface, from any Python object
//! that exports one by the Arrow PyCapsule protocol (`__arrow_c_stream__`: polars Series, pyarrow
//! ChunkedArray, pandas arrow-backed arrays; `__arrow_c_array__`: pyarrow Array). No crate: the
//! three C structs of the interface are declared here as the specification gives them.
//!
//! Formats read: `u` (utf8, i32 offsets), `U` (large_utf8, i64 offsets) and `vu` (utf8_view, what
//! polars exports: 16-byte views, strings of ≤ 12 bytes inline, longer ones in variadic data
//! buffers); any chunk count, sliced arrays (offset ≠ 0) and validity bitmaps. Any other type
//! (dictionary, binary, numbers, a struct) is "not a text column": [`TextColumn::from_py`]
//! returns `None` and the caller falls back to reading Python objects.
//!
//! Ownership follows the PyCapsule protocol: each struct is moved out of its capsule (the
//! capsule's copy marked released, so the capsule's destructor does nothing) and released by its
//! owner's `Drop`, once. The texts' bytes are borrowed from the arrays for as long as the
//! [`TextColumn`] lives; nothing is copied. Every text is checked to be valid UTF-8 by the
//! caller (`score_columns_bytes`, as each text is scored), and every offset and view is
//! bounds-checked here against what the interface states (offsets non-decreasing and non-negative; a view inside its
//! data buffer's declared size). What the interface cannot state (the byte length of an offsets
//! buffer) is taken from the producer, as every Arrow consumer does.

use crate::errors::Failure;
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyTuple};
use std::ffi::{c_char, c_int, c_void, CStr};

/// `struct ArrowSchema` of the Arrow C data interface.
/// (Some fields are only read by the producer: they are part of the layout.)
#[allow(dead_code)]
#[repr(C)]
struct ArrowSchema {
    format: *const c_char,
    name: *const c_char,
    metadata: *const c_char,
    flags: i64,
    n_children: i64,
    children: *mut *mut ArrowSchema,
    dictionary: *mut ArrowSchema,
    release: Option<unsafe extern "C" fn(*mut ArrowSchema)>,
    private_data: *mut c_void,
}

/// `struct ArrowArray` of the Arrow C data interface.
/// (Some fields are only read by the producer: they are part of the layout.)
#[allow(dead_code)]
#[repr(C)]
struct ArrowArray {
    length: i64,
    null_count: i64,
    offset: i64,
    n_buffers: i64,
    n_children: i64,
    buffers: *mut *const c_void,
    children: *mut *mut ArrowArray,
    dictionary: *mut ArrowArray,
    release: Option<unsafe extern "C" fn(*mut ArrowArray)>,
    private_data: *mut c_void,
}

/// `struct ArrowArrayStream` of the Arrow C stream interface.
/// (Some fields are only read by the producer: they are part of the layout.)
#[allow(dead_code)]
#[repr(C)]
struct ArrowArrayStream {
    get_schema: Option<unsafe extern "C" fn(*mut ArrowArrayStream, *mut ArrowSchema) -> c_int>,
    get_next: Option<unsafe extern "C" fn(*mut ArrowArrayStream, *mut ArrowArray) -> c_int>,
    get_last_error: Option<unsafe extern "C" fn(*mut ArrowArrayStream) -> *const c_char>,
    release: Option<unsafe extern "C" fn(*mut ArrowArrayStream)>,
    private_data: *mut c_void,
}

/// The C structs' release marker.
trait Blank {
    /// A released (empty) struct: what a producer fills in.
    fn blank() -> Self;
    /// Whether it is released (its `release` is NULL).
    fn released(&self) -> bool;
}

impl Blank for ArrowArrayStream {
    fn blank() -> Self {
        ArrowArrayStream {
            get_schema: None,
            get_next: None,
            get_last_error: None,
            release: None,
            private_data: std::ptr::null_mut(),
        }
    }
    fn released(&self) -> bool {
        self.release.is_none()
    }
}

impl Blank for ArrowSchema {
    fn blank() -> Self {
        ArrowSchema {
            format: std::ptr::null(),
            name: std::ptr::null(),
            metadata: std::ptr::null(),
            flags: 0,
            n_children: 0,
            children: std::ptr::null_mut(),
            dictionary: std::ptr::null_mut(),
            release: None,
            private_data: std::ptr::null_mut(),
        }
    }
    fn released(&self) -> bool {
        self.release.is_none()
    }
}

impl Blank for ArrowArray {
    fn blank() -> Self {
        ArrowArray {
            length: 0,
            null_count: 0,
            offset: 0,
            n_buffers: 0,
            n_children: 0,
            buffers: std::ptr::null_mut(),
            children: std::ptr::null_mut(),
            dictionary: std::ptr::null_mut(),
            release: None,
            private_data: std::ptr::null_mut(),
        }
    }
    fn released(&self) -> bool {
        self.release.is_none()
    }
}

/// A schema this code owns (released on drop).
struct Schema(ArrowSchema);

impl Drop for Schema {
    fn drop(&mut self) {
        if let Some(release) = self.0.release {
            // SAFETY: the struct was moved out of its producer's capsule or filled in by a
            // stream's `get_schema`, so this is its only owner; `release` is called once (the
            // producer sets it to NULL, and the value is dropped only once).
            unsafe { release(&mut self.0) }
        }
    }
}

/// An array this code owns (released on drop).
struct Array(ArrowArray);

impl Drop for Array {
    fn drop(&mut self) {
        if let Some(release) = self.0.release {
            // SAFETY: as for `Schema`: the only owner, released once.
            unsafe { release(&mut self.0) }
        }
    }
}

/// A stream this code owns (released on drop).
struct Stream(ArrowArrayStream);

impl Drop for Stream {
    fn drop(&mut self) {
        if let Some(release) = self.0.release {
            // SAFETY: as for `Schema`: the only owner, released once.
            unsafe { release(&mut self.0) }
        }
    }
}

/// Move the struct of a capsule named `name` out of it, leaving the capsule's copy released (so
/// the capsule's destructor does not release it again). Errors when the capsule is not a `T`
/// capsule or was already consumed.
fn take<T: Blank>(capsule: &Bound<'_, PyAny>, name: &CStr) -> Result<T, Failure> {
    let capsule = capsule.cast::<PyCapsule>().map_err(|_| {
        Failure::param(
            "texts",
            format!("the Arrow export is not a PyCapsule ({name:?} expected)"),
        )
    })?;
    let ptr = capsule.pointer_checked(Some(name))?.cast::<T>();
    // SAFETY: the capsule's name says it holds a `T` (the Arrow PyCapsule protocol names its
    // capsules "arrow_schema", "arrow_array" and "arrow_array_stream" after the C structs
    // declared above, `#[repr(C)]`); the pointer is non-null (checked by `pointer_checked`) and
    // the GIL is held, so no Python code runs meanwhile. Moving the struct out bitwise and
    // writing a released one in its place is the protocol's documented way to take ownership.
    let value = unsafe { std::ptr::replace(ptr.as_ptr(), T::blank()) };
    if value.released() {
        return Err(Failure::param(
            "texts",
            "the Arrow export was already consumed (released)",
        ));
    }
    Ok(value)
}

/// The string layouts read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// `u`: i32 offsets.
    Utf8,
    /// `U`: i64 offsets.
    LargeUtf8,
    /// `vu`: 16-byte views.
    View,
}

/// The layout of a schema, if it is a string column.
fn layout(schema: &ArrowSchema) -> Option<Layout> {
    if schema.format.is_null() || !schema.dictionary.is_null() {
        return None;
    }
    // SAFETY: a live schema's `format` is a NUL-terminated string owned by the schema (C data
    // interface), non-null (checked above).
    let format = unsafe { CStr::from_ptr(schema.format) };
    match format.to_bytes() {
        b"u" => Some(Layout::Utf8),
        b"U" => Some(Layout::LargeUtf8),
        b"vu" => Some(Layout::View),
        _ => None,
    }
}

/// A column of texts exported by a Python object, held (and its memory kept alive) until drop.
pub(crate) struct TextColumn {
    layout: Layout,
    // Field order is drop order: the arrays, then their schema, then the stream (each released
    // independently; arrays stay valid after their stream is released, per the interface).
    chunks: Vec<Array>,
    _schema: Schema,
    _stream: Option<Stream>,
}

/// The message of a stream's last error.
fn stream_error(stream: &mut ArrowArrayStream, code: c_int) -> String {
    let text = stream.get_last_error.and_then(|f| {
        // SAFETY: `stream` is live (not released); `get_last_error` returns NULL or a
        // NUL-terminated string valid until the next call on the stream, read at once here.
        let p = unsafe { f(stream) };
        // SAFETY: non-null (checked), NUL-terminated (the interface's contract).
        (!p.is_null()).then(|| unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned())
    });
    text.unwrap_or_else(|| format!("error code {code}"))
}

impl TextColumn {
    /// Read `obj`'s Arrow export (`__arrow_c_stream__`, else `__arrow_c_array__`). `None` when it
    /// exports no Arrow data or not a string column (the caller then reads Python objects); an
    /// error when the export fails.
    pub(crate) fn from_py(obj: &Bound<'_, PyAny>) -> Result<Option<TextColumn>, Failure> {
        if obj.hasattr("__arrow_c_stream__")? {
            let capsule = obj.call_method0("__arrow_c_stream__")?;
            let mut stream = Stream(take(&capsule, c"arrow_array_stream")?);
            let (Some(get_schema), Some(get_next)) = (stream.0.get_schema, stream.0.get_next)
            else {
                return Err(Failure::param(
                    "texts",
                    "the Arrow stream has no get_schema / get_next",
                ));
            };
            let mut schema = Schema(ArrowSchema::blank());
            // SAFETY: the stream is live and owned here; `get_schema` fills in `schema`, which
            // is then owned (and released on drop) by `Schema`.
            let code = unsafe { get_schema(&mut stream.0, &mut schema.0) };
            if code != 0 {
                let why = stream_error(&mut stream.0, code);
                return Err(Failure::param(
                    "texts",
                    format!("reading the Arrow stream's schema: {why}"),
                ));
            }
            let Some(layout) = layout(&schema.0) else {
                return Ok(None);
            };
            let mut chunks = Vec::new();
            loop {
                let mut array = Array(ArrowArray::blank());
                // SAFETY: as for `get_schema`: `array` receives the next chunk (owned by
                // `Array` from here) or, at the end of the stream, stays released.
                let code = unsafe { get_next(&mut stream.0, &mut array.0) };
                if code != 0 {
                    let why = stream_error(&mut stream.0, code);
                    return Err(Failure::param(
                        "texts",
                        format!("reading the Arrow stream: {why}"),
                    ));
                }
                if array.0.release.is_none() {
                    break;
                }
                chunks.push(array);
            }
            return Ok(Some(TextColumn {
                layout,
                chunks,
                _schema: schema,
                _stream: Some(stream),
            }));
        }
        if obj.hasattr("__arrow_c_array__")? {
            let pair = obj.call_method0("__arrow_c_array__")?;
            let pair = pair.cast::<PyTuple>().map_err(|_| {
                Failure::param(
                    "texts",
                    "__arrow_c_array__ did not return a (schema, array) tuple",
                )
            })?;
            if pair.len() != 2 {
                return Err(Failure::param(
                    "texts",
                    "__arrow_c_array__ did not return a (schema, array) tuple",
                ));
            }
            let schema = Schema(take(&pair.get_item(0)?, c"arrow_schema")?);
            let array = Array(take(&pair.get_item(1)?, c"arrow_array")?);
            let Some(layout) = layout(&schema.0) else {
                return Ok(None);
            };
            return Ok(Some(TextColumn {
                layout,
                chunks: vec![array],
                _schema: schema,
                _stream: None,
            }));
        }
        Ok(None)
    }

    /// Every text's bytes, in order, borrowed from the arrays. A null raises `ParameterError`
    /// naming its index (as a missing value in a list does); a malformed array (negative or
    /// decreasing offsets, a view outside its buffer, a missing buffer) names the index too.
    pub(crate) fn texts(&self) -> Result<Vec<&[u8]>, Failure> {
        let total: usize = self
            .chunks
            .iter()
            .map(|c| usize::try_from(c.0.length).unwrap_or(0))
            .sum();
        let mut out = Vec::with_capacity(total);
        for chunk in &self.chunks {
            read_chunk(&chunk.0, self.layout, &mut out)?;
        }
        Ok(out)
    }
}

/// A malformed-array error at text `i`.
fn malformed(i: usize, what: &str) -> Failure {
    Failure::param(
        "texts",
        format!("at index {i}: malformed Arrow string array ({what})"),
    )
}

/// Buffer `k` of `a` (NULL when absent).
fn buffer(a: &ArrowArray, k: usize) -> *const c_void {
    let n = usize::try_from(a.n_buffers).unwrap_or(0);
    if k >= n || a.buffers.is_null() {
        return std::ptr::null();
    }
    // SAFETY: a live array's `buffers` points to `n_buffers` pointers (C data interface); `k` is
    // below it (checked above).
    unsafe { *a.buffers.add(k) }
}

/// `n` items of type `T` at `p`, or `None` when `p` is NULL or misaligned for `T`.
///
/// # Safety
/// `p`, if non-null, must point to at least `n` initialised `T`s that outlive `'a`.
unsafe fn items<'a, T>(p: *const c_void, n: usize) -> Option<&'a [T]> {
    if n == 0 {
        return Some(&[]);
    }
    let p = p.cast::<T>();
    if p.is_null() || !p.is_aligned() {
        return None;
    }
    // SAFETY: non-null and aligned (checked), `n` items live for `'a` (the caller's contract).
    Some(unsafe { std::slice::from_raw_parts(p, n) })
}

/// Append the texts of one chunk (its `offset` and `length` applied) to `out`.
fn read_chunk<'a>(
    a: &'a ArrowArray,
    layout: Layout,
    out: &mut Vec<&'a [u8]>,
) -> Result<(), Failure> {
    let first = out.len();
    let (Ok(len), Ok(off)) = (usize::try_from(a.length), usize::try_from(a.offset)) else {
        return Err(malformed(first, "negative length or offset"));
    };
    if len == 0 {
        return Ok(());
    }
    // utf8 / large_utf8: validity, offsets, data; utf8_view: validity, views, data…, sizes.
    if usize::try_from(a.n_buffers).unwrap_or(0) < 3 {
        return Err(malformed(first, "too few buffers"));
    }
    // Validity bitmap: bit `off + k` is 1 for a valid text (absent when there is no null).
    let validity: Option<&[u8]> = if a.null_count != 0 && !buffer(a, 0).is_null() {
        // SAFETY: a validity buffer holds at least ⌈(offset + length) / 8⌉ bytes (C data
        // interface), alive while the array is (borrowed for `'a`).
        unsafe { items::<u8>(buffer(a, 0), (off + len).div_ceil(8)) }
    } else {
        None
    };
    let valid = |k: usize| {
        validity.is_none_or(|v| {
            v.get((off + k) / 8)
                .is_some_and(|b| b >> ((off + k) % 8) & 1 == 1)
        })
    };
    match layout {
        Layout::Utf8 => {
            // SAFETY: a utf8 array's offsets buffer holds `offset + length + 1` i32s.
            let offsets = unsafe { items::<i32>(buffer(a, 1), off + len + 1) }
                .ok_or_else(|| malformed(first, "offsets buffer missing or misaligned"))?;
            let offsets = offsets.get(off..).unwrap_or_default();
            push_offsets(offsets, buffer(a, 2), first, valid, out)
        }
        Layout::LargeUtf8 => {
            // SAFETY: a large_utf8 array's offsets buffer holds `offset + length + 1` i64s.
            let offsets = unsafe { items::<i64>(buffer(a, 1), off + len + 1) }
                .ok_or_else(|| malformed(first, "offsets buffer missing or misaligned"))?;
            let offsets = offsets.get(off..).unwrap_or_default();
            push_offsets(offsets, buffer(a, 2), first, valid, out)
        }
        Layout::View => push_views(a, off, len, first, valid, out),
    }
}

/// The texts of a `u` / `U` chunk: `offsets` are the chunk's `length + 1` offsets into `data`.
fn push_offsets<'a, O: Copy + TryInto<usize>>(
    offsets: &'a [O],
    data: *const c_void,
    first: usize,
    valid: impl Fn(usize) -> bool,
    out: &mut Vec<&'a [u8]>,
) -> Result<(), Failure> {
    let Some(&last) = offsets.last() else {
        return Ok(());
    };
    let end: usize = last
        .try_into()
        .map_err(|_| malformed(first, "negative offset"))?;
    // SAFETY: a string array's data buffer holds at least its last offset's worth of bytes (C
    // data interface: the offsets index into it), alive as long as the array (`'a`).
    let data =
        unsafe { items::<u8>(data, end) }.ok_or_else(|| malformed(first, "data buffer missing"))?;
    for (k, w) in offsets.windows(2).enumerate() {
        let i = first + k;
        if !valid(k) {
            return Err(missing(i));
        }
        let (Ok(s), Ok(e)) = (w[0].try_into(), w[1].try_into()) else {
            return Err(malformed(i, "negative offset"));
        };
        let text = data
            .get(s..e)
            .ok_or_else(|| malformed(i, "offsets out of order or past the data"))?;
        out.push(text);
    }
    Ok(())
}

/// The texts of a `vu` chunk (views at `offset .. offset + length`).
fn push_views<'a>(
    a: &'a ArrowArray,
    off: usize,
    len: usize,
    first: usize,
    valid: impl Fn(usize) -> bool,
    out: &mut Vec<&'a [u8]>,
) -> Result<(), Failure> {
    let n_buffers = usize::try_from(a.n_buffers).unwrap_or(0);
    // Buffers: validity, views, the variadic data buffers, then their sizes (i64 each).
    let n_data = n_buffers.saturating_sub(3);
    // SAFETY: a view array's views buffer holds `offset + length` 16-byte views.
    let views = unsafe { items::<[u8; 16]>(buffer(a, 1), off + len) }
        .ok_or_else(|| malformed(first, "views buffer missing"))?;
    // SAFETY: the last buffer of a view array holds the byte size of each data buffer (i64).
    let sizes = unsafe { items::<i64>(buffer(a, n_buffers - 1), n_data) }
        .ok_or_else(|| malformed(first, "variadic buffer sizes missing or misaligned"))?;
    let mut data: Vec<&'a [u8]> = Vec::with_capacity(n_data);
    for (b, &size) in sizes.iter().enumerate() {
        let size = usize::try_from(size).map_err(|_| malformed(first, "negative buffer size"))?;
        // SAFETY: data buffer `b` holds `size` bytes (the sizes buffer says so), alive for `'a`.
        let bytes = unsafe { items::<u8>(buffer(a, 2 + b), size) }
            .ok_or_else(|| malformed(first, "data buffer missing"))?;
        data.push(bytes);
    }
    for (k, view) in views.get(off..).unwrap_or_default().iter().enumerate() {
        let i = first + k;
        if !valid(k) {
            return Err(missing(i));
        }
        let word = |at: usize| {
            let mut w = [0u8; 4];
            w.copy_from_slice(view.get(at..at + 4).unwrap_or(&[0; 4]));
            u32::from_ne_bytes(w) as usize
        };
        let n = word(0);
        let text = if n <= 12 {
            view.get(4..4 + n)
        } else {
            let (b, start) = (word(8), word(12));
            data.get(b)
                .and_then(|d| d.get(start..start.saturating_add(n)))
        };
        out.push(text.ok_or_else(|| malformed(i, "a view outside its data buffer"))?);
    }
    Ok(())
}

/// The error of a null text at index `i` (the list path's message for a missing value).
fn missing(i: usize) -> Failure {
    Failure::param(
        "texts",
        format!("at index {i}: expected a str, got a missing value"),
    )
}
