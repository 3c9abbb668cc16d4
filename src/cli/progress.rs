//! The command line's side of the library's progress channel
//! ([`glove_wgpu::progress`]): [`Printer`] turns the events into lines and
//! progress bars on stderr. This is the only file that names `indicatif`.
//!
//! A bar is drawn only when stderr is a terminal (indicatif's stderr target
//! hides itself otherwise), and never when the command is quiet.

use std::time::{Duration, Instant};

use glove_wgpu::progress::{Detail, Event, Step, Unit};
use glove_wgpu::{Error, Result};
use indicatif::{ProgressBar, ProgressStyle};

/// Shows the library's events on stderr: notes, the stages of `fit`, a bar for
/// each long step (counting, merging, shuffling, loading, writing), and an epoch
/// bar with one line per epoch (plain lines when stderr is not a terminal).
pub struct Printer {
    quiet: bool,
    /// The bar of the step under way, and when it started.
    step: Option<(Step, ProgressBar, Instant)>,
    epochs: Option<ProgressBar>,
}

impl Printer {
    /// A printer; `quiet` shows nothing but notes.
    pub fn new(quiet: bool) -> Self {
        Printer {
            quiet,
            step: None,
            epochs: None,
        }
    }

    /// Handles one event.
    pub fn event(&mut self, e: Event) -> Result<()> {
        match e {
            Event::Note(n) => super::common::note(n),
            _ if self.quiet => {}
            Event::Stage(s) => errln!("== {}", s.name()),
            Event::StageDone {
                seconds, summary, ..
            } => {
                if summary.is_empty() {
                    errln!("   done in {seconds:.1} s");
                } else {
                    errln!("   {summary} in {seconds:.1} s");
                }
            }
            Event::Advance {
                step,
                done,
                total,
                detail,
            } => self.advance(step, done, total, detail),
            Event::StepDone(step) => {
                if let Some((_, bar, _)) = self.step.take_if(|(s, _, _)| *s == step) {
                    bar.finish_and_clear();
                }
            }
            Event::TrainingStarts {
                words,
                nonzeros,
                config,
                backend,
                adapter,
                start_epoch,
            } => {
                // The batch matters to the batched trainers only (GPU and its twin).
                let batch = match backend {
                    "gpu" | "cpu-batched" => format!(", batch {}", config.batch_size),
                    _ => String::new(),
                };
                errln!(
                    "training {words} words, {nonzeros} non-zeros, dimension {}{batch}, on {backend}{}",
                    config.dim,
                    adapter.map(|n| format!(" ({n})")).unwrap_or_default()
                );
                let bar = ProgressBar::new(config.epochs as u64);
                bar.set_style(
                    ProgressStyle::with_template(
                        "{bar:30} epoch {pos}/{len} {elapsed} (eta {eta})",
                    )
                    .map_err(|e| Error::invalid(e.to_string()))?,
                );
                bar.set_position(start_epoch as u64);
                self.epochs = Some(bar);
            }
            Event::Epoch(r) => {
                let line = format!(
                    "epoch {:>3}: cost {:.6}, {:.2} s, {:.2} M updates/s",
                    r.epoch,
                    r.cost,
                    r.seconds,
                    r.updates as f64 / r.seconds.max(1e-9) / 1e6
                );
                match &self.epochs {
                    // A hidden bar (stderr not a terminal) drops `println`.
                    Some(bar) if !bar.is_hidden() => {
                        bar.println(line);
                        bar.inc(1);
                    }
                    _ => errln!("{line}"),
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Moves the bar of `step` (made at its first event) to `done`.
    fn advance(&mut self, step: Step, done: u64, total: Option<u64>, detail: Detail) {
        if self.step.as_ref().is_none_or(|(s, _, _)| *s != step) {
            if let Some((_, old, _)) = self.step.take() {
                old.finish_and_clear();
            }
            self.step = Some((step, bar(step, total), Instant::now()));
        }
        let Some((_, bar, start)) = &self.step else {
            return;
        };
        bar.set_position(done);
        match detail {
            Detail::Tokens(t) => bar.set_message(token_rate(t, *start)),
            Detail::Runs(n) => bar.set_message(format!("{n} runs, intermediate merges:")),
            Detail::Rows { done, of } => bar.set_message(format!("rows {done}/{of}:")),
            _ => {}
        }
    }

    /// The callback for the library.
    pub fn callback(&mut self) -> impl FnMut(Event) -> Result<()> + '_ {
        |e| self.event(e)
    }
}

impl Drop for Printer {
    fn drop(&mut self) {
        if let Some((_, bar, _)) = &self.step {
            bar.finish_and_clear();
        }
        if let Some(bar) = &self.epochs {
            bar.finish_and_clear();
        }
    }
}

/// The bar of one step: bytes with their rate (a spinner when the total is
/// unknown), records with an ETA, or entries on a spinner that ticks on its own
/// (a merge may take minutes between events).
fn bar(step: Step, total: Option<u64>) -> ProgressBar {
    let prefix = step.name();
    let unit = step.unit().name();
    let template = match (step.unit(), total) {
        (Unit::Bytes, Some(_)) => "{prefix} {bar:25} {binary_bytes}/{binary_total_bytes} ({binary_bytes_per_sec}, ETA {eta}) {msg}".to_string(),
        (Unit::Bytes, None) => "{prefix} {spinner} {binary_bytes} ({binary_bytes_per_sec}) {msg}".to_string(),
        (_, Some(_)) => format!("{{prefix}} {{bar:25}} {{human_pos}}/{{human_len}} {unit} (ETA {{eta}})"),
        (_, None) => format!("{{prefix}} {{spinner}} [{{elapsed}}] {{msg}} {{human_pos}} {unit}"),
    };
    let bar = match total {
        Some(t) => ProgressBar::new(t),
        None => ProgressBar::new_spinner(),
    };
    bar.set_style(
        ProgressStyle::with_template(&template).unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_prefix(prefix);
    if total.is_none() && step.unit() != Unit::Bytes {
        bar.enable_steady_tick(Duration::from_millis(200));
    }
    bar
}

/// A progress message: tokens so far and tokens per second.
fn token_rate(tokens: u64, start: Instant) -> String {
    let s = start.elapsed().as_secs_f64().max(1e-9);
    format!(
        "{:.1}M tokens, {:.2}M tokens/s",
        tokens as f64 / 1e6,
        tokens as f64 / s / 1e6
    )
}
