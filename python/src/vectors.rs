//! `glove_wgpu.Vectors`: word vectors with a search index, shaped after gensim's
//! `KeyedVectors`.
//!
//! The object owns a [`WordIndex`] (the embeddings and their cosine index, on the
//! GPU or the CPU) and builds the dot and Euclidean indexes the first time
//! `nearest` asks for them. Numpy crosses without copies where the layout
//! allows: `vectors` and `v[word]` are read-only views of the matrix kept alive
//! by the object, C-contiguous float32 queries are read in place, and results
//! are handed to numpy as the vectors they were computed in. Every call that
//! reads a file or searches releases the GIL.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use glove_wgpu::eval::{self, AnalogyQuestions, WordPairs, ANALOGY_BATCH};
use glove_wgpu::io::{self, Format};
use glove_wgpu::progress::Event;
use glove_wgpu::search::{Metric, Precision, SearchIndex, SearchOptions};
use glove_wgpu::similarity::{WordIndex, WordScore};
use glove_wgpu::{Device, DeviceChoice, Embeddings, Error};
use numpy::ndarray::{Array2, ArrayView1, ArrayView2};
use numpy::{PyArray1, PyArray2, PyArrayDyn, PyArrayMethods, PyUntypedArrayMethods};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString, PyTuple};

use crate::args;
use crate::errors::{internal, invalid, OrRaise};

/// Word vectors with exact nearest-neighbour search on the GPU or the CPU.
///
/// Build one from words and a matrix (``Vectors(words, matrix)``), read one from
/// a file (``Vectors.load(path)``), or train one (``glove_wgpu.fit``).
#[pyclass(frozen, module = "glove_wgpu")]
pub struct Vectors {
    /// The embeddings and their cosine index.
    index: WordIndex,
    /// The device the indexes live on.
    device: Device,
    /// How the indexes store the matrix.
    precision: Precision,
    /// The dot and Euclidean indexes, built when first asked for.
    others: Mutex<Vec<(Metric, Arc<SearchIndex>)>>,
}

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
    let d = choice.resolve(&mut |e| {
        if let Event::Note(n) = e {
            notes.push(n.to_string());
        }
        Ok(())
    })?;
    cache.push((choice, d.clone()));
    Ok(d)
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
/// already (or is a CPU tensor or another array of that layout, through
/// `__array__` or DLPack). Other dtypes and layouts are converted.
fn float32_array<'py>(obj: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyArrayDyn<f32>>> {
    if let Ok(a) = obj.cast::<PyArrayDyn<f32>>() {
        if a.is_c_contiguous() {
            return Ok(a.clone());
        }
    }
    let py = obj.py();
    let np = py.import("numpy")?;
    let mut x = obj.clone();
    if !x.is_instance(&np.getattr("ndarray")?)? && x.hasattr("__dlpack__")? {
        // A DLPack producer that numpy cannot take (a tensor on a GPU) goes on
        // to asarray, whose error says what to do (e.g. call .cpu()).
        if let Ok(y) = np.call_method1("from_dlpack", (&x,)) {
            x = y;
        }
    }
    let float32 = np.getattr("float32")?;
    let kwargs = PyDict::new(py);
    kwargs.set_item("dtype", float32)?;
    let a = np.call_method("ascontiguousarray", (x,), Some(&kwargs))?;
    Ok(a.cast_into::<PyArrayDyn<f32>>()?)
}

