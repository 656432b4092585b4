//! Text encoding detection: UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030 (⊇ GBK).

/// The encoding a text file was decoded from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    /// UTF-8.
    Utf8,
    /// UTF-16 (with byte-order mark), as Excel's "Unicode text" export writes.
    Utf16,
    /// GB18030 / GBK, as Chinese Excel exports CSV.
    Gb18030,
}

/// Decode bytes to text; `Err` with a message when the bytes are neither UTF-8, UTF-16 nor
/// GB18030, or are a binary file (a workbook, an archive, anything with NUL characters).
pub fn decode(bytes: &[u8]) -> Result<(String, TextEncoding), String> {
    decode_owned(bytes.to_vec())
}

/// Like [`decode`], taking the bytes so that UTF-8 text is not copied.
pub fn decode_owned(mut bytes: Vec<u8>) -> Result<(String, TextEncoding), String> {
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"\xD0\xCF\x11\xE0") {
        return Err(
            "is a workbook (xlsx/xls), not CSV text: rename it to .xlsx/.xls or save it as CSV"
                .into(),
        );
    }
    if bytes.starts_with(b"PAR1") {
        return Err("is a Parquet file, not CSV text: rename it to .parquet".into());
    }
    let (text, enc) = if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
        let text = String::from_utf8(bytes).map_err(|e| {
            format!(
                "starts with a UTF-8 byte-order mark but byte {} is not UTF-8",
                e.utf8_error().valid_up_to() + 3
            )
        })?;
        (text, TextEncoding::Utf8)
    } else if let Some(big_endian) = utf16_order(&bytes) {
        let enc = if big_endian {
            encoding_rs::UTF_16BE
        } else {
            encoding_rs::UTF_16LE
        };
        let (text, bad) = enc.decode_with_bom_removal(&bytes);
        if bad {
            return Err("is UTF-16 but contains invalid characters".into());
        }
        (text.into_owned(), TextEncoding::Utf16)
    } else {
        match String::from_utf8(bytes) {
            Ok(s) => (s, TextEncoding::Utf8),
            Err(e) => {
                let bytes = e.into_bytes();
                if bytes.contains(&0) {
                    return Err(binary());
                }
                let (text, bad) = encoding_rs::GB18030.decode_without_bom_handling(&bytes);
                if bad || text.contains('\u{FFFD}') {
                    return Err(
                        "is neither UTF-8 nor GBK/GB18030 text; save it again as \"CSV UTF-8\" from Excel"
                            .into(),
                    );
                }
                (text.into_owned(), TextEncoding::Gb18030)
            }
        }
    };
    if text.contains('\0') {
        return Err(binary());
    }
    Ok((text, enc))
}

fn binary() -> String {
    "contains NUL bytes: is it a binary file (xlsx, xls, an archive) renamed to .csv?".into()
}

/// UTF-16 byte order of a text: from its byte-order mark, or — without one, as some exports
/// write it — from the zero high bytes of ASCII characters (at least a third of the first 2 KiB's
/// code units are ASCII, and few zero bytes sit on the other side). `Some(true)` = big-endian.
fn utf16_order(bytes: &[u8]) -> Option<bool> {
    if bytes.starts_with(b"\xFF\xFE") {
        return Some(false);
    }
    if bytes.starts_with(b"\xFE\xFF") {
        return Some(true);
    }
    let head = &bytes[..bytes.len().min(2048) & !1];
    if head.len() < 4 {
        return None;
    }
    let zeros = |offset: usize| {
        head.iter()
            .skip(offset)
            .step_by(2)
            .filter(|&&b| b == 0)
            .count()
    };
    let (even, odd) = (zeros(0), zeros(1));
    let units = head.len() / 2;
    // CJK characters may have one zero byte (U+4E00 一), so the other side need not be clean.
    if even * 3 >= units && odd * 8 <= even {
        Some(true)
    } else if odd * 3 >= units && even * 8 <= odd {
        Some(false)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_utf8_gbk_and_garbage() {
        let s = "统一社会信用代码,企业名称\n";
        assert_eq!(
            decode(s.as_bytes()).unwrap(),
            (s.to_string(), TextEncoding::Utf8)
        );
        let (gbk, _, _) = encoding_rs::GBK.encode(s);
        assert_eq!(
            decode(&gbk).unwrap(),
            (s.to_string(), TextEncoding::Gb18030)
        );
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(s.as_bytes());
        assert_eq!(decode(&bom).unwrap().0, s);
        assert!(decode(&[0x80, 0x80, 0xFF, 0xFF, 0x00]).is_err());
    }

    #[test]
    fn utf16_without_bom_and_nul_bytes() {
        let s = "生产线编号,名称,一号\nL00001-01,甲一,12.5\n";
        let le: Vec<u8> = s.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = s.encode_utf16().flat_map(u16::to_be_bytes).collect();
        assert_eq!(decode(&le).unwrap(), (s.to_string(), TextEncoding::Utf16));
        assert_eq!(decode(&be).unwrap(), (s.to_string(), TextEncoding::Utf16));
        assert!(decode(b"a,b\n1,\x002\n").unwrap_err().contains("NUL"));
        assert!(decode(b"PAR1\x00\x00").unwrap_err().contains("Parquet"));
    }
}
