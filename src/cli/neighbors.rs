//! `glove-wgpu neighbors`: not implemented yet (its issue fills it in).

use std::process::ExitCode;

use glove_wgpu::{Error, Result};

#[derive(clap::Args, Debug)]
pub struct Args {}

pub fn run(_args: Args) -> Result<ExitCode> {
    Err(Error::invalid("`neighbors` is not implemented yet"))
}
