//! `glove_wgpu._native.Vectors`: the storage and search half of
//! `glove_wgpu.Vectors` (the Python class in `glove_wgpu/_vectors.py` derives
//! from it and adds gensim's `KeyedVectors` API on top).
//!
//! The object holds its state behind one lock: the embeddings (shared,
//! copy-on-write), the exact search indexes built from them (one per metric and
//! row range, built on first use on the object's device), and the unit rows and
//! norms (computed on first use). A change (`_set_rows`, `_append`, `_reset`)
//! drops every index and cache, and the next search builds them again from the
//! new matrix: the indexes always answer for the vectors as they are.
//!
//! Numpy crosses without copies where the layout allows: `vectors`, `_unit` and
//! `_norms` are read-only views of a snapshot (the array keeps the snapshot
//! alive; a change after that copies the matrix once, and the view keeps showing
//! the old one), C-contiguous float32 queries are read in place, and results are
//! handed to numpy as the vectors they were computed in. Every call that reads a
//! file or searches releases the GIL; a search runs in chunks of about a fifth of
//! a second and checks for signals (Ctrl-C) between them.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use glove_wgpu::io::{self, Format};
use glove_wgpu::names::Named;
use glove_wgpu::progress::Event;
use glove_wgpu::search::{inv_norm, Metric, Neighbor, Precision, SearchIndex, SearchOptions};
use glove_wgpu::{Device, DeviceChoice, Embeddings, Error};
use numpy::ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use numpy::{PyArray1, PyArray2, PyArrayDyn, PyArrayMethods, PyUntypedArrayMethods};
use pyo3::exceptions::{PyKeyError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyList, PyString};

use crate::args;
use crate::errors::{internal, invalid, OrRaise};

/// One device per backend choice for the whole process: loading many vector
/// sets, and training, open it once.
static DEVICES: Mutex<Vec<(DeviceChoice, Device)>> = Mutex::new(Vec::new());

/// The device `choice` resolves to ([`DeviceChoice::resolve`]), made once;
/// `notes` hears why `"auto"` fell back to the CPU.
pub fn device(choice: DeviceChoice, notes: &mut Vec<String>) -> Result<Device, Error> {
    let mut cache = DEVICES.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((_, d)) = cache.iter().find(|(c, _)| *c == choice) {
        return Ok(d.clone());
    }
    if choice != DeviceChoice::Cpu {
        check_backend_variable()?;
        quiet_wayland_probe();
    }
    let d = choice.resolve(&mut |e| {
        if let Event::Note(n) = e {
            notes.push(n.to_string());
        }
        Ok(())
    })?;
    cache.push((choice, d.clone()));
    Ok(d)
}

/// wgpu's names for its graphics APIs (`wgpu::Backends::from_comma_list`).
const GRAPHICS_APIS: &[&str] = &[
    "vulkan", "vk", "metal", "mtl", "dx12", "d3d12", "gl", "gles", "opengl", "webgpu", "noop",
];

/// Refuses a `GLOVE_WGPU_BACKEND` (or, when that is unset, `WGPU_BACKEND`)
/// that names an unknown graphics API. wgpu skips such a name with a log line
/// nobody sees: a misspelt `vulkn` asked for no API at all, so `"auto"` fell
/// back to the CPU and `"gpu"` failed with every API "not requested". The
/// variable is read as `GpuOptions::from_env` reads it (the first one set; set
/// but blank means every API; case and spaces do not matter).
fn check_backend_variable() -> Result<(), Error> {
    let Some((name, value)) = ["GLOVE_WGPU_BACKEND", "WGPU_BACKEND"]
        .into_iter()
        .find_map(|name| std::env::var(name).ok().map(|v| (name, v)))
    else {
        return Ok(());
    };
    let unknown: Vec<&str> = value
        .split(',')
        .map(str::trim)
        .filter(|api| !api.is_empty() && !GRAPHICS_APIS.contains(&api.to_lowercase().as_str()))
        .collect();
    if unknown.is_empty() {
        return Ok(());
    }
    Err(Error::invalid(format!(
        "{name}={value:?}: unknown graphics API {} (known: {}; unset {name} to try every one)",
        unknown.join(", "),
        GRAPHICS_APIS.join(", ")
    )))
}

