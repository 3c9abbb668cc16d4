//! `glove_wgpu._native.Index`: the native half of `glove_wgpu.Index`, the
//! IVF approximate-nearest-neighbour index of the library
//! ([`glove_wgpu::ivf::Index`]). The Python class in `glove_wgpu/_index.py`
//! derives from it and adds the gensim-style searches on top.
//!
//! The index sits behind a read-write lock: searches share it (the GIL
//! released), `add` and `remove` take it alone. Searches run in chunks and
//! check for signals between them, as the exact search of `Vectors` does
//! ([`crate::vectors::in_chunks`]); a build checks for them at every progress
//! event and sends the library's notes to the `glove_wgpu` logger.
//!
//! Ids are the index's own: a word's id is its row when the index was built
//! and stays fixed until the index is saved (removed words leave gaps; new ones
//! take the next ids). A search may also speak in the rows of a `Vectors`
//! (`rows_of`): exclusions are read as its rows and hits are returned as its
//! rows, each translated through its word.

use std::path::PathBuf;
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use glove_wgpu::ivf::{self, IndexOptions, Probe};
use glove_wgpu::names::Named;
use glove_wgpu::progress::Event;
use glove_wgpu::search::{Metric, Precision};
use glove_wgpu::{Embeddings, Error};
use numpy::ndarray::Array2;
use numpy::{PyArray2, PyArrayMethods, PyUntypedArrayMethods};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};

use crate::args;
use crate::errors::{invalid, to_py, OrRaise};
use crate::vectors::{device, float32_array, in_chunks, log_notes, query_rows, words_of, Vectors};

/// What the build's progress callback stops it with; the signal's exception is
/// raised instead.
const STOPPED: &str = "index build stopped by a signal";

/// An IVF index over words and their vectors, searched on the GPU or the CPU:
/// the native half of ``glove_wgpu.Index``.
#[pyclass(frozen, subclass, module = "glove_wgpu._native")]
pub struct Index {
    /// Shared by the objects `_share` made (the Python class adopts the one
    /// the native constructors return).
    inner: Arc<RwLock<ivf::Index>>,
    /// What never changes, read without the lock.
    fixed: Arc<Fixed>,
}

/// An index's settings, which `add` and `remove` leave alone.
struct Fixed {
    dim: usize,
    metric: Metric,
    precision: Precision,
    lists: usize,
    recall: f32,
    backend: String,
    calibration: ivf::Calibration,
}

/// A whole number at least `min`, as a `usize`, or an `InvalidInputError`
/// naming `name`.
fn at_least(py: Python<'_>, name: &str, value: i64, min: i64) -> PyResult<usize> {
    if value < min {
        return Err(invalid(
            py,
            format!("{name} must be at least {min}, got {value}"),
        ));
    }
    usize::try_from(value).map_err(|_| {
        invalid(
            py,
            format!("{name} is too large for this platform: {value}"),
        )
    })
}

/// A recall in (0, 1], or an `InvalidInputError`.
fn recall_of(py: Python<'_>, recall: f64) -> PyResult<f32> {
    if !(recall > 0.0 && recall <= 1.0) {
        return Err(invalid(
            py,
            format!("recall must be in (0, 1], got {recall}"),
        ));
    }
    Ok(recall as f32)
}

/// The probe of a search: `recall` or `nprobe` (not both), else the index's
/// default recall.
fn probe_of(py: Python<'_>, recall: Option<f64>, nprobe: Option<i64>) -> PyResult<Probe> {
    match (recall, nprobe) {
        (Some(_), Some(_)) => Err(invalid(
            py,
            "give recall or nprobe, not both (nprobe sets the lists read; recall picks them from the calibration)",
        )),
        (Some(r), None) => Ok(Probe::Recall(recall_of(py, r)?)),
        (None, Some(p)) => Ok(Probe::Lists(at_least(py, "nprobe", p, 1)?)),
        (None, None) => Ok(Probe::Default),
    }
}

/// `x` as the f64 with the same shortest decimal form.
fn decimal(x: f32) -> f64 {
    x.to_string().parse().unwrap_or(x as f64)
}

fn precision_name(p: Precision) -> &'static str {
    match p {
        Precision::F32 => "f32",
        Precision::F16 => "f16",
    }
}

