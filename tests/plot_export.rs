//! `glove-wgpu plot` (loss curves as PNG) and `glove-wgpu export projector`
//! (TensorBoard Projector TSV files): outputs, and clear errors on bad input.

mod common;

use std::path::{Path, PathBuf};

use glove_wgpu::io::{self, Format};
use glove_wgpu::model::SaveMode;
use glove_wgpu::pipeline::{Report, REPORT_VERSION};
use glove_wgpu::train::{EpochReport, TrainConfig};

/// `glove-wgpu ARGS...` through the shared launcher: exit code and stderr.
fn cli(args: &[&str]) -> (i32, String) {
    let out = common::cli(args);
    (out.code, out.stderr)
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A report as `train --report` writes it, with the given mean costs.
fn report(dir: &Path, name: &str, backend: &str, costs: &[f64]) -> PathBuf {
    let epochs: Vec<EpochReport> = costs
        .iter()
        .enumerate()
        .map(|(k, &cost)| EpochReport {
            epoch: k as u32 + 1,
            cost,
            seconds: 0.5,
            updates: 1000,
        })
        .collect();
    let report = Report {
        version: REPORT_VERSION,
        backend: backend.to_string(),
        adapter: None,
        vocab_size: 10,
        nonzeros: 1000,
        config: TrainConfig {
            dim: 50,
            epochs: costs.len() as u32,
            batch_size: 4096,
            ..Default::default()
        },
        start_epoch: 0,
        final_cost: costs.last().copied(),
        epochs,
        train_seconds: 0.5 * costs.len() as f64,
        updates_per_s: 2000.0,
        save: SaveMode::WPlusC,
        stages: Vec::new(),
        output: Some(dir.join("vectors.txt")),
        format: Some(Format::Glove),
    };
    let p = dir.join(name);
    std::fs::write(&p, report.to_json()).unwrap();
    p
}

/// Width, height, bit depth and colour type from the PNG signature and IHDR
/// chunk, read by hand (the decoder is checked separately below).
fn png_header(bytes: &[u8]) -> (u32, u32, u8, u8) {
    assert!(bytes.len() > 33, "{} bytes is no PNG", bytes.len());
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "PNG signature");
    assert_eq!(
        &bytes[8..16],
        b"\0\0\0\x0dIHDR",
        "IHDR first, 13 bytes long"
    );
    let be = |b: &[u8]| u32::from_be_bytes(b.try_into().unwrap());
    (be(&bytes[16..20]), be(&bytes[20..24]), bytes[24], bytes[25])
}

/// Names in `dir` that are not `keep`: leftovers of an atomic write.
fn others(dir: &Path, keep: &[&str]) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !keep.contains(&n.as_str()))
        .collect()
}

