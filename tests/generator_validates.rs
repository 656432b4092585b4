//! The generator's output always validates, whatever the size and seed (a tiny city used to write a
//! header-only options.csv that validation rejected).

#[test]
fn generated_cities_validate() {
    for n in [1, 2, 3, 5, 10, 40] {
        for seed in [1, 7, 2021, u64::MAX] {
            let dir = tempfile::tempdir().unwrap();
            jianpai::seeds::generate_to(n, seed, dir.path()).unwrap();
            let (inv, report) = jianpai::validate::load_dataset(&[dir.path().to_path_buf()]);
            let errors: Vec<String> = report
                .diagnostics
                .iter()
                .filter(|d| d.severity == jianpai::validate::Severity::Error)
                .map(|d| d.to_string())
                .collect();
            assert!(
                inv.is_some() && errors.is_empty(),
                "{n} enterprises, seed {seed}: {errors:#?}"
            );
        }
    }
}