/// A list of words from `None`, one string, or a sequence of strings.
fn word_list(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<String>> {
    match obj {
        None => Ok(Vec::new()),
        Some(o) if o.is_none() => Ok(Vec::new()),
        Some(o) => match o.cast::<PyString>() {
            Ok(s) => Ok(vec![s.to_string()]),
            Err(_) => o
                .extract::<Vec<String>>()
                .map_err(|_| PyTypeError::new_err("expected a word or a sequence of words (str)")),
        },
    }
}

/// A count argument (`k`, `topn`) that must be at least 1.
fn count(py: Python<'_>, name: &str, value: i64) -> PyResult<usize> {
    if value < 1 {
        return Err(invalid(
            py,
            format!("{name} must be at least 1, got {value}"),
        ));
    }
    Ok(value as usize)
}

/// gensim's `evaluate_word_pairs` result: `((pearson, p), (spearman, p), oov %)`.
type PairScores = ((f64, f64), (f64, f64), f64);

/// `[(word, score), ...]` as gensim returns them.
fn pairs(hits: Vec<WordScore>) -> Vec<(String, f32)> {
    hits.into_iter().map(|h| (h.word, h.score)).collect()
}

impl Vectors {
    /// Indexes `emb` on the device `choice` resolves to (the GIL is released).
    pub fn build(
        py: Python<'_>,
        emb: Embeddings,
        choice: DeviceChoice,
        f16: bool,
    ) -> PyResult<Self> {
        let mut notes = Vec::new();
        let device = py.detach(|| device(choice, &mut notes));
        log_notes(py, &notes)?;
        Vectors::on(py, emb, device.or_raise(py)?, f16)
    }

    /// Indexes `emb` on `device` (the GIL is released).
    pub fn on(py: Python<'_>, emb: Embeddings, device: Device, f16: bool) -> PyResult<Self> {
        let precision = if f16 { Precision::F16 } else { Precision::F32 };
        let opts = SearchOptions::new(Metric::Cosine).precision(precision);
        let index = py
            .detach(|| WordIndex::new(emb, &device, &opts))
            .or_raise(py)?;
        Ok(Vectors {
            index,
            device,
            precision,
            others: Mutex::new(Vec::new()),
        })
    }

    fn emb(&self) -> &Embeddings {
        self.index.embeddings()
    }

    /// The index for `metric` other than cosine, built on first use. Call with
    /// the GIL released.
    fn other_index(&self, metric: Metric) -> Result<Arc<SearchIndex>, Error> {
        let mut others = self.others.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((_, i)) = others.iter().find(|(m, _)| *m == metric) {
            return Ok(i.clone());
        }
        let emb = self.emb();
        let opts = SearchOptions::new(metric).precision(self.precision);
        let index = Arc::new(SearchIndex::new(
            &self.device,
            emb.matrix(),
            emb.dim(),
            &opts,
        )?);
        others.push((metric, index.clone()));
        Ok(index)
    }

    /// `obj` as float32 queries of this dimension: the array, its rows, and
    /// whether it was one vector (1-D).
    fn queries<'py>(
        &self,
        obj: &Bound<'py, PyAny>,
    ) -> PyResult<(Bound<'py, PyArrayDyn<f32>>, usize, bool)> {
        let py = obj.py();
        let a = float32_array(obj)?;
        let dim = self.emb().dim();
        let (m, d, single) = match a.shape() {
            [d] => (1, *d, true),
            [m, d] => (*m, *d, false),
            s => {
                return Err(invalid(
                    py,
                    format!(
                        "queries must be 1-D (one vector) or 2-D (one per row), got shape {s:?}"
                    ),
                ))
            }
        };
        if d != dim {
            return Err(invalid(
                py,
                format!("queries have {d} columns, the vectors have {dim} dimensions"),
            ));
        }
        Ok((a, m, single))
    }

    /// The word of `id`, or an `InvalidInputError` naming it.
    fn word_of(&self, py: Python<'_>, id: i64) -> PyResult<&str> {
        u32::try_from(id)
            .ok()
            .and_then(|i| self.emb().word(i))
            .ok_or_else(|| {
                invalid(
                    py,
                    format!("word id {id} out of range ({} words)", self.emb().len()),
                )
            })
    }
}

