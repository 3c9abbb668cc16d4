//! One name per value of the crate's option enums, the same in the command
//! line's flags, in JSON (reports, `--json` output) and in Python's arguments.
//!
//! Each enum lists its values once ([`Named::ALL`]) and names them once
//! ([`Named::name`]); Python reads them from here (`python/src/args.rs`), and
//! `tests/names.rs` holds the flags' (clap) and JSON's (serde) spellings to
//! them.
//!
//! ```
//! use glove_wgpu::{model::SaveMode, names::Named};
//! assert_eq!(SaveMode::WPlusC.name(), "w+c");
//! assert_eq!(SaveMode::from_name("save", "both")?, SaveMode::Both);
//! let err = SaveMode::from_name("save", "c").unwrap_err();
//! assert_eq!(err.to_string(), r#"invalid argument: unknown save "c": expected one of "w+c", "w", "both""#);
//! # Ok::<(), glove_wgpu::Error>(())
//! ```

use crate::error::{Error, Result};

/// An option enum whose values have one name each (see the [module](self) docs).
///
/// ```
/// use glove_wgpu::{device::DeviceChoice, names::Named};
/// let names: Vec<&str> = DeviceChoice::ALL.iter().map(|c| c.name()).collect();
/// assert_eq!(names, ["auto", "gpu", "cpu"]);
/// ```
pub trait Named: Copy + Sized + 'static {
    /// Every value, in the order the command line's help lists them.
    const ALL: &'static [Self];

    /// The value's name.
    fn name(self) -> &'static str;

    /// The value named `name`; an error names the setting (`what`, as the caller
    /// spells it: `"backend"`, `"cpu_trainer"`) and lists every name.
    ///
    /// ```
    /// use glove_wgpu::{search::Metric, names::Named};
    /// assert_eq!(Metric::from_name("metric", "dot")?, Metric::Dot);
    /// assert!(Metric::from_name("metric", "manhattan").is_err());
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    fn from_name(what: &str, name: &str) -> Result<Self> {
        Self::ALL
            .iter()
            .copied()
            .find(|v| v.name() == name)
            .ok_or_else(|| {
                let names: Vec<String> = Self::ALL
                    .iter()
                    .map(|v| format!("{:?}", v.name()))
                    .collect();
                Error::invalid(format!(
                    "unknown {what} {name:?}: expected one of {}",
                    names.join(", ")
                ))
            })
    }
}
