//! `glove_wgpu.fit`: the library's pipeline ([`glove_wgpu::fit`]) in one call,
//! with the command line's defaults (both take them from [`FitConfig::default`]).

use std::path::PathBuf;

use glove_wgpu::names::Named;
use glove_wgpu::pipeline::FitConfig;
use glove_wgpu::progress::Event;
use glove_wgpu::Error;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::args;
use crate::errors::{to_py, OrRaise};
use crate::vectors::{device, log_notes, Vectors};

/// `FIT_DEFAULTS`: every setting of `fit` left at `None`, with the value it
/// takes (the command line's defaults).
pub fn defaults(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let c = FitConfig::default();
    let (t, u) = (&c.train, &c.train.config);
    let d = PyDict::new(py);
    d.set_item("dim", u.dim)?;
    d.set_item("epochs", u.epochs)?;
    d.set_item("min_count", c.vocab.min_count)?;
    d.set_item("max_vocab", c.vocab.max_vocab)?;
    d.set_item("window", c.cooccur.window)?;
    d.set_item("symmetric", c.cooccur.symmetric)?;
    d.set_item("distance_weighting", c.cooccur.distance_weighting)?;
    d.set_item("x_max", decimal(u.x_max))?;
    d.set_item("alpha", decimal(u.alpha))?;
    d.set_item("eta", decimal(u.eta))?;
    d.set_item("clip", decimal(u.clip))?;
    d.set_item("seed", u.seed)?;
    d.set_item("batch_size", t.batch_size)?;
    d.set_item("row_cap", u.row_cap)?;
    d.set_item("backend", t.device.name())?;
    d.set_item("cpu_trainer", t.cpu_trainer.name())?;
    d.set_item("threads", t.threads)?;
    d.set_item("save", t.save.name())?;
    d.set_item("memory_mb", c.cooccur.memory_bytes >> 20)?;
    d.set_item("gpu_memory_mb", t.gpu_memory_bytes >> 20)?;
    Ok(d)
}

/// `x` as the f64 with the same shortest decimal form (`0.05`, not the f32's
/// `0.05000000074505806`).
fn decimal(x: f32) -> f64 {
    x.to_string().parse().unwrap_or(x as f64)
}

/// What the progress callback stops a run with; the callback's own exception is
/// raised instead.
const STOPPED: &str = "stopped by the progress callback";

/// A whole-number setting as the library's type: `None` stays `None`; below
/// `min`, or too large for the type, is an `InvalidInputError` naming it.
fn setting<T: TryFrom<i64>>(
    py: Python<'_>,
    name: &str,
    value: Option<i64>,
    min: i64,
) -> PyResult<Option<T>> {
    let Some(v) = value else { return Ok(None) };
    if v < min {
        return Err(to_py(
            py,
            Error::invalid(format!("{name} must be at least {min}, got {v}")),
        ));
    }
    T::try_from(v).map(Some).map_err(|_| {
        to_py(
            py,
            Error::invalid(format!(
                "{name} must be at most the platform's limit, got {v}"
            )),
        )
    })
}

