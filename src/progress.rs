//! Progress on stderr: [`Progress`], the one bar type of the library (byte
//! bars, spinners, counted bars), and [`token_rate`], its tokens-per-second
//! message.
//!
//! This is the only file of the library that names `indicatif`, which comes with
//! the default `cli` feature: without it (`default-features = false`) every
//! [`Progress`] is hidden and draws nothing. A bar is drawn only when its caller
//! is not quiet and stderr is a terminal (indicatif's stderr target hides itself
//! otherwise).

use std::borrow::Cow;
use std::time::{Duration, Instant};

#[cfg(feature = "cli")]
use indicatif::{ProgressBar, ProgressStyle};

/// Without the `cli` feature: a bar that is never made.
#[cfg(not(feature = "cli"))]
enum ProgressBar {}

#[cfg(not(feature = "cli"))]
impl ProgressBar {
    fn set_position(&self, _: u64) {}
    fn inc(&self, _: u64) {}
    fn set_message(&self, _: Cow<'static, str>) {}
    fn finish_and_clear(&self) {}
    fn enable_steady_tick(&self, _: Duration) {}
}

/// A progress bar on stderr, or nothing (quiet, or too small to show).
pub(crate) struct Progress(Option<ProgressBar>);

impl Progress {
    /// Bytes of a stream: a bar with its ETA when `total` is known, otherwise
    /// a spinner; `prefix` names the step. Hidden when `quiet`.
    pub(crate) fn bytes(quiet: bool, total: Option<u64>, prefix: &str) -> Self {
        let template = match total {
            Some(_) => "{prefix} {bar:25} {binary_bytes}/{binary_total_bytes} ({binary_bytes_per_sec}, ETA {eta}) {msg}",
            None => "{prefix} {spinner} {binary_bytes} ({binary_bytes_per_sec}) {msg}",
        };
        Self::styled(quiet, total, prefix, template)
    }

    /// `total` things counted as `unit` (for example records): a bar with its
    /// ETA. Hidden when `quiet`.
    pub(crate) fn counted(quiet: bool, total: u64, prefix: &str, unit: &str) -> Self {
        let template =
            format!("{{prefix}} {{bar:25}} {{human_pos}}/{{human_len}} {unit} (ETA {{eta}})");
        Self::styled(quiet, Some(total), prefix, &template)
    }

    /// An unknown number of things counted as `unit`: a spinner that ticks on
    /// its own (a step may take minutes between updates), with the elapsed
    /// time and the message. Hidden when `quiet`.
    pub(crate) fn spinner(quiet: bool, prefix: &str, unit: &str) -> Self {
        let template = format!("{{prefix}} {{spinner}} [{{elapsed}}] {{msg}} {{human_pos}} {unit}");
        let p = Self::styled(quiet, None, prefix, &template);
        if let Some(bar) = &p.0 {
            bar.enable_steady_tick(Duration::from_millis(200));
        }
        p
    }

    #[cfg(not(feature = "cli"))]
    fn styled(_quiet: bool, _total: Option<u64>, _prefix: &str, _template: &str) -> Self {
        Progress(None)
    }

    #[cfg(feature = "cli")]
    fn styled(quiet: bool, total: Option<u64>, prefix: &str, template: &str) -> Self {
        if quiet {
            return Progress(None);
        }
        let bar = match total {
            Some(t) => ProgressBar::new(t),
            None => ProgressBar::new_spinner(),
        };
        bar.set_style(
            ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar.set_prefix(prefix.to_string());
        Progress(Some(bar))
    }

    /// Sets the position (bytes or things done).
    pub(crate) fn set_position(&self, pos: u64) {
        if let Some(bar) = &self.0 {
            bar.set_position(pos);
        }
    }

    /// Advances the position by `delta`.
    pub(crate) fn inc(&self, delta: u64) {
        if let Some(bar) = &self.0 {
            bar.inc(delta);
        }
    }

    /// Sets the message shown after the bar.
    pub(crate) fn set_message(&self, msg: impl Into<Cow<'static, str>>) {
        if let Some(bar) = &self.0 {
            bar.set_message(msg.into());
        }
    }

    /// Removes the bar from the terminal.
    pub(crate) fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}

/// A progress message: tokens so far and tokens per second.
pub(crate) fn token_rate(tokens: u64, start: Instant) -> String {
    let s = start.elapsed().as_secs_f64().max(1e-9);
    format!(
        "{:.1}M tokens, {:.2}M tokens/s",
        tokens as f64 / 1e6,
        tokens as f64 / s / 1e6
    )
}
