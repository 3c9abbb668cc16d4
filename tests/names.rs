//! One name per value of the option enums: the command line's flags (clap), JSON
//! (serde) and Python (which parses through `Named`) spell each value the same.
#![cfg(feature = "cli")]

use clap::ValueEnum;
use glove_wgpu::io::Format;
use glove_wgpu::model::SaveMode;
use glove_wgpu::names::Named;
use glove_wgpu::pipeline::CpuTrainer;
use glove_wgpu::search::Metric;
use glove_wgpu::similarity::AnalogyMethod;
use glove_wgpu::DeviceChoice;

/// Every value's flag is its name, and the flag lists every value.
fn flags_agree<T: Named + ValueEnum + std::fmt::Debug>() {
    assert_eq!(T::value_variants().len(), T::ALL.len());
    for v in T::ALL {
        let flag = v.to_possible_value().expect("no hidden values");
        assert_eq!(flag.get_name(), v.name(), "{v:?}");
        assert_eq!(T::from_name("x", v.name()).unwrap().name(), v.name());
    }
}

/// Every value's JSON is its name.
fn json_agrees<T: Named + serde::Serialize + std::fmt::Debug>() {
    for v in T::ALL {
        assert_eq!(serde_json::to_value(v).unwrap(), v.name(), "{v:?}");
    }
}

#[test]
fn flags_json_and_python_spell_every_value_alike() {
    flags_agree::<DeviceChoice>();
    flags_agree::<CpuTrainer>();
    flags_agree::<SaveMode>();
    flags_agree::<Metric>();
    flags_agree::<Format>();
    flags_agree::<AnalogyMethod>();
    json_agrees::<DeviceChoice>();
    json_agrees::<SaveMode>();
    json_agrees::<Metric>();
    json_agrees::<Format>();
}

#[test]
fn json_reads_back_what_it_wrote_and_the_old_save_names() {
    for v in SaveMode::ALL {
        let json = serde_json::to_string(v).unwrap();
        assert_eq!(serde_json::from_str::<SaveMode>(&json).unwrap(), *v);
    }
    for v in Format::ALL {
        let json = serde_json::to_string(v).unwrap();
        assert_eq!(serde_json::from_str::<Format>(&json).unwrap(), *v);
    }
    // Reports written before the names were one: the Rust variant's.
    assert_eq!(
        serde_json::from_str::<SaveMode>(r#""WPlusC""#).unwrap(),
        SaveMode::WPlusC
    );
}