#[test]
fn plot_writes_a_png_of_the_asked_size_with_one_coloured_line_per_report() {
    let dir = tempfile::tempdir().unwrap();
    let a = report(dir.path(), "a.json", "gpu", &[0.09, 0.07, 0.064, 0.06]);
    let b = report(dir.path(), "b.json", "cpu-hogwild", &[0.093, 0.071, 0.063]);
    let out = dir.path().join("loss.png");
    let (code, err) = cli(&[
        "plot",
        s(&a),
        s(&b),
        "-o",
        s(&out),
        "--width",
        "640",
        "--height",
        "400",
        "--title",
        "kjv: naïve – test",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("2 lines"), "{err}");
    let bytes = std::fs::read(&out).unwrap();
    assert_eq!(png_header(&bytes), (640, 400, 8, 2), "8-bit RGB, 640 x 400");

    let mut reader = png::Decoder::new(std::io::Cursor::new(&bytes))
        .read_info()
        .expect("decodes as PNG");
    let mut rgb = vec![0; reader.output_buffer_size()];
    let frame = reader.next_frame(&mut rgb).expect("one frame");
    assert_eq!((frame.width, frame.height), (640, 400));
    // Lines and legend in two saturated colours, not just black text on white.
    let colours: std::collections::HashSet<[u8; 3]> = rgb[..frame.buffer_size()]
        .chunks(3)
        .map(|p| [p[0], p[1], p[2]])
        .filter(|p| p.iter().max().unwrap() - p.iter().min().unwrap() > 120)
        .collect();
    assert!(colours.len() >= 2, "saturated colours: {colours:?}");
    assert_eq!(
        others(dir.path(), &["a.json", "b.json", "loss.png"]),
        Vec::<String>::new()
    );

    // One report, --labels, and the default size.
    let (code, err) = cli(&["plot", s(&a), "-o", s(&out), "--labels", "run one"]);
    assert_eq!(code, 0, "{err}");
    let (w, h, _, _) = png_header(&std::fs::read(&out).unwrap());
    assert_eq!((w, h), (1024, 640));
}

#[test]
fn plot_reads_the_report_that_fit_writes() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/kjv_head.txt");
    let rep = dir.path().join("report.json");
    let (code, err) = cli(&[
        "fit",
        corpus,
        "-o",
        s(&dir.path().join("v.txt")),
        "--epochs",
        "3",
        "--dim",
        "8",
        "--backend",
        "cpu",
        "--quiet",
        "--report",
        s(&rep),
    ]);
    assert_eq!(code, 0, "{err}");
    let out = dir.path().join("loss.png");
    let (code, err) = cli(&["plot", s(&rep), "-o", s(&out)]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("1 line)"), "{err}");
    assert_eq!(png_header(&std::fs::read(&out).unwrap()).0, 1024);
}

#[test]
fn plot_reads_older_report_versions_and_refuses_newer_ones() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = d.join("loss.png");
    let current = report(d, "v1.json", "gpu", &[0.1, 0.05]);
    // As glove-wgpu 0.1 wrote it: no version, `save` spelled as the Rust variant.
    let mut old: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&current).unwrap()).unwrap();
    old.as_object_mut().unwrap().remove("version");
    old["save"] = "WPlusC".into();
    let unversioned = d.join("v0.json");
    std::fs::write(&unversioned, old.to_string()).unwrap();
    let (code, err) = cli(&["plot", s(&current), s(&unversioned), "-o", s(&out)]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("2 lines)"), "{err}");

    old["version"] = (REPORT_VERSION + 1).into();
    let newer = d.join("v2.json");
    std::fs::write(&newer, old.to_string()).unwrap();
    let (code, err) = cli(&["plot", s(&newer), "-o", s(&d.join("newer.png"))]);
    assert_eq!(code, 1);
    assert!(err.contains("v2.json: version: report version 2"), "{err}");
}