/// Without `XDG_RUNTIME_DIR`, looking for a GPU prints "error: XDG_RUNTIME_DIR
/// is invalid or not set in the environment." to stderr: Mesa's Vulkan
/// device-select layer and wgpu's GL probe both ask libwayland for a display,
/// even on a machine whose search then runs on the CPU. No Wayland display can
/// be reached without that variable, so pointing it, for this process, at an
/// empty private folder changes nothing but the message. Done once, before the
/// first device is looked for, and only when the variable is unset.
fn quiet_wayland_probe() {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| {
        if std::env::var_os("XDG_RUNTIME_DIR").is_some() {
            return;
        }
        let dir = std::env::temp_dir().join(format!("glove-wgpu-xdg-{}", std::process::id()));
        let made = {
            use std::os::unix::fs::DirBuilderExt;
            std::fs::DirBuilder::new()
                .mode(0o700)
                .create(&dir)
                .or_else(|e| match e.kind() {
                    std::io::ErrorKind::AlreadyExists => Ok(()),
                    _ => Err(e),
                })
        };
        if made.is_ok() {
            // The process is single-threaded here as far as the environment
            // goes: the GIL is held and no device (nor its threads) exists yet.
            std::env::set_var("XDG_RUNTIME_DIR", &dir);
        }
    });
}

/// Sends `notes` to the `glove_wgpu` logger (level INFO).
pub fn log_notes(py: Python<'_>, notes: &[String]) -> PyResult<()> {
    if notes.is_empty() {
        return Ok(());
    }
    let logger = py
        .import("logging")?
        .call_method1("getLogger", ("glove_wgpu",))?;
    for n in notes {
        logger.call_method1("info", (n,))?;
    }
    Ok(())
}

/// `obj` as a C-contiguous float32 numpy array, without a copy when it is one
/// already (or is another array of that layout, through `__array__` or
/// DLPack). Other dtypes and layouts are converted. (Tensors on a device,
/// with `requires_grad`, or in bf16 are brought here by
/// `glove_wgpu._tensors.host_array` first.)
pub fn float32_array<'py>(obj: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyArrayDyn<f32>>> {
    if let Ok(a) = obj.cast::<PyArrayDyn<f32>>() {
        if a.is_c_contiguous() {
            return Ok(a.clone());
        }
    }
    let py = obj.py();
    let a = py
        .import("glove_wgpu._tensors")?
        .call_method1("host_array", (obj,))?;
    Ok(a.cast_into::<PyArrayDyn<f32>>()?)
}

/// `obj` as an `(n, dim)` float32 matrix: its values, row-major.
fn matrix_values(obj: &Bound<'_, PyAny>, dim: usize, what: &str) -> PyResult<(usize, Vec<f32>)> {
    let py = obj.py();
    let a = float32_array(obj)?;
    let n = match a.shape() {
        [n, d] if *d == dim => *n,
        [0] => 0,
        s => {
            return Err(invalid(
                py,
                format!("{what}: expected an (n, {dim}) array ({dim} dimensions), got shape {s:?}"),
            ))
        }
    };
    let ro = a.readonly();
    let values = ro.as_slice().map_err(|e| invalid(py, e.to_string()))?;
    Ok((n, values.to_vec()))
}

/// The first non-finite value of an `(n, dim)` matrix, as an error naming its
/// row by `name`.
fn check_finite(values: &[f32], dim: usize, name: &dyn Fn(usize) -> String) -> Result<(), Error> {
    match values.iter().position(|v| !v.is_finite()) {
        None => Ok(()),
        Some(p) => Err(Error::invalid(format!(
            "{} has a non-finite value ({}) in dimension {}",
            name(p / dim.max(1)),
            values[p],
            p % dim.max(1)
        ))),
    }
}

/// What the object holds behind its lock.
#[derive(Clone)]
struct State {
    /// The words and the matrix; shared with views and searches in flight, so
    /// a change copies it when anyone still holds it.
    emb: Arc<Embeddings>,
    /// Exact indexes of `emb`: (metric, rows indexed, index).
    indexes: Vec<(Metric, usize, Arc<SearchIndex>)>,
    /// Unit rows of `emb` (a zero row stays zero).
    unit: Option<Arc<Vec<f32>>>,
    /// Euclidean norms of the rows.
    norms: Option<Arc<Vec<f32>>>,
}

/// Most indexes kept at once (metrics times row ranges asked for).
const MAX_INDEXES: usize = 6;

impl State {
    fn new(emb: Embeddings) -> Self {
        State {
            emb: Arc::new(emb),
            indexes: Vec::new(),
            unit: None,
            norms: None,
        }
    }

