//! `glove-wgpu plot`: the cost per epoch of one or more training reports
//! (`train --report`, `fit --report`) as a PNG line chart, one line per report.
//!
//! The text is drawn with the bundled DejaVu Sans subset (`assets/fonts`, see its
//! README for source and license) through plotters' `ab_glyph` backend, so no
//! system font library is needed; the PNG is encoded by `png` and written
//! atomically.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use glove_wgpu::pipeline::Report;
use glove_wgpu::{Error, Result};
use plotters::prelude::*;
use plotters::style::FontStyle;

use super::common::check_paths;

/// The bundled font (DejaVu Sans, ASCII and Latin-1).
const FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-subset.ttf");

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Training reports (JSON written by `train --report` or `fit --report`).
    #[arg(required = true, value_name = "REPORT.json")]
    reports: Vec<PathBuf>,
    /// The PNG to write (its name must end in .png).
    #[arg(short, long, value_name = "PNG")]
    output: PathBuf,
    /// Title above the chart.
    #[arg(long, default_value = "Training cost per epoch")]
    title: String,
    /// Legend names, comma-separated, one per report (default: each report's
    /// backend and batch size).
    #[arg(long, value_delimiter = ',')]
    labels: Option<Vec<String>>,
    /// Width in pixels.
    #[arg(long, default_value_t = 1024)]
    width: u32,
    /// Height in pixels.
    #[arg(long, default_value_t = 640)]
    height: u32,
}

/// One report's line: its legend name and (epoch, mean cost) points.
#[derive(Debug)]
struct Series {
    label: String,
    points: Vec<(i64, f64)>,
}

/// Reads a training report (the typed [`Report`] the `--report` flags write),
/// naming the file in every error.
fn read_report(path: &Path) -> Result<Series> {
    let name = path.display().to_string();
    // Any input (a pipe, a compressed report), under the text rule.
    let text = glove_wgpu::input::read_text(path)?;
    let report = Report::from_json(&text, &name).map_err(|e| match e {
        Error::Malformed {
            source_name,
            location,
            problem,
        } if location == "file" => Error::Malformed {
            source_name,
            location,
            problem: format!(
                "{problem}; write one with `glove-wgpu train --report` or `glove-wgpu fit \
                 --report`"
            ),
        },
        other => other,
    })?;
    series_of(&report, &name)
}

/// The (epoch, cost) line of a report read from `name`, with its label: the
/// trainer, and the batch of the batched ones.
fn series_of(report: &Report, name: &str) -> Result<Series> {
    if report.epochs.is_empty() {
        return Err(Error::malformed(
            name,
            "epochs",
            "the report has no epochs to plot",
        ));
    }
    let mut points = Vec::with_capacity(report.epochs.len());
    for (k, e) in report.epochs.iter().enumerate() {
        if !e.cost.is_finite() {
            return Err(Error::malformed(
                name,
                format!("epochs[{k}]"),
                format!("the cost {} is not a finite number", e.cost),
            ));
        }
        points.push((i64::from(e.epoch), e.cost));
    }
    let backend = report.backend.as_str();
    let label = match backend {
        "cpu-hogwild" | "cpu-exact" => backend.to_string(),
        _ => format!("{backend}, batch {}", report.config.batch_size),
    };
    Ok(Series { label, points })
}

/// Gives every series its label: `labels` when given (one per report), else the
/// reports' own, with the file name added where two would read alike.
fn label(series: &mut [Series], paths: &[PathBuf], labels: Option<Vec<String>>) -> Result<()> {
    if let Some(labels) = labels {
        if labels.len() != series.len() {
            return Err(Error::invalid(format!(
                "--labels names {} lines but there are {} reports",
                labels.len(),
                series.len()
            )));
        }
        for (s, l) in series.iter_mut().zip(labels) {
            s.label = l;
        }
        return Ok(());
    }
    let own: Vec<String> = series.iter().map(|s| s.label.clone()).collect();
    for (k, s) in series.iter_mut().enumerate() {
        if own.iter().filter(|l| **l == own[k]).count() > 1 {
            let file = paths[k].file_name().unwrap_or(paths[k].as_os_str());
            s.label = format!("{} ({})", own[k], file.to_string_lossy());
        }
    }
    Ok(())
}

/// The epoch axis: `lo..hi` with a whole-epoch margin. Integer coordinates, so
/// every tick is a whole epoch (a float axis put ticks at 1.2, 1.4, ... and
/// printed them as "1", "1", ...).
fn epoch_axis(lo: i64, hi: i64) -> std::ops::Range<i64> {
    let pad = ((hi - lo) / 20).max(1);
    lo - pad..hi + pad
}

/// `lo..hi` with a margin, never empty.
fn padded(lo: f64, hi: f64) -> std::ops::Range<f64> {
    let span = hi - lo;
    let pad = if span > 0.0 {
        span * 0.05
    } else {
        lo.abs().max(1.0) * 0.05
    };
    lo - pad..hi + pad
}

