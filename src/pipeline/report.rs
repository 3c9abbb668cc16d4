//! What a run did: [`Report`], the command line's `report.json`, written as it
//! is ([`Report::to_json`]) and read back as it is ([`Report::from_json`], by
//! `glove-wgpu plot`), with a format version.

use std::path::PathBuf;

use crate::error::{Error, Result};
use crate::io::Format;
use crate::model::SaveMode;
use crate::progress::Stage;
use crate::train::{EpochReport, TrainConfig};

/// The version of the [`Report`] format that this crate writes, and the newest it
/// reads. A report without a version (0) was written before versions existed: the
/// same fields, `save` spelled as the Rust variant (`WPlusC`).
///
/// ```
/// assert_eq!(glove_wgpu::pipeline::REPORT_VERSION, 1);
/// ```
pub const REPORT_VERSION: u32 = 1;

/// What a run did: the JSON `report.json` of the command line.
///
/// ```
/// use glove_wgpu::{cooccur::Cooc, train::CoocSource, Device};
/// use glove_wgpu::pipeline::{train_embeddings, TrainOptions};
/// let cooc = [Cooc { i: 0, j: 1, x: 2.0 }, Cooc { i: 1, j: 0, x: 2.0 }];
/// let mut opts = TrainOptions::default();
/// (opts.config.dim, opts.config.epochs) = (4, 2);
/// let words = vec!["a".to_string(), "b".to_string()];
/// let setup = opts.resolve_on(Device::Cpu)?;
/// let (_, report) = train_embeddings(words, &CoocSource::Memory(&cooc), &setup, &mut |_| Ok(()))?;
/// assert_eq!((report.backend.as_str(), report.vocab_size, report.nonzeros), ("cpu-hogwild", 2, 2));
/// assert_eq!(report.final_cost, Some(report.epochs[1].cost));
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Report {
    /// The format's version ([`REPORT_VERSION`]; 0 when the report has none).
    #[serde(default)]
    pub version: u32,
    /// The trainer's name ([`Backend::name`](crate::train::Backend::name)).
    pub backend: String,
    /// The GPU adapter, if any.
    pub adapter: Option<String>,
    /// Words (rows) of the vectors.
    pub vocab_size: usize,
    /// Co-occurrence triples trained on.
    pub nonzeros: u64,
    /// The update's settings.
    pub config: TrainConfig,
    /// Epochs done before this run (a resumed checkpoint).
    pub start_epoch: u32,
    /// Every epoch of this run.
    pub epochs: Vec<EpochReport>,
    /// The last epoch's cost.
    pub final_cost: Option<f64>,
    /// Wall-clock seconds of training.
    pub train_seconds: f64,
    /// Triples per second over the epochs.
    pub updates_per_s: f64,
    /// Which vectors were kept.
    pub save: SaveMode,
    /// Seconds per stage of [`fit`](super::fit) (empty for [`train_embeddings`](super::train_embeddings)).
    pub stages: Vec<StageTime>,
    /// Where the vectors were written, when the caller wrote them (the command line does).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<PathBuf>,
    /// In which format.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<Format>,
}

impl Report {
    /// The report as pretty JSON, its fields as they are.
    ///
    /// ```
    /// # use glove_wgpu::{cooccur::Cooc, train::CoocSource, Device};
    /// # use glove_wgpu::pipeline::{train_embeddings, Report, TrainOptions};
    /// # let cooc = [Cooc { i: 0, j: 1, x: 2.0 }, Cooc { i: 1, j: 0, x: 2.0 }];
    /// # let mut opts = TrainOptions::default();
    /// # opts.config.dim = 4;
    /// # let setup = opts.resolve_on(Device::Cpu)?;
    /// # let words = vec!["a".to_string(), "b".to_string()];
    /// let (_, report) = train_embeddings(words, &CoocSource::Memory(&cooc), &setup, &mut |_| Ok(()))?;
    /// let json = report.to_json();
    /// assert!(json.starts_with("{\n  \"version\": 1,"));
    /// assert_eq!(Report::from_json(&json, "report.json")?, report);
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    }

    /// Reads a report back from its JSON text; errors name `source_name` and
    /// what is wrong (not JSON, a newer version, a missing list of epochs, the
    /// first malformed epoch, another field).
    ///
    /// ```
    /// use glove_wgpu::pipeline::Report;
    /// let err = Report::from_json(r#"{"epochs": [{"epoch": 1, "cost": "low"}]}"#, "r.json").unwrap_err();
    /// assert!(err.to_string().starts_with("r.json: epochs[0]: "), "{err}");
    /// let err = Report::from_json("epoch 1: cost 0.1", "notes.txt").unwrap_err();
    /// assert!(err.to_string().contains("not JSON"), "{err}");
    /// ```
    pub fn from_json(text: &str, source_name: &str) -> Result<Report> {
        let not_report = |why: String| {
            Error::malformed(
                source_name,
                "file",
                format!("not a training report ({why})"),
            )
        };
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| not_report(format!("not JSON: {e}")))?;
        let version = value.get("version").and_then(|v| v.as_u64()).unwrap_or(0);
        if version > REPORT_VERSION as u64 {
            return Err(Error::malformed(
                source_name,
                "version",
                format!(
                    "report version {version} was written by a newer glove-wgpu; this one \
                     reads versions up to {REPORT_VERSION}"
                ),
            ));
        }
        serde_json::from_value(value.clone()).map_err(|e| {
            // Say where: the epochs (what a reader wants most), else the field.
            let Some(epochs) = value.get("epochs").and_then(|e| e.as_array()) else {
                return not_report("no \"epochs\" list".into());
            };
            for (k, epoch) in epochs.iter().enumerate() {
                if let Err(e) = serde_json::from_value::<EpochReport>(epoch.clone()) {
                    return Error::malformed(
                        source_name,
                        format!("epochs[{k}]"),
                        format!("{e}: want {{\"epoch\", \"cost\", \"seconds\", \"updates\"}}, found {epoch}"),
                    );
                }
            }
            not_report(e.to_string())
        })
    }
}

/// One stage's time in a [`Report`].
///
/// ```
/// use glove_wgpu::{corpus::Corpus, pipeline::*, progress::Stage, Device};
/// let mut cfg = FitConfig::default();
/// (cfg.vocab.min_count, cfg.train.config.dim, cfg.train.config.epochs) = (1, 4, 1);
/// let (_, report) = fit(Corpus::reader(&b"a b a b a b\n"[..]), &cfg.resolve_on(Device::Cpu)?, &mut |_| Ok(()))?;
/// let stages: Vec<Stage> = report.stages.iter().map(|t| t.stage).collect();
/// assert_eq!(stages, [Stage::Vocabulary, Stage::Cooccurrences, Stage::Shuffle, Stage::Training]);
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct StageTime {
    /// The stage.
    pub stage: Stage,
    /// Wall-clock seconds.
    pub seconds: f64,
}