    /// The embeddings to change: every index and cache is dropped first.
    fn change(&mut self) -> &mut Embeddings {
        self.indexes.clear();
        self.unit = None;
        self.norms = None;
        Arc::make_mut(&mut self.emb)
    }
}

/// What a numpy view of the object's data keeps alive.
#[pyclass(frozen, module = "glove_wgpu._native")]
pub struct Snapshot {
    data: SnapshotData,
}

enum SnapshotData {
    Matrix(Arc<Embeddings>),
    Values(Arc<Vec<f32>>),
}

impl Snapshot {
    fn values(&self) -> &[f32] {
        match &self.data {
            SnapshotData::Matrix(e) => e.matrix(),
            SnapshotData::Values(v) => v,
        }
    }
}

/// A read-only numpy view of `data` shaped `shape` (1-D or 2-D), kept alive by
/// its snapshot.
fn view<'py>(py: Python<'py>, data: SnapshotData, shape: &[usize]) -> PyResult<Bound<'py, PyAny>> {
    let owner = Bound::new(py, Snapshot { data })?;
    let values = owner.get().values();
    // SAFETY: the values live in an `Arc` the snapshot holds and nobody
    // changes while it is shared (a change copies first: `Arc::make_mut`); the
    // array keeps the snapshot alive as its base.
    let a = match shape {
        [n] => unsafe {
            PyArray1::borrow_from_array(&ArrayView1::from(&values[..*n]), owner.clone().into_any())
                .into_any()
        },
        [n, d] => {
            let v = ArrayView2::from_shape((*n, *d), values)
                .map_err(|e| internal(py, e.to_string()))?;
            unsafe { PyArray2::borrow_from_array(&v, owner.clone().into_any()).into_any() }
        }
        _ => return Err(internal(py, "a view is 1-D or 2-D")),
    };
    a.cast::<PyArrayDyn<f32>>()?.readwrite().make_nonwriteable();
    Ok(a)
}

/// A search's chunk: about this long, so that Ctrl-C is seen soon.
const CHUNK_TARGET: Duration = Duration::from_millis(200);
/// The first chunk's work in multiply-adds (about 0.1 s on lavapipe, under a
/// millisecond on a GPU or the CPU twin); later chunks are sized by the time
/// the previous one took.
const FIRST_CHUNK_WORK: usize = 1 << 26;

/// Word vectors with exact nearest-neighbour search on the GPU or the CPU: the
/// native half of ``glove_wgpu.Vectors``.
#[pyclass(frozen, subclass, module = "glove_wgpu._native")]
pub struct Vectors {
    /// The device the indexes live on.
    device: Device,
    /// What the caller asked for (kept for pickling).
    choice: DeviceChoice,
    /// How the indexes store the matrix.
    precision: Precision,
    state: Mutex<State>,
}

impl Vectors {
    /// Vectors for `emb` on the device `choice` resolves to (the GIL is
    /// released while it is looked for).
    pub fn build(
        py: Python<'_>,
        emb: Embeddings,
        choice: DeviceChoice,
        f16: bool,
    ) -> PyResult<Self> {
        let mut notes = Vec::new();
        let device = py.detach(|| device(choice, &mut notes));
        log_notes(py, &notes)?;
        Ok(Vectors::on(emb, device.or_raise(py)?, choice, f16))
    }

