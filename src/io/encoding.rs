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

/// Decode bytes to text; `Err` with a message when the bytes are neither UTF-8 nor GB18030.
pub fn decode(bytes: &[u8]) -> Result<(String, TextEncoding), String> {
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"\xD0\xCF\x11\xE0") {
        return Err(
            "is a workbook (xlsx/xls), not CSV text: rename it to .xlsx/.xls or save it as CSV"
                .into(),
        );
    }
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return std::str::from_utf8(rest)
            .map(|s| (s.to_string(), TextEncoding::Utf8))
            .map_err(|e| {
                format!(
                    "starts with a UTF-8 byte-order mark but byte {} is not UTF-8",
                    e.valid_up_to() + 3
                )
            });
    }
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        let (text, _, bad) = encoding_rs::UTF_16LE.decode(bytes);
        if bad {
            return Err("is UTF-16 but contains invalid characters".into());
        }
        return Ok((text.into_owned(), TextEncoding::Utf16));
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Ok((s.to_string(), TextEncoding::Utf8));
    }
    let (text, bad) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
    if bad || text.contains('\u{FFFD}') {
        return Err(
            "is neither UTF-8 nor GBK/GB18030 text; save it again as \"CSV UTF-8\" from Excel"
                .into(),
        );
    }
    if bytes.contains(&0) {
        return Err("contains NUL bytes: is it a binary file (xlsx, xls) renamed to .csv?".into());
    }
    Ok((text.into_owned(), TextEncoding::Gb18030))
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
}