/// The native half of ``glove_wgpu.fit`` (its Python wrapper documents the
/// settings and their defaults): ``(vectors, report)``, the vectors a
/// ``glove_wgpu._native.Vectors``.
#[pyfunction]
#[pyo3(signature = (
    corpus, *, dim = None, epochs = None, min_count = None, max_vocab = None, window = None,
    symmetric = None, distance_weighting = None, x_max = None, alpha = None, eta = None,
    clip = None, seed = None, batch_size = None, row_cap = None, backend = None,
    cpu_trainer = None, threads = None, save = None, memory_mb = None, gpu_memory_mb = None,
    work_dir = None, temp_dir = None, checkpoint_dir = None, resume = false, progress = None,
    verbose = false, f16 = false,
))]
#[allow(clippy::too_many_arguments)]
pub fn fit(
    py: Python<'_>,
    corpus: PathBuf,
    dim: Option<i64>,
    epochs: Option<i64>,
    min_count: Option<i64>,
    max_vocab: Option<i64>,
    window: Option<i64>,
    symmetric: Option<bool>,
    distance_weighting: Option<bool>,
    x_max: Option<f32>,
    alpha: Option<f32>,
    eta: Option<f32>,
    clip: Option<f32>,
    seed: Option<i64>,
    batch_size: Option<i64>,
    row_cap: Option<i64>,
    backend: Option<String>,
    cpu_trainer: Option<String>,
    threads: Option<i64>,
    save: Option<String>,
    memory_mb: Option<i64>,
    gpu_memory_mb: Option<i64>,
    work_dir: Option<PathBuf>,
    temp_dir: Option<PathBuf>,
    checkpoint_dir: Option<PathBuf>,
    resume: bool,
    progress: Option<Py<PyAny>>,
    verbose: bool,
    f16: bool,
) -> PyResult<(Vectors, Py<PyAny>)> {
    // Every setting is checked, with its name, before the corpus is opened.
    let dim: Option<usize> = setting(py, "dim", dim, 1)?;
    let epochs: Option<u32> = setting(py, "epochs", epochs, 1)?;
    let min_count: Option<u64> = setting(py, "min_count", min_count, 0)?;
    let max_vocab: Option<usize> = setting(py, "max_vocab", max_vocab, 1)?;
    let window: Option<usize> = setting(py, "window", window, 1)?;
    let seed: Option<u64> = setting(py, "seed", seed, 0)?;
    let batch_size: Option<usize> = setting(py, "batch_size", batch_size, 1)?;
    let row_cap: Option<u32> = setting(py, "row_cap", row_cap, 0)?;
    let threads: Option<usize> = setting(py, "threads", threads, 0)?;
    let memory_mb: Option<usize> = setting(py, "memory_mb", memory_mb, 0)?;
    let gpu_memory_mb: Option<u64> = setting(py, "gpu_memory_mb", gpu_memory_mb, 0)?;
    for (name, v) in [
        ("x_max", x_max),
        ("alpha", alpha),
        ("eta", eta),
        ("clip", clip),
    ] {
        if let Some(v) = v.filter(|v| !(v.is_finite() && *v > 0.0)) {
            return Err(to_py(
                py,
                Error::invalid(format!("{name} must be a positive number, got {v}")),
            ));
        }
    }

    // The flags onto the library's settings, once.
    let mut cfg = FitConfig::default();
    let u = &mut cfg.train.config;
    u.dim = dim.unwrap_or(u.dim);
    u.epochs = epochs.unwrap_or(u.epochs);
    u.x_max = x_max.unwrap_or(u.x_max);
    u.alpha = alpha.unwrap_or(u.alpha);
    u.eta = eta.unwrap_or(u.eta);
    u.clip = clip.unwrap_or(u.clip);
    u.seed = seed.unwrap_or(u.seed);
    u.row_cap = row_cap.unwrap_or(u.row_cap);
    let t = &mut cfg.train;
    t.batch_size = batch_size.or(t.batch_size);
    if let Some(b) = backend {
        t.device = args::backend(&b).or_raise(py)?;
    }
    if let Some(c) = cpu_trainer {
        t.cpu_trainer = args::cpu_trainer(&c).or_raise(py)?;
    }
    if let Some(s) = save {
        t.save = args::save_mode(&s).or_raise(py)?;
    }
    t.checkpoint_dir = checkpoint_dir;
    t.resume = resume;
    if let Some(mb) = gpu_memory_mb {
        t.gpu_memory_bytes = mb.checked_mul(1 << 20).ok_or_else(|| {
            to_py(
                py,
                Error::invalid(format!("gpu_memory_mb {mb} is too large")),
            )
        })?;
    }
    if let Some(n) = threads {
        (t.threads, cfg.vocab.threads, cfg.cooccur.threads) = (n, n, n);
    }
    let v = &mut cfg.vocab;
    v.min_count = min_count.unwrap_or(v.min_count);
    v.max_vocab = max_vocab.or(v.max_vocab);
    let o = &mut cfg.cooccur;
    o.window = window.unwrap_or(o.window);
    o.symmetric = symmetric.unwrap_or(o.symmetric);
    o.distance_weighting = distance_weighting.unwrap_or(o.distance_weighting);
    if let Some(mb) = memory_mb {
        o.memory_bytes = mb
            .checked_mul(1 << 20)
            .ok_or_else(|| to_py(py, Error::invalid(format!("memory_mb {mb} is too large"))))?;
    }
    cfg.work_dir = work_dir;
    cfg.temp_parent = temp_dir;
    let min_count = cfg.vocab.min_count;

    // Resolved once, on the process's device for this choice: training and the
    // returned vectors' index share it.
    let mut notes = Vec::new();
    let choice = cfg.train.device;
    let setup = py.detach(|| {
        let device = device(choice, &mut notes)?;
        cfg.resolve_on(device)
    });
    log_notes(py, &notes)?;
    let setup = setup.or_raise(py)?;
    if corpus.is_dir() {
        // The library would copy it first and name the copy.
        let e = std::io::Error::from_raw_os_error(21); // EISDIR
        return Err(to_py(
            py,
            Error::io(
                format!(
                    "{}: the corpus is a directory, not a text file",
                    corpus.display()
                ),
                e,
            ),
        ));
    }

    // The callback's exception, kept to be raised as itself.
    let mut raised: Option<PyErr> = None;
    // With `verbose`, a long step's progress is logged at most once a second.
    let mut logged: Option<std::time::Instant> = None;
    let corpus_name = corpus.clone();
    let outcome = py.detach(|| {
        let mut on_event = |e: Event<'_>| -> Result<(), Error> {
            let called = Python::attach(|py| -> PyResult<()> {
                py.check_signals()?;
                match e {
                    Event::Epoch(r) => {
                        if let Some(f) = &progress {
                            let d = PyDict::new(py);
                            d.set_item("epoch", r.epoch)?;
                            d.set_item("cost", r.cost)?;
                            d.set_item("seconds", r.seconds)?;
                            d.set_item("updates", r.updates)?;
                            f.call1(py, (d,))?;
                        }
                    }
                    Event::Note(n) => log_notes(py, &[n.to_string()])?,
                    Event::Advance {
                        step, done, total, ..
                    } if verbose && logged.is_none_or(|t| t.elapsed().as_secs_f64() >= 1.0) => {
                        logged = Some(std::time::Instant::now());
                        let of = total.map(|t| format!(" of {t}")).unwrap_or_default();
                        let unit = step.unit().name();
                        log_notes(py, &[format!("{}: {done}{of} {unit}", step.name())])?
                    }
                    Event::StageDone {
                        stage,
                        seconds,
                        summary,
                    } => log_notes(
                        py,
                        &[format!("{}: {summary} ({seconds:.2} s)", stage.name())],
                    )?,
                    _ => {}
                }
                Ok(())
            });
            called.map_err(|err| {
                raised = Some(err);
                Error::invalid(STOPPED)
            })
        };
        glove_wgpu::fit(corpus, &setup, &mut on_event)
    });
    let (emb, report) = match (outcome, raised) {
        (Ok(done), _) => done,
        (Err(_), Some(err)) => return Err(err),
        (Err(Error::InvalidArgument(m)), None) if m == "the vocabulary is empty" => {
            return Err(to_py(
                py,
                Error::invalid(format!(
                    "the vocabulary is empty: no word occurs min_count={min_count} times or more in {} \
                     (lower min_count)",
                    corpus_name.display()
                )),
            ))
        }
        (Err(e), None) => return Err(to_py(py, e)),
    };
    let json = serde_json::to_string(&report)
        .map_err(|e| to_py(py, Error::invalid(format!("report: {e}"))))?;
    let report = py.import("json")?.call_method1("loads", (json,))?.unbind();
    Ok((
        Vectors::on(emb, setup.device().clone(), choice, f16),
        report,
    ))
}