/// Draws the chart into an RGB buffer of `w x h` pixels.
fn draw(series: &[Series], title: &str, (w, h): (u32, u32)) -> Result<Vec<u8>> {
    static REGISTER: std::sync::Once = std::sync::Once::new();
    REGISTER.call_once(|| {
        // Were the font unreadable, drawing the text fails below with an error.
        let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, FONT);
    });
    let fail = |e: String| Error::invalid(format!("drawing the chart: {e}"));
    let mut buf = vec![0u8; w as usize * h as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut buf, (w, h)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| fail(e.to_string()))?;
        let all = series.iter().flat_map(|s| s.points.iter());
        let (x0, x1, y0, y1) = all.fold(
            (i64::MAX, i64::MIN, f64::INFINITY, f64::NEG_INFINITY),
            |(a, b, c, d), &(x, y)| (a.min(x), b.max(x), c.min(y), d.max(y)),
        );
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 26))
            .margin(16)
            .x_label_area_size(48)
            .y_label_area_size(80)
            .build_cartesian_2d(epoch_axis(x0, x1), padded(y0, y1))
            .map_err(|e| fail(e.to_string()))?;
        chart
            .configure_mesh()
            .x_desc("epoch")
            .y_desc("mean cost")
            .x_label_formatter(&|x| format!("{x}"))
            .label_style(("sans-serif", 15))
            .draw()
            .map_err(|e| fail(e.to_string()))?;
        for (k, s) in series.iter().enumerate() {
            let color = Palette99::pick(k).to_rgba();
            chart
                .draw_series(
                    LineSeries::new(s.points.iter().copied(), color.stroke_width(2)).point_size(3),
                )
                .map_err(|e| fail(e.to_string()))?
                .label(s.label.clone())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 24, y)], color.stroke_width(2))
                });
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .label_font(("sans-serif", 16))
            .draw()
            .map_err(|e| fail(e.to_string()))?;
        root.present().map_err(|e| fail(e.to_string()))?;
    }
    Ok(buf)
}

/// Encodes `rgb` (`w x h`, 8 bits per channel) as a PNG at `path`, atomically.
fn write_png(path: &Path, rgb: &[u8], (w, h): (u32, u32)) -> Result<()> {
    let mut file = glove_wgpu::atomic::AtomicFile::create(path)?;
    let io = |e: png::EncodingError| {
        let e = match e {
            png::EncodingError::IoError(e) => e,
            other => std::io::Error::other(other.to_string()),
        };
        Error::io_path("writing", path, e)
    };
    {
        let mut enc = png::Encoder::new(&mut file, w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        // A chart is mostly flat colour: per-row filters and the best deflate take
        // a 1024 x 640 chart of two reports from 540 KB to 36 KB.
        enc.set_adaptive_filter(png::AdaptiveFilterType::Adaptive);
        enc.set_compression(png::Compression::Best);
        let mut writer = enc.write_header().map_err(io)?;
        writer.write_image_data(rgb).map_err(io)?;
        writer.finish().map_err(io)?;
    }
    file.commit()
}

/// Checks that `path` (given as `flag`) names a PNG file.
pub fn check_png(flag: &str, path: &Path) -> Result<()> {
    if !path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("png"))
    {
        return Err(Error::invalid(format!(
            "{flag} {}: the chart is a PNG; give a name ending in .png",
            path.display()
        )));
    }
    Ok(())
}

/// The loss curve of one fresh report (`train --plot`, `fit --plot`), 1024 x 640.
pub fn loss_curve(report: &Report, path: &Path) -> Result<()> {
    let series = series_of(report, "the report")?;
    let size = (1024, 640);
    let rgb = draw(&[series], "Training cost per epoch", size)?;
    write_png(path, &rgb, size)
}

pub fn run(a: Args) -> Result<ExitCode> {
    super::common::no_dash("-o", &a.output, "a PNG chart")?;
    check_png("-o", &a.output)?;
    if !(64..=8192).contains(&a.width) || !(64..=8192).contains(&a.height) {
        return Err(Error::invalid(format!(
            "--width and --height must be 64 to 8192 pixels (got {} x {})",
            a.width, a.height
        )));
    }
    let inputs: Vec<(&str, &Path)> = a.reports.iter().map(|p| ("REPORT", p.as_path())).collect();
    check_paths(&inputs, &[("-o", &a.output)])?;
    let mut series = a
        .reports
        .iter()
        .map(|p| read_report(p))
        .collect::<Result<Vec<_>>>()?;
    label(&mut series, &a.reports, a.labels)?;
    let rgb = draw(&series, &a.title, (a.width, a.height))?;
    write_png(&a.output, &rgb, (a.width, a.height))?;
    errln!(
        "wrote {} ({} x {}, {} line{})",
        a.output.display(),
        a.width,
        a.height,
        series.len(),
        if series.len() == 1 { "" } else { "s" }
    );
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::epoch_axis;
    use plotters::coord::ranged1d::Ranged;
    use plotters::coord::types::RangedCoordi64;

    /// The labels the chart prints under its epoch axis, at plotters' default
    /// of at most 10.
    fn epoch_labels(first: i64, last: i64) -> Vec<String> {
        let axis: RangedCoordi64 = epoch_axis(first, last).into();
        axis.key_points(10).iter().map(|x| format!("{x}")).collect()
    }

    #[test]
    fn epoch_ticks_are_whole_distinct_epochs() {
        for (first, last) in [(1, 1), (1, 2), (1, 3), (1, 7), (4, 25), (1, 100), (1, 1000)] {
            let labels = epoch_labels(first, last);
            assert!(!labels.is_empty(), "{first}..{last}");
            let mut unique = labels.clone();
            unique.dedup();
            assert_eq!(unique, labels, "{first}..{last}: a label printed twice");
            for l in &labels {
                assert!(l.parse::<i64>().is_ok(), "{first}..{last}: tick {l:?}");
            }
            if last - first < 10 {
                // Few epochs: every one has its tick.
                for e in first..=last {
                    assert!(
                        labels.contains(&e.to_string()),
                        "{first}..{last}: {labels:?}"
                    );
                }
            }
        }
    }
}