    /// Vectors for `emb` on `device`; indexes are built on first use.
    pub fn on(emb: Embeddings, device: Device, choice: DeviceChoice, f16: bool) -> Self {
        Vectors {
            device,
            choice,
            precision: if f16 { Precision::F16 } else { Precision::F32 },
            state: Mutex::new(State::new(emb)),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The embeddings as they are now (a snapshot: later changes copy).
    pub fn emb(&self) -> Arc<Embeddings> {
        self.state().emb.clone()
    }

    /// The exact index of `metric` over the first `rows` rows of the current
    /// embeddings, built on first use (call with the GIL released).
    fn index(
        &self,
        metric: Metric,
        rows: usize,
    ) -> Result<(Arc<Embeddings>, Arc<SearchIndex>), Error> {
        let emb = {
            let st = self.state();
            let rows = rows.min(st.emb.len());
            if let Some((_, _, i)) = st
                .indexes
                .iter()
                .find(|(m, r, _)| *m == metric && *r == rows)
            {
                return Ok((st.emb.clone(), i.clone()));
            }
            st.emb.clone()
        };
        let rows = rows.min(emb.len());
        let opts = SearchOptions::new(metric).precision(self.precision);
        let index = Arc::new(SearchIndex::new(
            &self.device,
            &emb.matrix()[..rows * emb.dim()],
            emb.dim(),
            &opts,
        )?);
        let mut st = self.state();
        // Kept only if the vectors did not change meanwhile.
        if Arc::ptr_eq(&st.emb, &emb) {
            if st.indexes.len() >= MAX_INDEXES {
                st.indexes.remove(0);
            }
            st.indexes.push((metric, rows, index.clone()));
        }
        Ok((emb, index))
    }

    /// The unit rows and the norms of the current embeddings, computed once.
    fn unit_and_norms(&self) -> (Arc<Embeddings>, Arc<Vec<f32>>, Arc<Vec<f32>>) {
        let emb = {
            let st = self.state();
            if let (Some(u), Some(n)) = (&st.unit, &st.norms) {
                return (st.emb.clone(), u.clone(), n.clone());
            }
            st.emb.clone()
        };
        use rayon::prelude::*;
        let dim = emb.dim().max(1);
        let mut unit = emb.matrix().to_vec();
        let norms: Vec<f32> = unit
            .par_chunks_mut(dim)
            .map(|r| {
                let s = inv_norm(r);
                r.iter_mut().for_each(|x| *x = (*x as f64 * s) as f32);
                if s > 0.0 {
                    (1.0 / s) as f32
                } else {
                    0.0
                }
            })
            .collect();
        let (unit, norms) = (Arc::new(unit), Arc::new(norms));
        let mut st = self.state();
        if Arc::ptr_eq(&st.emb, &emb) {
            st.unit = Some(unit.clone());
            st.norms = Some(norms.clone());
        }
        (emb, unit, norms)
    }

    /// The row of a key that is a word (`str`) or a row number (`int`), as
    /// gensim's `get_index`: `KeyError` when there is none.
    fn row_of(emb: &Embeddings, key: &Bound<'_, PyAny>) -> PyResult<u32> {
        let py = key.py();
        if let Ok(w) = key.cast::<PyString>() {
            return emb.require(&w.to_cow()?).or_raise(py);
        }
        match key
            .call_method0("__index__")
            .and_then(|i| i.extract::<i64>())
        {
            Ok(i) if i >= 0 && (i as usize) < emb.len() => Ok(i as u32),
            Ok(i) => Err(PyKeyError::new_err(format!(
                "Key '{i}' not present ({} rows)",
                emb.len()
            ))),
            Err(_) => Err(PyTypeError::new_err(format!(
                "a key is a word (str) or a row number (int), not {}",
                key.get_type().name()?
            ))),
        }
    }

    /// One search in chunks, checking for signals between them; `None` when
    /// one came (its exception is then set).
    fn search_chunks(
        index: &SearchIndex,
        queries: &[f32],
        dim: usize,
        k: usize,
        exclude: Option<&[Vec<u32>]>,
    ) -> Result<Result<Vec<Vec<Neighbor>>, PyErr>, Error> {
        let m = queries.len() / dim.max(1);
        let per_query = index.len().max(1) * dim.max(1);
        in_chunks(m, per_query, |start, end| {
            index.search(
                &queries[start * dim..end * dim],
                k,
                exclude.map(|e| &e[start..end]),
            )
        })
    }

    /// The device the object's indexes live on.
    pub fn device(&self) -> &Device {
        &self.device
    }
}

/// Runs `search(start, end)` over the queries `0..m` in chunks of about
/// [`CHUNK_TARGET`], checking for signals between them; `Err` when one came
/// (its exception), the hits otherwise. `per_query` is one query's work in
/// multiply-adds (it sizes the first chunk; the clock sizes the others).
pub fn in_chunks(
    m: usize,
    per_query: usize,
    mut search: impl FnMut(usize, usize) -> Result<Vec<Vec<Neighbor>>, Error>,
) -> Result<Result<Vec<Vec<Neighbor>>, PyErr>, Error> {
    let mut chunk = (FIRST_CHUNK_WORK / per_query.max(1)).clamp(8, 4096);
    let mut out = Vec::with_capacity(m);
    let mut start = 0;
    while start < m {
        let end = (start + chunk).min(m);
        let t = Instant::now();
        out.extend(search(start, end)?);
        start = end;
        if start < m {
            if let Err(e) = Python::attach(|py| py.check_signals()) {
                return Ok(Err(e));
            }
            let took = t.elapsed().as_secs_f64().max(1e-6);
            let scale = (CHUNK_TARGET.as_secs_f64() / took).clamp(0.25, 4.0);
            chunk = ((chunk as f64 * scale) as usize).max(1);
        }
    }
    Ok(Ok(out))
}

/// The rows of the queries `a` (an `(m, dim)` matrix), or an
/// `InvalidInputError` naming the shape; `owner` says whose dimension it is
/// ("the vectors have").
pub fn query_rows(
    py: Python<'_>,
    a: &Bound<'_, PyArrayDyn<f32>>,
    dim: usize,
    owner: &str,
) -> PyResult<usize> {
    match a.shape() {
        [m, d] if *d == dim => Ok(*m),
        [_, d] => Err(invalid(
            py,
            format!("queries have {d} columns, {owner} {dim} dimensions"),
        )),
        s => Err(invalid(
            py,
            format!("queries must be 1-D (one vector) or 2-D (one per row), got shape {s:?}"),
        )),
    }
}

#[pymethods]
impl Vectors {
    /// The native constructor (``glove_wgpu.Vectors`` documents it):
    /// ``words`` and an ``(n, d)`` matrix, or ``vector_size`` for none yet;
    /// ``_share`` makes a copy of another object that shares its data until
    /// either changes.
    #[new]
    #[pyo3(
        signature = (
            words = None, vectors = None, *, vector_size = None, backend = "auto".to_string(),
            f16 = false, _share = None
        ),
        text_signature = "(words=None, vectors=None, *, vector_size=None, backend='auto', f16=False, _share=None)"
    )]
    fn new(
        py: Python<'_>,
        words: Option<&Bound<'_, PyAny>>,
        vectors: Option<&Bound<'_, PyAny>>,
        vector_size: Option<i64>,
        backend: String,
        f16: bool,
        _share: Option<PyRef<'_, Vectors>>,
    ) -> PyResult<Self> {
        if let Some(other) = _share {
            let state = other.state().clone();
            return Ok(Vectors {
                device: other.device.clone(),
                choice: other.choice,
                precision: other.precision,
                state: Mutex::new(state),
            });
        }
        let choice = args::backend(&backend).or_raise(py)?;
        let size = match vector_size {
            Some(d) if d < 1 => {
                return Err(invalid(
                    py,
                    format!("vector_size must be at least 1, got {d}"),
                ))
            }
            Some(d) => Some(d as usize),
            None => None,
        };
        let emb = match (words, vectors) {
            (None, None) => {
                let dim = size.ok_or_else(|| {
                    invalid(
                        py,
                        "give words and vectors, or vector_size for an empty set",
                    )
                })?;
                Embeddings::new(Vec::new(), dim, Vec::new()).or_raise(py)?
            }
            (Some(words), Some(vectors)) => {
                if words.is_instance_of::<PyString>() {
                    return Err(PyTypeError::new_err(
                        "words must be a sequence of words, not one str",
                    ));
                }
                let words: Vec<String> = words
                    .extract()
                    .map_err(|_| PyTypeError::new_err("words must be a sequence of words (str)"))?;
                let a = float32_array(vectors)?;
                let dim = match a.shape() {
                    [n, d] if *n == words.len() && size.is_none_or(|s| s == *d) => *d,
                    s => {
                        return Err(invalid(
                            py,
                            format!(
                                "vectors must be a 2-D array with one row per word ({} words{}), got shape {s:?}",
                                words.len(),
                                size.map(|d| format!(", vector_size {d}")).unwrap_or_default()
                            ),
                        ))
                    }
                };
                let data = a
                    .readonly()
                    .as_slice()
                    .map_err(|e| invalid(py, e.to_string()))?
                    .to_vec();
                Embeddings::new(words, dim, data).or_raise(py)?
            }
            _ => return Err(invalid(py, "give both words and vectors, or neither")),
        };
        Vectors::build(py, emb, choice, f16)
    }