impl Index {
    fn wrap(index: ivf::Index) -> Self {
        let fixed = Fixed {
            dim: index.dim(),
            metric: index.metric(),
            precision: index.precision(),
            lists: index.lists(),
            recall: index.default_recall(),
            backend: index.device_name(),
            calibration: index.calibration().clone(),
        };
        Index {
            inner: Arc::new(RwLock::new(index)),
            fixed: Arc::new(fixed),
        }
    }

    /// The index for reading (call with the GIL released: a search holds it
    /// while it waits for the GIL to check for signals).
    fn read(&self) -> RwLockReadGuard<'_, ivf::Index> {
        self.inner.read().unwrap_or_else(|p| p.into_inner())
    }

    /// `f` of the index, read with the GIL released.
    fn with<R: Send>(&self, py: Python<'_>, f: impl FnOnce(&ivf::Index) -> R + Send) -> R {
        py.detach(|| f(&self.read()))
    }

    fn write(&self) -> RwLockWriteGuard<'_, ivf::Index> {
        self.inner.write().unwrap_or_else(|p| p.into_inner())
    }
}

/// The ids of `index`, in order, with their word and whether it is live.
fn all_ids(index: &ivf::Index) -> impl Iterator<Item = (u32, &str, bool)> {
    (0u32..)
        .map_while(move |id| index.word(id).map(|w| (id, w)))
        .map(move |(id, w)| (id, w, index.id(w) == Some(id)))
}

#[pymethods]
impl Index {
    /// The native constructor: only ``_share`` (a copy of another object
    /// sharing its index); ``Vectors.build_index`` and ``Index.load`` make
    /// indexes.
    #[new]
    #[pyo3(signature = (*, _share = None), text_signature = "(*, _share=None)")]
    fn new(_share: Option<PyRef<'_, Index>>) -> PyResult<Self> {
        match _share {
            Some(other) => Ok(Index {
                inner: other.inner.clone(),
                fixed: other.fixed.clone(),
            }),
            None => Err(PyTypeError::new_err(
                "an Index is made by Vectors.build_index(...) or Index.load(path)",
            )),
        }
    }