#[test]
fn plot_errors_name_the_problem_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let good = report(d, "good.json", "gpu", &[0.1, 0.05]);
    let out = d.join("loss.png");
    let empty = report(d, "empty.json", "gpu", &[]);
    let other = d.join("other.json");
    std::fs::write(&other, r#"{"backend": "gpu", "seconds": 3}"#).unwrap();
    let text = d.join("notes.json");
    std::fs::write(&text, "epoch 1: cost 0.1\n").unwrap();
    let bad_cost = d.join("bad_cost.json");
    std::fs::write(&bad_cost, r#"{"epochs": [{"epoch": 1, "cost": "low"}]}"#).unwrap();
    let png_named = report(d, "report.png", "gpu", &[0.1]);
    let missing = d.join("missing.json");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec![s(&missing)], "missing.json"),
        (vec![s(&empty)], "no epochs to plot"),
        (vec![s(&other)], "no \"epochs\" list"),
        (vec![s(&text)], "not JSON"),
        (vec![s(&bad_cost)], "epochs[0]"),
        (vec![s(&good), s(&empty)], "empty.json"),
    ];
    for (inputs, want) in cases {
        let mut args = vec!["plot"];
        args.extend(&inputs);
        args.extend(["-o", s(&out)]);
        let (code, err) = cli(&args);
        assert_eq!(code, 1, "{args:?}: {err}");
        assert!(err.contains(want), "{args:?}: want {want:?} in {err}");
        if want != "missing.json" {
            assert!(err.contains("error: ") && err.contains(".json"), "{err}");
        }
        assert!(!out.exists(), "{args:?} wrote {}", out.display());
    }
    assert!(cli(&["plot", s(&missing), "-o", s(&out)])
        .1
        .contains("No such file"));

    // The output is an input: refused before anything is read or written.
    let before = std::fs::read(&png_named).unwrap();
    let (code, err) = cli(&["plot", s(&png_named), "-o", s(&png_named)]);
    assert_eq!(code, 1);
    assert!(err.contains("is also the input"), "{err}");
    assert_eq!(std::fs::read(&png_named).unwrap(), before);

    // Output that cannot be written, or is not a PNG name; wrong label count.
    let nowhere = d.join("no/such/folder/loss.png");
    let (code, err) = cli(&["plot", s(&good), "-o", s(&nowhere)]);
    assert_eq!(code, 1);
    assert!(err.contains("does not exist"), "{err}");
    #[cfg(target_os = "linux")]
    {
        // /proc takes no new files, even from root.
        let (code, err) = cli(&["plot", s(&good), "-o", "/proc/loss.png"]);
        assert_eq!(code, 1);
        assert!(err.contains("creating a file in /proc"), "{err}");
    }
    let (code, err) = cli(&["plot", s(&good), "-o", s(&d.join("loss.jpg"))]);
    assert_eq!(code, 1);
    assert!(err.contains("ending in .png"), "{err}");
    let (code, err) = cli(&["plot", s(&good), "-o", s(&out), "--labels", "a,b"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("--labels names 2 lines but there are 1"),
        "{err}"
    );
    assert!(!out.exists());
    assert_eq!(
        others(
            d,
            &[
                "good.json",
                "empty.json",
                "other.json",
                "notes.json",
                "bad_cost.json",
                "report.png"
            ]
        ),
        Vec::<String>::new()
    );
}

const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/stanford_glove.txt");

/// The values of `vectors.tsv`, parsed.
fn tsv_values(path: &Path) -> Vec<Vec<f32>> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| l.split('\t').map(|v| v.parse().unwrap()).collect())
        .collect()
}

#[test]
fn export_projector_round_trips_words_and_values_bit_for_bit() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("proj");
    let (code, err) = cli(&["export", "projector", "--vectors", VECTORS, "-o", s(&out)]);
    assert_eq!(code, 0, "{err}");
    let emb = io::read(VECTORS, Format::Glove).unwrap();
    assert!(emb.len() >= 5, "fixture has words");
    let words: Vec<String> = std::fs::read_to_string(out.join("metadata.tsv"))
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    assert_eq!(
        words,
        emb.words(),
        "metadata.tsv: one word per line, in order"
    );
    let values = tsv_values(&out.join("vectors.tsv"));
    assert_eq!(values.len(), emb.len());
    for (k, row) in values.iter().enumerate() {
        let want = emb.vector(k as u32).unwrap();
        assert_eq!(row.len(), want.len(), "row {k}");
        for (a, b) in row.iter().zip(want) {
            assert_eq!(a.to_bits(), b.to_bits(), "row {k}: {a} vs {b}");
        }
    }
    assert_eq!(
        others(&out, &["vectors.tsv", "metadata.tsv"]),
        Vec::<String>::new()
    );
}