    /// Reads a vectors file (``glove_wgpu.Vectors.load`` documents it).
    #[staticmethod]
    #[pyo3(
        signature = (path, format = None, backend = "auto".to_string(), f16 = false),
        text_signature = "(path, format=None, backend='auto', f16=False)"
    )]
    fn load(
        py: Python<'_>,
        path: PathBuf,
        format: Option<String>,
        backend: String,
        f16: bool,
    ) -> PyResult<Self> {
        let choice = args::backend(&backend).or_raise(py)?;
        let format = format.map(|f| args::format(&f)).transpose().or_raise(py)?;
        let emb = py
            .detach(|| {
                let format = match format {
                    Some(f) => f,
                    None => Format::detect(&path)?,
                };
                let emb = io::read(&path, format)?;
                if emb.is_empty() {
                    return Err(Error::invalid(format!(
                        "{}: no vectors in it",
                        path.display()
                    )));
                }
                Ok(emb)
            })
            .or_raise(py)?;
        Vectors::build(py, emb, choice, f16)
    }

    /// Writes the vectors to ``path`` in ``format`` (default ``"glove"``).
    #[pyo3(
        signature = (path, format = "glove".to_string()),
        text_signature = "($self, path, format='glove')"
    )]
    fn save(&self, py: Python<'_>, path: PathBuf, format: String) -> PyResult<()> {
        let format = args::format(&format).or_raise(py)?;
        let emb = self.emb();
        py.detach(|| io::write(&emb, &path, format)).or_raise(py)
    }

    fn __len__(&self) -> usize {
        self.state().emb.len()
    }

    fn __repr__(&self) -> String {
        let emb = self.emb();
        format!(
            "Vectors({} words x {}, backend={:?}, precision={:?})",
            emb.len(),
            emb.dim(),
            self.backend(),
            match self.precision {
                Precision::F32 => "f32",
                Precision::F16 => "f16",
            }
        )
    }

    /// ``v[key]``: the vector of a word or a row number (a new array);
    /// ``v[[k1, k2]]``: their vectors stacked into a new ``(2, d)`` array.
    fn __getitem__<'py>(&self, key: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let py = key.py();
        let emb = self.emb();
        let is_key = key.is_instance_of::<PyString>() || key.hasattr("__index__")?;
        if is_key {
            let id = Vectors::row_of(&emb, key)?;
            let row = Array1::from(emb.vector(id).unwrap_or_default().to_vec());
            return Ok(PyArray1::from_owned_array(py, row).into_any());
        }
        let keys: Vec<Bound<'py, PyAny>> = key
            .try_iter()
            .map_err(|_| {
                PyTypeError::new_err(format!(
                    "a key is a word (str), a row number (int) or a list of them, not {}",
                    key.get_type()
                        .name()
                        .map(|n| n.to_string())
                        .unwrap_or_default()
                ))
            })?
            .collect::<PyResult<_>>()?;
        let mut out = Array2::<f32>::zeros((keys.len(), emb.dim()));
        for (mut row, k) in out.rows_mut().into_iter().zip(&keys) {
            let id = Vectors::row_of(&emb, k)?;
            row.assign(&ArrayView1::from(emb.vector(id).unwrap_or_default()));
        }
        Ok(PyArray2::from_owned_array(py, out).into_any())
    }

    /// The ``(n, d)`` float32 matrix, a read-only view (no copy) of the
    /// vectors as they are now.
    #[getter]
    fn vectors<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let emb = self.emb();
        let shape = [emb.len(), emb.dim()];
        view(py, SnapshotData::Matrix(emb), &shape)
    }

    /// The unit rows, ``(n, d)`` float32, a read-only view (computed once).
    fn _unit<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let (emb, unit, _) = py.detach(|| self.unit_and_norms());
        view(py, SnapshotData::Values(unit), &[emb.len(), emb.dim()])
    }

    /// The rows' Euclidean norms, ``(n,)`` float32, a read-only view.
    fn _norms<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let (emb, _, norms) = py.detach(|| self.unit_and_norms());
        view(py, SnapshotData::Values(norms), &[emb.len()])
    }

    /// The words in row order, a new list.
    fn _keys<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(py, self.emb().words())
    }

    /// ``(backend, f16)`` as given to the constructor (for pickling).
    fn _settings(&self) -> (&'static str, bool) {
        (self.choice.name(), self.precision == Precision::F16)
    }

    /// The dimension (gensim's ``vector_size``).
    #[getter]
    fn vector_size(&self) -> usize {
        self.state().emb.dim()
    }

    /// ``"cpu"`` or the GPU adapter's name.
    #[getter]
    fn backend(&self) -> String {
        self.device
            .adapter_name()
            .unwrap_or(self.device.name())
            .to_string()
    }

    /// Words of ids: an int gives a str, an array of ints nested lists of the
    /// same shape (e.g. the ids from ``nearest``).
    fn words<'py>(&self, ids: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let emb = self.emb();
        words_of(ids, |flat| {
            flat.iter()
                .map(|&id| {
                    u32::try_from(id)
                        .ok()
                        .and_then(|i| emb.word(i))
                        .map(str::to_string)
                        .ok_or_else(|| format!("word id {id} out of range ({} words)", emb.len()))
                })
                .collect()
        })
    }

    /// The exact search (``glove_wgpu.Vectors.nearest`` documents it): the
    /// ``k`` nearest of the first ``rows`` rows (``None``: all) for each row of
    /// the float32 ``(m, d)`` ``queries``, without the ids ``exclude[q]`` lists
    /// for query ``q``. Returns ``(ids, scores)``, ``(m, k)`` arrays, padded
    /// with id -1 and score NaN where fewer rows remain.
    #[pyo3(signature = (queries, k, metric, exclude = None, rows = None))]
    fn _search<'py>(
        &self,
        queries: &Bound<'py, PyAny>,
        k: i64,
        metric: String,
        exclude: Option<Vec<Vec<i64>>>,
        rows: Option<i64>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyAny>)> {
        let py = queries.py();
        if k < 1 {
            return Err(invalid(py, format!("k must be at least 1, got {k}")));
        }
        let metric = args::metric(&metric).or_raise(py)?;
        let a = float32_array(queries)?;
        let dim = self.vector_size();
        let m = query_rows(py, &a, dim, "the vectors have")?;
        let rows = match rows {
            Some(r) if r < 0 => {
                return Err(invalid(
                    py,
                    format!("restrict_vocab must be at least 0, got {r}"),
                ))
            }
            Some(r) => r as usize,
            None => usize::MAX,
        };
        let exclude: Option<Vec<Vec<u32>>> = match exclude {
            None => None,
            Some(e) if e.len() != m => {
                return Err(invalid(
                    py,
                    format!(
                        "exclude has {} lists for {m} queries: give one list per query",
                        e.len()
                    ),
                ))
            }
            Some(e) => Some(
                e.into_iter()
                    .map(|l| {
                        l.into_iter()
                            .filter_map(|i| u32::try_from(i).ok())
                            .collect()
                    })
                    .collect(),
            ),
        };
        let ro = a.readonly();
        let slice = ro.as_slice().map_err(|e| invalid(py, e.to_string()))?;
        let k = k as usize;
        let outcome = py.detach(|| {
            let (_, index) = self.index(metric, rows)?;
            let n = index.len();
            let kk = k.min(n);
            let hits = match Vectors::search_chunks(&index, slice, dim, kk, exclude.as_deref())? {
                Ok(h) => h,
                Err(signal) => return Ok(Err(Ok(signal))),
            };
            let mut ids = Array2::<i64>::from_elem((m, kk), -1);
            let mut scores = Array2::<f32>::from_elem((m, kk), f32::NAN);
            for (q, list) in hits.iter().enumerate() {
                let left = match &exclude {
                    None => n,
                    Some(e) => {
                        let mut gone: Vec<u32> =
                            e[q].iter().copied().filter(|&i| (i as usize) < n).collect();
                        gone.sort_unstable();
                        gone.dedup();
                        n - gone.len()
                    }
                };
                if list.len() < kk.min(left) {
                    // Every row left is a candidate: fewer hits is a library bug.
                    return Ok(Err(Err(format!(
                        "the {} search returned {} hits for query {q}, not k = {} \
                         (a bug in glove-wgpu: please report it)",
                        index.device_name(),
                        list.len(),
                        kk.min(left)
                    ))));
                }
                for (j, h) in list.iter().enumerate().take(kk) {
                    ids[(q, j)] = h.id as i64;
                    scores[(q, j)] = h.score;
                }
            }
            Ok::<_, Error>(Ok((ids, scores)))
        });
        let (ids, scores) = match outcome.or_raise(py)? {
            Ok(done) => done,
            Err(Ok(signal)) => return Err(signal),
            Err(Err(bug)) => return Err(internal(py, bug)),
        };
        Ok((
            PyArray2::from_owned_array(py, ids).into_any(),
            PyArray2::from_owned_array(py, scores).into_any(),
        ))
    }

    /// Replaces the rows ``ids`` with the rows of the ``(len(ids), d)``
    /// ``vectors``; all are checked before any changes.
    fn _set_rows(&self, ids: Vec<i64>, vectors: &Bound<'_, PyAny>) -> PyResult<()> {
        let py = vectors.py();
        let dim = self.vector_size();
        let (n, values) = matrix_values(vectors, dim, "vectors")?;
        if n != ids.len() {
            return Err(invalid(py, format!("{} vectors for {} keys", n, ids.len())));
        }
        let mut st = self.state();
        let len = st.emb.len();
        let rows: Vec<u32> = ids
            .iter()
            .map(|&i| {
                u32::try_from(i)
                    .ok()
                    .filter(|&r| (r as usize) < len)
                    .ok_or_else(|| invalid(py, format!("row {i} out of range ({len} words)")))
            })
            .collect::<PyResult<_>>()?;
        let emb = &st.emb;
        check_finite(&values, dim, &|r| {
            format!("the vector for {:?}", emb.words()[rows[r] as usize])
        })
        .or_raise(py)?;
        if rows.is_empty() {
            return Ok(());
        }
        let emb = st.change();
        for (r, v) in rows.iter().zip(values.chunks(dim.max(1))) {
            emb.set_vector(*r, v).or_raise(py)?;
        }
        Ok(())
    }

    /// Appends the new ``words`` with the rows of the ``(len(words), d)``
    /// ``vectors``; all are checked before any changes.
    fn _append(&self, words: Vec<String>, vectors: &Bound<'_, PyAny>) -> PyResult<()> {
        let py = vectors.py();
        let dim = self.vector_size();
        let (n, values) = matrix_values(vectors, dim, "vectors")?;
        if n != words.len() {
            return Err(invalid(
                py,
                format!("{} vectors for {} keys", n, words.len()),
            ));
        }
        check_finite(&values, dim, &|r| format!("the vector for {:?}", words[r])).or_raise(py)?;
        let mut st = self.state();
        let mut seen = std::collections::HashSet::new();
        for w in &words {
            if let Some(problem) = glove_wgpu::corpus::word_problem(w) {
                return Err(invalid(py, problem));
            }
            if st.emb.id(w).is_some() || !seen.insert(w.as_str()) {
                return Err(invalid(py, format!("duplicate word {w:?}")));
            }
        }
        if words.is_empty() {
            return Ok(());
        }
        let emb = st.change();
        for (w, v) in words.into_iter().zip(values.chunks(dim.max(1))) {
            emb.push(w, v).or_raise(py)?;
        }
        Ok(())
    }

    /// Replaces everything with ``words`` and the ``(n, d)`` ``vectors``.
    fn _reset(&self, words: Vec<String>, vectors: &Bound<'_, PyAny>) -> PyResult<()> {
        let py = vectors.py();
        let dim = self.vector_size();
        let (_, values) = matrix_values(vectors, dim, "vectors")?;
        let emb = Embeddings::new(words, dim, values).or_raise(py)?;
        let mut st = self.state();
        *st.change() = emb;
        Ok(())
    }
}