    /// Builds an index over the words and vectors of ``vectors`` (as they are
    /// now: the index keeps its own copy). ``glove_wgpu.Vectors.build_index``
    /// documents the settings; ``backend=None`` builds and searches on the
    /// vectors' own device.
    #[staticmethod]
    #[pyo3(signature = (
        vectors, *, lists = None, recall = 0.95, f16 = false, metric = "cosine".to_string(),
        seed = 0, train_per_list = 64, iterations = 10, backend = None
    ),
    text_signature = "(vectors, *, lists=None, recall=0.95, f16=False, metric='cosine', seed=0, train_per_list=64, iterations=10, backend=None)"
    )]
    #[allow(clippy::too_many_arguments)]
    fn _build(
        py: Python<'_>,
        vectors: PyRef<'_, Vectors>,
        lists: Option<i64>,
        recall: f64,
        f16: bool,
        metric: String,
        seed: i64,
        train_per_list: i64,
        iterations: i64,
        backend: Option<String>,
    ) -> PyResult<Self> {
        // Every setting is checked, with its name, before anything runs.
        let metric = args::metric(&metric).or_raise(py)?;
        let mut opts = IndexOptions::new(metric)
            .recall(recall_of(py, recall)?)
            .seed(
                u64::try_from(seed)
                    .map_err(|_| invalid(py, format!("seed must be at least 0, got {seed}")))?,
            )
            .precision(if f16 { Precision::F16 } else { Precision::F32 });
        opts.lists = lists.map(|l| at_least(py, "lists", l, 1)).transpose()?;
        opts.train_per_list = at_least(
            py,
            "train_per_list",
            train_per_list,
            ivf::MIN_TRAIN_PER_LIST as i64,
        )?;
        opts.iterations = at_least(py, "iterations", iterations, 1)?;
        let choice = backend
            .map(|b| args::backend(&b))
            .transpose()
            .or_raise(py)?;
        let emb: Arc<Embeddings> = vectors.emb();
        if emb.is_empty() {
            return Err(invalid(py, "an index needs at least one vector"));
        }
        let own = vectors.device().clone();
        drop(vectors);
        let mut notes = Vec::new();
        let dev = py.detach(|| match choice {
            Some(c) => device(c, &mut notes),
            None => Ok(own),
        });
        log_notes(py, &notes)?;
        let dev = dev.or_raise(py)?;
        let mut raised: Option<PyErr> = None;
        let built = py.detach(|| {
            let mut on_event = |e: Event<'_>| -> Result<(), Error> {
                Python::attach(|py| -> PyResult<()> {
                    py.check_signals()?;
                    if let Event::Note(n) = e {
                        log_notes(py, &[n.to_string()])?;
                    }
                    Ok(())
                })
                .map_err(|err| {
                    raised = Some(err);
                    Error::invalid(STOPPED)
                })
            };
            ivf::Index::build(&emb, &dev, &opts, &mut on_event)
        });
        match (built, raised) {
            (Ok(index), _) => Ok(Index::wrap(index)),
            (Err(_), Some(err)) => Err(err),
            (Err(e), None) => Err(to_py(py, e)),
        }
    }

    /// Reads an index file written by ``save`` (``glove_wgpu.Index.load``
    /// documents it).
    #[staticmethod]
    #[pyo3(
        signature = (path, backend = "auto".to_string()),
        text_signature = "(path, backend='auto')"
    )]
    fn load(py: Python<'_>, path: PathBuf, backend: String) -> PyResult<Self> {
        let choice = args::backend(&backend).or_raise(py)?;
        let mut notes = Vec::new();
        let loaded = py.detach(|| {
            let dev = device(choice, &mut notes)?;
            ivf::Index::load(&path, &dev)
        });
        log_notes(py, &notes)?;
        Ok(Index::wrap(loaded.or_raise(py)?))
    }

    /// Writes the index to ``path`` atomically (without its removed words).
    fn save(&self, py: Python<'_>, path: PathBuf) -> PyResult<()> {
        py.detach(|| self.read().save(&path)).or_raise(py)
    }

    fn __len__(&self, py: Python<'_>) -> usize {
        self.with(py, |i| i.len())
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        let f = &self.fixed;
        format!(
            "Index({} words x {}, metric={:?}, precision={:?}, lists={}, backend={:?})",
            self.__len__(py),
            f.dim,
            f.metric.name(),
            precision_name(f.precision),
            f.lists,
            f.backend
        )
    }

    /// The dimension.
    #[getter]
    fn dim(&self) -> usize {
        self.fixed.dim
    }

    /// ``"cosine"``, ``"dot"`` or ``"euclidean"``.
    #[getter]
    fn metric(&self) -> &'static str {
        self.fixed.metric.name()
    }

    /// The number of lists.
    #[getter]
    fn lists(&self) -> usize {
        self.fixed.lists
    }

    /// ``"f32"`` or ``"f16"``: how the lists' rows are stored.
    #[getter]
    fn precision(&self) -> &'static str {
        precision_name(self.fixed.precision)
    }

    /// The recall a search asks for when given neither ``recall`` nor
    /// ``nprobe`` (as the decimal it was given: ``0.95``, not the f32's
    /// ``0.949999988079071``).
    #[getter]
    fn recall(&self) -> f64 {
        decimal(self.fixed.recall)
    }

    /// ``"cpu"`` or the GPU adapter's name.
    #[getter]
    fn backend(&self) -> String {
        self.fixed.backend.clone()
    }

    /// The recall table measured at build time: ``{"k", "queries",
    /// "recall"}``, ``recall[p - 1]`` the share of the ``k`` true neighbours
    /// found with ``p`` lists read.
    #[getter]
    fn calibration<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let c = &self.fixed.calibration;
        let d = PyDict::new(py);
        d.set_item("k", c.k)?;
        d.set_item("queries", c.queries)?;
        d.set_item("recall", c.recall.clone())?;
        Ok(d)
    }

    /// Live rows in each list.
    fn list_sizes(&self, py: Python<'_>) -> Vec<usize> {
        self.with(py, |i| i.list_sizes())
    }

    /// The lists a search asking for ``recall`` reads: the fewest whose
    /// calibrated recall reaches it (every list when none does).
    fn nprobe_for(&self, py: Python<'_>, recall: f64) -> PyResult<usize> {
        let r = recall_of(py, recall)?;
        Ok(self.with(py, |i| i.nprobe(Probe::Recall(r))))
    }

    /// The live words and their ids, in id order: ``(words, ids)``.
    fn _keys<'py>(&self, py: Python<'py>) -> PyResult<(Bound<'py, PyList>, Vec<u32>)> {
        let (words, ids): (Vec<String>, Vec<u32>) = self.with(py, |i| {
            all_ids(i)
                .filter(|(_, _, live)| *live)
                .map(|(id, w, _)| (w.to_string(), id))
                .unzip()
        });
        Ok((PyList::new(py, words)?, ids))
    }

    /// The stored vectors of live ids (as searches see them: unit vectors for
    /// cosine, rounded to f16 in an f16 index), a new ``(len(ids), d)`` array.
    fn _stored<'py>(&self, py: Python<'py>, ids: Vec<i64>) -> PyResult<Bound<'py, PyAny>> {
        let dim = self.fixed.dim;
        let out = self.with(py, |i| {
            let mut out = Array2::<f32>::zeros((ids.len(), dim));
            for (mut row, &id) in out.rows_mut().into_iter().zip(&ids) {
                let v = u32::try_from(id)
                    .ok()
                    .and_then(|id| i.vector(id))
                    .ok_or(id)?;
                row.iter_mut().zip(v).for_each(|(d, s)| *d = s);
            }
            Ok::<_, i64>(out)
        });
        let out = out.map_err(|id| invalid(py, format!("no live word has id {id}")))?;
        Ok(PyArray2::from_owned_array(py, out).into_any())
    }

    /// Words of ids: an int gives a str, an array of ints nested lists of the
    /// same shape (e.g. the ids from ``nearest``). Removed words keep their
    /// ids until the index is saved.
    fn words<'py>(&self, ids: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let py = ids.py();
        words_of(ids, |flat| {
            self.with(py, |i| {
                flat.iter()
                    .map(|&id| {
                        u32::try_from(id)
                            .ok()
                            .and_then(|id| i.word(id))
                            .map(str::to_string)
                            .ok_or(id)
                    })
                    .collect::<Result<Vec<String>, i64>>()
            })
            .map_err(|id| format!("word id {id} out of range"))
        })
    }

    /// The IVF search (``glove_wgpu.Index.nearest`` documents it): the ``k``
    /// nearest live words of each row of the float32 ``(m, d)`` ``queries``,
    /// reading the lists ``recall`` or ``nprobe`` picks, without the ids
    /// ``exclude[q]`` lists for query ``q``. Returns ``(ids, scores)``,
    /// ``(m, min(k, len))`` arrays, padded with id -1 and score NaN where the
    /// lists read hold fewer rows. With ``rows_of`` (a ``Vectors``), ids in and
    /// out are that object's rows, matched by word.
    #[pyo3(signature = (queries, k, exclude = None, recall = None, nprobe = None, rows_of = None))]
    fn _search<'py>(
        &self,
        queries: &Bound<'py, PyAny>,
        k: i64,
        exclude: Option<Vec<Vec<i64>>>,
        recall: Option<f64>,
        nprobe: Option<i64>,
        rows_of: Option<PyRef<'py, Vectors>>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyAny>)> {
        let py = queries.py();
        if k < 1 {
            return Err(invalid(py, format!("k must be at least 1, got {k}")));
        }
        let probe = probe_of(py, recall, nprobe)?;
        let a = float32_array(queries)?;
        let dim = self.dim();
        let m = query_rows(py, &a, dim, "the index has")?;
        if let Some(e) = &exclude {
            if e.len() != m {
                return Err(invalid(
                    py,
                    format!(
                        "exclude has {} lists for {m} queries: give one list per query",
                        e.len()
                    ),
                ));
            }
        }
        let emb = rows_of.map(|v| v.emb());
        let ro = a.readonly();
        let slice = ro.as_slice().map_err(|e| invalid(py, e.to_string()))?;
        let k = k as usize;
        let outcome = py.detach(|| {
            let index = self.read();
            // Exclusions as the index's ids.
            let exclude: Option<Vec<Vec<u32>>> = exclude.map(|e| {
                e.into_iter()
                    .map(|l| {
                        l.into_iter()
                            .filter_map(|r| u32::try_from(r).ok())
                            .filter_map(|r| match &emb {
                                None => Some(r),
                                Some(emb) => emb.word(r).and_then(|w| index.id(w)),
                            })
                            .collect()
                    })
                    .collect()
            });
            let n = index.len();
            let kk = k.min(n);
            let nprobe = index.nprobe(probe);
            let per_query = (index.lists() + nprobe * n.div_ceil(index.lists().max(1))) * dim;
            let hits = match in_chunks(m, per_query, |start, end| {
                index.search(
                    &slice[start * dim..end * dim],
                    kk,
                    probe,
                    exclude.as_deref().map(|e| &e[start..end]),
                )
            })? {
                Ok(h) => h,
                Err(signal) => return Ok(Err(signal)),
            };
            let mut ids = Array2::<i64>::from_elem((m, kk), -1);
            let mut scores = Array2::<f32>::from_elem((m, kk), f32::NAN);
            for (q, list) in hits.iter().enumerate() {
                for (j, h) in list.iter().enumerate().take(kk) {
                    ids[(q, j)] = match &emb {
                        None => h.id as i64,
                        Some(emb) => {
                            let w = index.word(h.id).unwrap_or_default();
                            match emb.id(w) {
                                Some(r) => r as i64,
                                None => {
                                    return Err(Error::invalid(format!(
                                        "the index holds the word {w:?}, which these vectors do \
                                         not: search the index itself (index.nearest) for its ids"
                                    )))
                                }
                            }
                        }
                    };
                    scores[(q, j)] = h.score;
                }
            }
            Ok::<_, Error>(Ok((ids, scores)))
        });
        // A signal's exception, else the answer.
        let (ids, scores) = outcome.or_raise(py)??;
        Ok((
            PyArray2::from_owned_array(py, ids).into_any(),
            PyArray2::from_owned_array(py, scores).into_any(),
        ))
    }

    /// Adds ``words`` with the rows of the ``(len(words), d)`` ``vectors``,
    /// each to its nearest list; all are checked before any changes (a word
    /// already in the index is an ``InvalidInputError``).
    fn add(&self, words: &Bound<'_, PyAny>, vectors: &Bound<'_, PyAny>) -> PyResult<()> {
        let py = vectors.py();
        if words.is_instance_of::<PyString>() {
            return Err(PyTypeError::new_err(
                "words must be a sequence of words, not one str (add([word], [vector]))",
            ));
        }
        let words: Vec<String> = words
            .extract()
            .map_err(|_| PyTypeError::new_err("words must be a sequence of words (str)"))?;
        let dim = self.dim();
        let a = float32_array(vectors)?;
        let n = match a.shape() {
            [n, d] if *d == dim && *n == words.len() => *n,
            [0] if words.is_empty() => 0,
            s => {
                return Err(invalid(
                    py,
                    format!(
                        "{} words need an ({}, {dim}) array of vectors (the index has {dim} dimensions), got shape {s:?}",
                        words.len(),
                        words.len()
                    ),
                ))
            }
        };
        let values = a
            .readonly()
            .as_slice()
            .map_err(|e| invalid(py, e.to_string()))?[..n * dim]
            .to_vec();
        py.detach(|| self.write().add(&words, &values)).or_raise(py)
    }

    /// Removes ``words`` (a word or a sequence of them): searches skip them at
    /// once, ``save`` drops them. An unknown word is an ``UnknownWordError``
    /// and nothing is removed.
    fn remove(&self, words: &Bound<'_, PyAny>) -> PyResult<()> {
        let py = words.py();
        let words: Vec<String> = if let Ok(w) = words.cast::<PyString>() {
            vec![w.to_cow()?.into_owned()]
        } else {
            words
                .extract()
                .map_err(|_| PyTypeError::new_err("words must be a word or a sequence of words"))?
        };
        let words: Vec<&str> = words.iter().map(String::as_str).collect();
        py.detach(|| self.write().remove(&words)).or_raise(py)
    }
}

/// The defaults of ``Vectors.build_index`` as the library has them (the
/// command line's), checked against the Python signature by the tests.
pub fn defaults(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let o = IndexOptions::new(Metric::Cosine);
    let d = PyDict::new(py);
    d.set_item("lists", o.lists)?;
    d.set_item(
        "recall",
        o.recall.to_string().parse::<f64>().unwrap_or(0.95),
    )?;
    d.set_item("f16", o.precision == Precision::F16)?;
    d.set_item("metric", o.metric.name())?;
    d.set_item("seed", o.seed)?;
    d.set_item("train_per_list", o.train_per_list)?;
    d.set_item("iterations", o.iterations)?;
    d.set_item("backend", None::<&str>)?;
    Ok(d)
}