#[pymethods]
impl Vectors {
    /// Vectors from a list of words and an ``(n, d)`` matrix (any array-like,
    /// copied into the object), indexed on ``backend`` (``"auto"``, ``"gpu"``,
    /// ``"cpu"``), in half precision when ``f16``.
    #[new]
    #[pyo3(
        signature = (words, vectors, *, backend = "auto".to_string(), f16 = false),
        text_signature = "(words, vectors, *, backend='auto', f16=False)"
    )]
    fn new(
        py: Python<'_>,
        words: Vec<String>,
        vectors: &Bound<'_, PyAny>,
        backend: String,
        f16: bool,
    ) -> PyResult<Self> {
        let choice = args::backend(&backend).or_raise(py)?;
        let a = float32_array(vectors)?;
        let dim = match a.shape() {
            [n, d] if *n == words.len() => *d,
            s => {
                return Err(invalid(
                    py,
                    format!(
                    "vectors must be a 2-D array with one row per word ({} words), got shape {s:?}",
                    words.len()
                ),
                ))
            }
        };
        let data = a
            .readonly()
            .as_slice()
            .map_err(|e| invalid(py, e.to_string()))?
            .to_vec();
        let emb = Embeddings::new(words, dim, data).or_raise(py)?;
        Vectors::build(py, emb, choice, f16)
    }

    /// Reads vectors from ``path`` in ``format`` (``"glove"``, ``"word2vec"``,
    /// ``"word2vec-bin"``, ``"fasttext"``; ``None`` detects it), indexed on
    /// ``backend``, in half precision when ``f16``.
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
                io::read(&path, format)
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
        py.detach(|| io::write(self.emb(), &path, format))
            .or_raise(py)
    }

    fn __len__(&self) -> usize {
        self.emb().len()
    }

    fn __contains__(&self, word: &Bound<'_, PyAny>) -> bool {
        word.extract::<String>()
            .is_ok_and(|w| self.emb().id(&w).is_some())
    }

    fn __repr__(&self) -> String {
        format!(
            "Vectors({} words x {}, backend={:?}, precision={:?})",
            self.emb().len(),
            self.emb().dim(),
            self.index.index().device_name(),
            match self.precision {
                Precision::F32 => "f32",
                Precision::F16 => "f16",
            }
        )
    }

    /// ``v[word]``: the word's vector, a read-only view of the matrix;
    /// ``v[[w1, w2]]``: their vectors stacked into a new ``(2, d)`` array.
    fn __getitem__<'py>(
        slf: &Bound<'py, Self>,
        key: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let this = slf.get();
        let emb = this.emb();
        if let Ok(w) = key.cast::<PyString>() {
            let w = w.to_string();
            let id = emb.require(&w).or_raise(py)?;
            let row = emb.vector(id).unwrap_or_default();
            // SAFETY: the row lies in the matrix the object owns and never
            // changes or reallocates (the class is frozen); the array keeps the
            // object alive as its base.
            let a = unsafe {
                PyArray1::borrow_from_array(&ArrayView1::from(row), slf.clone().into_any())
            };
            let _ = a.readwrite().make_nonwriteable();
            return Ok(a.into_any());
        }
        let words = word_list(Some(key))?;
        let mut out = Array2::<f32>::zeros((words.len(), emb.dim()));
        for (mut row, w) in out.rows_mut().into_iter().zip(&words) {
            let id = emb.require(w).or_raise(py)?;
            row.assign(&ArrayView1::from(emb.vector(id).unwrap_or_default()));
        }
        Ok(PyArray2::from_owned_array(py, out).into_any())
    }

    /// The ``(n, d)`` float32 matrix, a read-only view (no copy).
    #[getter]
    fn vectors<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyArray2<f32>>> {
        let emb = slf.get().emb();
        let view = ArrayView2::from_shape((emb.len(), emb.dim()), emb.matrix())
            .map_err(|e| invalid(slf.py(), e.to_string()))?;
        // SAFETY: as in `__getitem__`: the object owns the matrix, never changes
        // it, and stays alive as the array's base.
        let a = unsafe { PyArray2::borrow_from_array(&view, slf.clone().into_any()) };
        let _ = a.readwrite().make_nonwriteable();
        Ok(a)
    }

    /// The words, row order (gensim's ``index_to_key``).
    #[getter]
    fn index_to_key(&self) -> Vec<String> {
        self.emb().words().to_vec()
    }

    /// Word to row (gensim's ``key_to_index``).
    #[getter]
    fn key_to_index(&self) -> HashMap<String, u32> {
        self.emb()
            .words()
            .iter()
            .enumerate()
            .map(|(i, w)| (w.clone(), i as u32))
            .collect()
    }

    /// The dimension (gensim's ``vector_size``).
    #[getter]
    fn vector_size(&self) -> usize {
        self.emb().dim()
    }

    /// ``"cpu"`` or the GPU adapter's name.
    #[getter]
    fn backend(&self) -> String {
        self.index.index().device_name()
    }

    /// The row of ``word``; ``KeyError`` if unknown.
    fn get_index(&self, py: Python<'_>, word: String) -> PyResult<u32> {
        self.emb().require(&word).or_raise(py)
    }

    /// Words of ids: an int gives a str, an array of ints nested lists of the
    /// same shape (e.g. the ids from ``nearest``).
    fn words<'py>(&self, ids: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
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
        let words = flat
            .iter()
            .map(|&id| self.word_of(py, id))
            .collect::<PyResult<Vec<&str>>>()?;
        fn nest<'py>(
            py: Python<'py>,
            words: &[&str],
            shape: &[usize],
        ) -> PyResult<Bound<'py, PyAny>> {
            match shape {
                [] => Ok(PyString::new(py, words[0]).into_any()),
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

    /// Reverse lookup in bulk: the ``k`` nearest rows of each query row.
    ///
    /// ``queries`` is an ``(m, d)`` float32 array (or a ``(d,)`` vector; any
    /// array-like, tensors on the CPU included); returns ``(ids, scores)``,
    /// ``(m, k)`` arrays of int64 and float32 (``(k,)`` for one vector), best
    /// first, ties to the lower id. Scores are similarities for ``"cosine"`` and
    /// ``"dot"`` and distances for ``"euclidean"``. ``k`` larger than the
    /// vocabulary gives every row.
    #[pyo3(
        signature = (queries, k = 1, metric = "cosine".to_string()),
        text_signature = "($self, queries, k=1, metric='cosine')"
    )]
    fn nearest<'py>(
        &self,
        queries: &Bound<'py, PyAny>,
        k: i64,
        metric: String,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyAny>)> {
        let py = queries.py();
        let k = count(py, "k", k)?;
        let metric = args::metric(&metric).or_raise(py)?;
        let (a, m, single) = self.queries(queries)?;
        let ro = a.readonly();
        let slice = ro.as_slice().map_err(|e| invalid(py, e.to_string()))?;
        let kk = k.min(self.emb().len());
        let (ids, scores) = py
            .detach(|| {
                let other;
                let index = if metric == Metric::Cosine {
                    self.index.index()
                } else {
                    other = self.other_index(metric)?;
                    &*other
                };
                let hits = index.search(slice, kk, None)?;
                let mut ids = Array2::<i64>::zeros((m, kk));
                let mut scores = Array2::<f32>::zeros((m, kk));
                for (q, list) in hits.iter().enumerate() {
                    if list.len() != kk {
                        // Every row is a candidate: fewer hits is a library bug.
                        return Ok(Err(format!(
                            "the {} search returned {} hits for query {q}, not k = {kk} \
                             (a bug in glove-wgpu: please report it)",
                            index.device_name(),
                            list.len()
                        )));
                    }
                    for (j, h) in list.iter().enumerate() {
                        ids[(q, j)] = h.id as i64;
                        scores[(q, j)] = h.score;
                    }
                }
                Ok::<_, Error>(Ok((ids, scores)))
            })
            .or_raise(py)?
            .map_err(|bug| internal(py, bug))?;
        let (ids, scores) = (
            PyArray2::from_owned_array(py, ids).into_any(),
            PyArray2::from_owned_array(py, scores).into_any(),
        );
        if single {
            return Ok((
                ids.call_method1("reshape", (-1,))?,
                scores.call_method1("reshape", (-1,))?,
            ));
        }
        Ok((ids, scores))
    }

    /// The ``topn`` words nearest (cosine) to the sum of the unit vectors of
    /// ``positive`` minus those of ``negative``, the input words excluded, as
    /// ``[(word, similarity), ...]`` (gensim's ``most_similar``). ``positive``
    /// and ``negative`` are a word or a list of words.
    #[pyo3(signature = (positive = None, negative = None, topn = 10))]
    fn most_similar(
        &self,
        py: Python<'_>,
        positive: Option<&Bound<'_, PyAny>>,
        negative: Option<&Bound<'_, PyAny>>,
        topn: i64,
    ) -> PyResult<Vec<(String, f32)>> {
        let topn = count(py, "topn", topn)?;
        let (pos, neg) = (word_list(positive)?, word_list(negative)?);
        let pos: Vec<&str> = pos.iter().map(String::as_str).collect();
        let neg: Vec<&str> = neg.iter().map(String::as_str).collect();
        let hits = py
            .detach(|| self.index.most_similar(&pos, &neg, topn))
            .or_raise(py)?;
        Ok(pairs(hits))
    }

    /// ``most_similar([word], topn=topn)``.
    #[pyo3(signature = (word, topn = 10))]
    fn similar_by_word(
        &self,
        py: Python<'_>,
        word: String,
        topn: i64,
    ) -> PyResult<Vec<(String, f32)>> {
        let topn = count(py, "topn", topn)?;
        let hits = py
            .detach(|| self.index.most_similar(&[&word], &[], topn))
            .or_raise(py)?;
        Ok(pairs(hits))
    }

    /// The ``topn`` words nearest (cosine) to ``vector`` (a ``(d,)`` array-like),
    /// as ``[(word, similarity), ...]``; nothing is excluded.
    #[pyo3(signature = (vector, topn = 10))]
    fn similar_by_vector(
        &self,
        vector: &Bound<'_, PyAny>,
        topn: i64,
    ) -> PyResult<Vec<(String, f32)>> {
        let py = vector.py();
        let topn = count(py, "topn", topn)?;
        let (a, m, _) = self.queries(vector)?;
        if m != 1 {
            return Err(invalid(py, format!("expected one vector, got {m} rows")));
        }
        let ro = a.readonly();
        let slice = ro.as_slice().map_err(|e| invalid(py, e.to_string()))?;
        let mut hits = py.detach(|| self.index.nearest(slice, topn)).or_raise(py)?;
        Ok(pairs(hits.pop().unwrap_or_default()))
    }

    /// ``a : b :: c : ?``: the ``topn`` best answers as ``[(word, score), ...]``,
    /// ``a``, ``b`` and ``c`` excluded, by ``method`` ``"add"`` (3CosAdd, nearest
    /// to ``b - a + c``) or ``"mul"`` (3CosMul).
    #[pyo3(
        signature = (a, b, c, topn = 1, method = "add".to_string()),
        text_signature = "($self, a, b, c, topn=1, method='add')"
    )]
    fn analogy(
        &self,
        py: Python<'_>,
        a: String,
        b: String,
        c: String,
        topn: i64,
        method: String,
    ) -> PyResult<Vec<(String, f32)>> {
        let topn = count(py, "topn", topn)?;
        let method = args::analogy_method(&method).or_raise(py)?;
        let hits = py
            .detach(|| self.index.analogy(&a, &b, &c, topn, method))
            .or_raise(py)?;
        Ok(pairs(hits))
    }

    /// Google analogy questions (``questions-words.txt``) answered by 3CosAdd,
    /// gensim's result shape: ``(accuracy, sections)``, each section a dict with
    /// ``"section"``, ``"correct"`` and ``"incorrect"`` (lists of 4-tuples of the
    /// covered questions), the last one ``"Total accuracy"``. Questions with a
    /// word out of the vocabulary are left out; words are lower-cased unless
    /// ``case_insensitive`` is false.
    #[pyo3(signature = (analogies, case_insensitive = true))]
    fn evaluate_word_analogies<'py>(
        &self,
        py: Python<'py>,
        analogies: PathBuf,
        case_insensitive: bool,
    ) -> PyResult<(f64, Bound<'py, PyList>)> {
        type Answered = Vec<(usize, [String; 4], bool)>;
        let (sections, answered) = py
            .detach(|| {
                let q = AnalogyQuestions::read(&analogies, !case_insensitive)?;
                let emb = self.emb();
                let covered: Vec<(usize, &[String; 4], [u32; 3], u32)> = q
                    .questions
                    .iter()
                    .filter_map(|(s, w)| {
                        let ids: Option<Vec<u32>> = w.iter().map(|x| emb.id(x)).collect();
                        ids.map(|i| (*s, w, [i[0], i[1], i[2]], i[3]))
                    })
                    .collect();
                let mut out: Answered = Vec::with_capacity(covered.len());
                for batch in covered.chunks(ANALOGY_BATCH) {
                    let qs: Vec<[u32; 3]> = batch.iter().map(|c| c.2).collect();
                    let hits = self.index.analogies(&qs, 1)?;
                    for ((s, words, _, want), h) in batch.iter().zip(&hits) {
                        let right = h.first().map(|n| n.id) == Some(*want);
                        out.push((*s, (*words).clone(), right));
                    }
                }
                Ok::<_, Error>((q.sections, out))
            })
            .or_raise(py)?;
        let result = PyList::empty(py);
        let section =
            |name: &str, filter: &dyn Fn(usize) -> bool| -> PyResult<Bound<'py, PyDict>> {
                let (correct, incorrect) = (PyList::empty(py), PyList::empty(py));
                for (s, w, right) in &answered {
                    if filter(*s) {
                        let t = PyTuple::new(py, w.iter())?;
                        if *right {
                            correct.append(t)?
                        } else {
                            incorrect.append(t)?
                        }
                    }
                }
                let d = PyDict::new(py);
                d.set_item("section", name)?;
                d.set_item("correct", correct)?;
                d.set_item("incorrect", incorrect)?;
                Ok(d)
            };
        for (i, name) in sections.iter().enumerate() {
            result.append(section(name, &|s| s == i)?)?;
        }
        result.append(section("Total accuracy", &|_| true)?)?;
        let right = answered.iter().filter(|a| a.2).count();
        let score = if answered.is_empty() {
            0.0
        } else {
            right as f64 / answered.len() as f64
        };
        Ok((score, result))
    }

    /// Word-pair similarity (WordSim-353 ``.tsv``: ``word1 word2 score`` lines,
    /// ``#`` comments), gensim's result shape: ``((pearson, pvalue), (spearman,
    /// pvalue), oov_ratio)``, correlations between the human scores and the
    /// cosine similarities of the covered pairs, the out-of-vocabulary ratio in
    /// percent. p-values are not computed (``nan``).
    #[pyo3(signature = (pairs, case_insensitive = true))]
    fn evaluate_word_pairs(
        &self,
        py: Python<'_>,
        pairs: PathBuf,
        case_insensitive: bool,
    ) -> PyResult<PairScores> {
        let report = py
            .detach(|| {
                let p = WordPairs::read(&pairs, !case_insensitive)?;
                Ok::<_, Error>(eval::word_pairs(self.emb(), &p))
            })
            .or_raise(py)?;
        let oov = if report.total == 0 {
            0.0
        } else {
            100.0 * (report.total - report.covered) as f64 / report.total as f64
        };
        Ok(((report.pearson.unwrap_or(f64::NAN), f64::NAN), (report.spearman.unwrap_or(f64::NAN), f64::NAN), oov))
    }
}
