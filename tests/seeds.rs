//! The bundled Wuxi seed is exactly what the generator makes, and the generator is deterministic.

use jianpai::seeds::{bundled, generator::generate};

#[test]
fn bundled_wuxi_seed_regenerates_byte_for_byte() {
    let ds = generate(4000, 2021);
    let set = bundled("wuxi-2021").unwrap();
    for (name, text) in &ds.files {
        let shipped = set
            .files
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("{name} is not bundled"))
            .1;
        let on_disk = std::fs::read_to_string(format!(
            "{}/seeds/wuxi-2021/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        assert!(
            text == shipped && text == &on_disk,
            "{name} differs from the generator's output: run `make seeds`"
        );
    }
}

#[test]
fn generator_is_deterministic_and_seed_sensitive() {
    let a = generate(300, 7);
    let b = generate(300, 7);
    let c = generate(300, 8);
    assert_eq!(a.files, b.files);
    assert_ne!(a.files, c.files);
    assert_eq!(a.enterprises, 300);
}

#[test]
fn generated_cities_validate_without_errors() {
    for (n, seed) in [(50, 1), (400, 2)] {
        let dir = tempfile::tempdir().unwrap();
        jianpai::seeds::generate_to(n, seed, dir.path()).unwrap();
        let (inv, report) = jianpai::validate::load_dataset(&[dir.path().to_path_buf()]);
        assert!(
            !report.has_errors(),
            "{:?}",
            report
                .diagnostics
                .iter()
                .filter(|d| d.severity == jianpai::validate::Severity::Error)
                .take(3)
                .collect::<Vec<_>>()
        );
        assert_eq!(inv.unwrap().enterprises.len(), n);
    }
}
