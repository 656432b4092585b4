//! Property test of the meter reader (`jianpai audit`): arbitrary bytes and mutated valid meter
//! files give a clean error or plausible data, never a panic. Bounded: 256 cases in all.

use jianpai::audit::meters::read_meters;
use proptest::prelude::*;
use std::path::Path;

/// A valid meter CSV: `meters` meters, hourly interval and register rows over two days.
fn valid_csv(meters: usize, delimiter: char) -> String {
    let d = delimiter.to_string();
    let mut t = ["电表编号", "生产线编号", "时间", "表码", "区间电量"].join(&d) + "\n";
    for m in 0..meters {
        for h in 0..48 {
            let row = [
                format!("M{m}"),
                format!("L{m}"),
                format!("2021-12-{:02}T{:02}:00:00+08:00", 1 + h / 24, h % 24),
                format!("{}", 1000 + 10 * h),
                "10".to_string(),
            ];
            t.push_str(&row.join(&d));
            t.push('\n');
        }
    }
    t
}

/// Read `bytes` as a meter file; the result must be an error naming the file, or data whose
/// every value is plausible.
fn read_back(bytes: &[u8]) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.csv");
    std::fs::write(&path, bytes).unwrap();
    match read_meters(&path, None) {
        Ok(d) => {
            prop_assert!(d.rows_read > 0);
            prop_assert_eq!(d.meter.len(), d.ts.len());
            prop_assert_eq!(d.reading.len(), d.kwh.len());
            for (&r, &k) in d.reading.iter().zip(&d.kwh) {
                prop_assert!(r.is_nan() || (r.is_finite() && r >= 0.0));
                prop_assert!(k.is_nan() || (k.is_finite() && k >= 0.0));
                prop_assert!(!(r.is_nan() && k.is_nan()));
            }
        }
        Err(e) => {
            prop_assert!(e.to_string().contains("m.csv"), "{}", e);
            prop_assert!(!e.unreadable, "a present file is readable: {}", e);
        }
    }
    Ok(())
}

/// One edit of a byte string.
#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Insert(usize, Vec<u8>),
    Delete(usize, usize),
    Truncate(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let hostile = prop::sample::select(vec![
        b"+99:99".to_vec(),
        b"-".to_vec(),
        b"NaN".to_vec(),
        b"1e400".to_vec(),
        b"\"".to_vec(),
        b"\n".to_vec(),
        b"\r".to_vec(),
        b";".to_vec(),
        b"\t".to_vec(),
        b"\0".to_vec(),
        vec![0xFF, 0xFE],
        vec![0xE4, 0xB8],
        "２０２１－".as_bytes().to_vec(),
    ]);
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Flip(i, b)),
        (any::<usize>(), hostile).prop_map(|(i, b)| Mutation::Insert(i, b)),
        (any::<usize>(), 1usize..40).prop_map(|(i, n)| Mutation::Delete(i, n)),
        any::<usize>().prop_map(Mutation::Truncate),
    ]
}

fn apply(bytes: &mut Vec<u8>, m: &Mutation) {
    if bytes.is_empty() {
        return;
    }
    let at = |i: usize, len: usize| i % (len + 1);
    match m {
        Mutation::Flip(i, b) => {
            let n = bytes.len();
            bytes[i % n] = *b;
        }
        Mutation::Insert(i, ins) => {
            let p = at(*i, bytes.len());
            bytes.splice(p..p, ins.iter().copied());
        }
        Mutation::Delete(i, n) => {
            let p = at(*i, bytes.len());
            let e = (p + n).min(bytes.len());
            bytes.drain(p..e);
        }
        Mutation::Truncate(i) => {
            let p = at(*i, bytes.len());
            bytes.truncate(p);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        read_back(&bytes)?;
    }

    #[test]
    fn arbitrary_text_after_a_valid_header_never_panics(body in "\\PC{0,400}") {
        let text = format!("电表编号,时间,区间电量\n{body}");
        read_back(text.as_bytes())?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn mutated_valid_files_never_panic(
        meters in 1usize..4,
        delimiter in prop::sample::select(vec![',', ';', '\t']),
        utf16 in any::<bool>(),
        edits in prop::collection::vec(mutation(), 1..6),
    ) {
        let text = valid_csv(meters, delimiter);
        let mut bytes = if utf16 {
            let mut b = vec![0xFF, 0xFE];
            b.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
            b
        } else {
            text.into_bytes()
        };
        for m in &edits {
            apply(&mut bytes, m);
        }
        read_back(&bytes)?;
    }
}

/// The unmutated files read completely, whatever the delimiter and encoding.
#[test]
fn valid_files_read_in_every_delimiter_and_encoding() {
    for delimiter in [',', ';', '\t'] {
        let text = valid_csv(2, delimiter);
        let mut utf16 = vec![0xFF, 0xFE];
        utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        let (gbk, _, _) = encoding_rs::GBK.encode(&text);
        for bytes in [text.as_bytes().to_vec(), utf16, gbk.into_owned()] {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("m.csv");
            std::fs::write(&path, &bytes).unwrap();
            let d = read_meters(&path, None).unwrap_or_else(|e| panic!("{delimiter:?}: {e}"));
            assert_eq!(d.rows_read, 96, "{delimiter:?}");
            assert_eq!(d.meters, ["M0", "M1"]);
        }
    }
    let missing = read_meters(Path::new("/nonexistent/m.csv"), None).unwrap_err();
    assert!(missing.unreadable, "{missing}");
}