#[test]
fn export_projector_limit_keeps_the_first_words() {
    let dir = tempfile::tempdir().unwrap();
    let emb = io::read(VECTORS, Format::Glove).unwrap();
    for (limit, want) in [(1, 1), (3, 3), (emb.len() + 5, emb.len())] {
        let out = dir.path().join(format!("limit{limit}"));
        let l = limit.to_string();
        let (code, err) = cli(&[
            "export",
            "projector",
            "--vectors",
            VECTORS,
            "--format",
            "glove",
            "-o",
            s(&out),
            "--limit",
            &l,
        ]);
        assert_eq!(code, 0, "{err}");
        let words = std::fs::read_to_string(out.join("metadata.tsv")).unwrap();
        let words: Vec<&str> = words.lines().collect();
        assert_eq!(words, emb.words()[..want], "--limit {limit}");
        let values = tsv_values(&out.join("vectors.tsv"));
        assert_eq!(values.len(), want);
        assert_eq!(values[want - 1][0], emb.vector(want as u32 - 1).unwrap()[0]);
    }
}

/// Words with a tab (or a newline) cannot reach the TSV files: the readers split
/// text lines at spaces and tabs, and every reader's `Embeddings::new` refuses a
/// word holding a separator, as a word2vec binary file (words end at a space
/// only) shows.
#[test]
fn words_with_tabs_cannot_be_exported() {
    assert!(glove_wgpu::Embeddings::new(vec!["a\tb".into()], 1, vec![1.0]).is_err());
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("tab.bin");
    let mut bytes = b"2 2\nok ".to_vec();
    bytes.extend([1f32, 2.0].iter().flat_map(|v| v.to_le_bytes()));
    bytes.extend(b"\na\tb ");
    bytes.extend([3f32, 4.0].iter().flat_map(|v| v.to_le_bytes()));
    bytes.push(b'\n');
    std::fs::write(&bin, bytes).unwrap();
    let out = dir.path().join("proj");
    let (code, err) = cli(&[
        "export",
        "projector",
        "--vectors",
        s(&bin),
        "--format",
        "word2vec-bin",
        "-o",
        s(&out),
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("separator"), "{err}");
    assert!(!out.join("metadata.tsv").exists());
}

#[test]
fn export_projector_errors_are_clear() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = d.join("proj");
    let missing = d.join("missing.txt");
    let (code, err) = cli(&[
        "export",
        "projector",
        "--vectors",
        s(&missing),
        "-o",
        s(&out),
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("missing.txt"), "{err}");
    let (code, err) = cli(&[
        "export",
        "projector",
        "--vectors",
        VECTORS,
        "-o",
        s(&out),
        "--limit",
        "0",
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("--limit must be at least 1"), "{err}");
    let file = d.join("a_file");
    std::fs::write(&file, "x").unwrap();
    let (code, err) = cli(&["export", "projector", "--vectors", VECTORS, "-o", s(&file)]);
    assert_eq!(code, 1);
    assert!(err.contains("not a folder"), "{err}");
    let deep = d.join("no/such");
    let (code, err) = cli(&["export", "projector", "--vectors", VECTORS, "-o", s(&deep)]);
    assert_eq!(code, 1);
    assert!(err.contains("does not exist"), "{err}");
    let empty = d.join("empty.txt");
    std::fs::write(&empty, "").unwrap();
    let (code, err) = cli(&["export", "projector", "--vectors", s(&empty), "-o", s(&out)]);
    assert_eq!(code, 1);
    assert!(err.contains("empty.txt"), "{err}");
    assert!(!out.exists(), "nothing made for bad input");

    // The input is the vectors.tsv the export would replace.
    std::fs::create_dir(&out).unwrap();
    let input = out.join("vectors.tsv");
    std::fs::copy(VECTORS, &input).unwrap();
    let (code, err) = cli(&[
        "export",
        "projector",
        "--vectors",
        s(&input),
        "--format",
        "glove",
        "-o",
        s(&out),
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("is also the input"), "{err}");
    assert_eq!(
        std::fs::read(&input).unwrap(),
        std::fs::read(VECTORS).unwrap()
    );
}