/// Words of integer ids, in the ids' shape: an int gives a str, an array of
/// ints nested lists of the same shape. `lookup` turns the flattened ids into
/// words, or says which id is out of range (a `ValueError`-like
/// `InvalidInputError`).
pub(crate) fn words_of<'py>(
    ids: &Bound<'py, PyAny>,
    lookup: impl FnOnce(&[i64]) -> Result<Vec<String>, String>,
) -> PyResult<Bound<'py, PyAny>> {
    let py = ids.py();
    let np = py.import("numpy")?;
    let a = np.call_method1("asarray", (ids,))?;
    let kind: String = a.getattr("dtype")?.getattr("kind")?.extract()?;
    if kind != "i" && kind != "u" {
        return Err(PyTypeError::new_err(format!(
            "ids must be integers, got an array of dtype {}",
            a.getattr("dtype")?.str()?
        )));
    }
    let shape: Vec<usize> = a.getattr("shape")?.extract()?;
    let flat: Vec<i64> = a
        .call_method1("reshape", (-1,))?
        .call_method0("tolist")?
        .extract()?;
    let words = lookup(&flat).map_err(|e| invalid(py, e))?;
    fn nest<'py>(
        py: Python<'py>,
        words: &[String],
        shape: &[usize],
    ) -> PyResult<Bound<'py, PyAny>> {
        match shape {
            [] => Ok(PyString::new(py, &words[0]).into_any()),
            [_, rest @ ..] => {
                let step = rest.iter().product::<usize>();
                let items = (0..shape[0])
                    .map(|i| nest(py, &words[i * step..(i + 1) * step], rest))
                    .collect::<PyResult<Vec<_>>>()?;
                Ok(PyList::new(py, items)?.into_any())
            }
        }
    }
    nest(py, &words, &shape)
}
