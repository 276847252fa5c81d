//! Files attached to records (a gate review's evidence, minutes, test reports): which files
//! Noguchi keeps and how it names them. A file is kept only when its first bytes say it is one
//! of a short list of document types, whatever its name claims, and it is never served inline
//! as HTML or script, so a file cannot run in a reader's browser ("virus-free by construction":
//! Noguchi never executes or renders what it stores).

use crate::validation::{Problem, has_control_character};

/// The largest file kept (10 MiB): a scanned report or a slide deck fits; a video does not.
pub const MAX_BYTES: usize = 10 * 1024 * 1024;

crate::code_list! {
    /// The kinds of file kept, told from their content.
    FileKind {
        Pdf = "pdf",
        Png = "png",
        Jpeg = "jpeg",
        Xlsx = "xlsx",
        Docx = "docx",
        Pptx = "pptx",
        Csv = "csv",
        Text = "text",
    }
}

impl FileKind {
    /// The media type sent with the file (always as a download; see the web adapter).
    pub fn media_type(self) -> &'static str {
        match self {
            FileKind::Pdf => "application/pdf",
            FileKind::Png => "image/png",
            FileKind::Jpeg => "image/jpeg",
            FileKind::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            FileKind::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            FileKind::Pptx => {
                "application/vnd.openxmlformats-officedocument.presentationml.presentation"
            }
            FileKind::Csv => "text/csv; charset=utf-8",
            FileKind::Text => "text/plain; charset=utf-8",
        }
    }
}

/// The kind of a file from its bytes, with its name's extension telling apart what the bytes
/// alone cannot (the Office formats are all ZIP; CSV and text are both plain text). An empty
/// file, a file past [`MAX_BYTES`], or anything else (HTML, SVG, scripts, executables, other
/// archives) is refused.
pub fn sniff(bytes: &[u8], filename: &str) -> Result<FileKind, Problem> {
    if bytes.len() > MAX_BYTES {
        return Err(Problem::FileLimit {
            limit: "file_bytes".into(),
            max: MAX_BYTES as u64,
        });
    }
    if bytes.is_empty() {
        return Err(Problem::Required);
    }
    let ext = filename
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    if bytes.starts_with(b"%PDF-") {
        return Ok(FileKind::Pdf);
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Ok(FileKind::Png);
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Ok(FileKind::Jpeg);
    }
    if bytes.starts_with(b"PK\x03\x04") {
        // An Office document names its part folder in the archive's entries; a ZIP without
        // it (any other archive) is refused.
        let part = match ext.as_str() {
            "xlsx" => (FileKind::Xlsx, b"xl/".as_slice()),
            "docx" => (FileKind::Docx, b"word/".as_slice()),
            "pptx" => (FileKind::Pptx, b"ppt/".as_slice()),
            _ => return Err(Problem::FileType),
        };
        let has_part = bytes.windows(part.1.len()).any(|w| w == part.1);
        return if has_part && contains(bytes, b"[Content_Types].xml") {
            Ok(part.0)
        } else {
            Err(Problem::FileType)
        };
    }
    if matches!(ext.as_str(), "csv" | "txt") && is_plain_text(bytes) {
        return Ok(if ext == "csv" {
            FileKind::Csv
        } else {
            FileKind::Text
        });
    }
    Err(Problem::FileType)
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// Text in UTF-8 (or Shift_JIS, as Excel writes CSV here) without control characters other
/// than tab and line breaks, and without markup a browser could take for a page.
fn is_plain_text(bytes: &[u8]) -> bool {
    let text = match std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)) {
        Ok(t) => std::borrow::Cow::Borrowed(t),
        Err(_) => {
            let (t, _, bad) = encoding_rs::SHIFT_JIS.decode(bytes);
            if bad {
                return false;
            }
            t
        }
    };
    let head: String = text
        .chars()
        .take(512)
        .collect::<String>()
        .to_ascii_lowercase();
    !text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
        && !head.contains("<html")
        && !head.contains("<script")
        && !head.contains("<svg")
        && !head.contains("<!doctype")
}

/// A file's name as kept and offered back: the last path segment, without control characters
/// or quotes, at most 200 characters, never empty.
pub fn clean_filename(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '\'' | ';'))
        .collect::<String>()
        .trim()
        .chars()
        .take(200)
        .collect();
    if cleaned.is_empty() || has_control_character(&cleaned) || cleaned.chars().all(|c| c == '.') {
        "file".into()
    } else {
        cleaned
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_content_decides_and_the_name_only_tells_office_and_text_apart() {
        assert_eq!(sniff(b"%PDF-1.7\n...", "report.bin"), Ok(FileKind::Pdf));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n....", "x.pdf"), Ok(FileKind::Png));
        assert_eq!(
            sniff(&[0xFF, 0xD8, 0xFF, 0xE0], "photo.jpg"),
            Ok(FileKind::Jpeg)
        );
        let docx = b"PK\x03\x04....[Content_Types].xml....word/document.xml";
        assert_eq!(sniff(docx, "minutes.docx"), Ok(FileKind::Docx));
        // The same bytes under another name, or a ZIP that is not a document: refused.
        assert_eq!(sniff(docx, "minutes.zip"), Err(Problem::FileType));
        assert_eq!(sniff(docx, "minutes.xlsx"), Err(Problem::FileType));
        assert_eq!(
            sniff("件名,日付\n試験,2026-11-01\n".as_bytes(), "a.csv"),
            Ok(FileKind::Csv)
        );
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode("試験報告\r\n");
        assert_eq!(sniff(&sjis, "memo.txt"), Ok(FileKind::Text));
        // Pages, scripts and programs never pass, whatever they are called.
        for (bytes, name) in [
            (
                b"<!DOCTYPE html><html><script>alert(1)</script>".as_slice(),
                "a.txt",
            ),
            (b"<svg onload=alert(1)>".as_slice(), "a.csv"),
            (b"MZ\x90\x00\x03".as_slice(), "setup.pdf"),
            (b"#!/bin/sh\nrm -rf /".as_slice(), "run.sh"),
            (b"\x00\x01binary".as_slice(), "a.txt"),
        ] {
            assert_eq!(sniff(bytes, name), Err(Problem::FileType), "{name}");
        }
        assert_eq!(sniff(b"", "a.pdf"), Err(Problem::Required));
        let big = vec![b'a'; MAX_BYTES + 1];
        assert!(matches!(
            sniff(&big, "a.txt"),
            Err(Problem::FileLimit { .. })
        ));
    }

    #[test]
    fn a_kept_name_has_no_path_or_header_breaking_characters() {
        assert_eq!(clean_filename("C:\\Users\\a\\試験報告.pdf"), "試験報告.pdf");
        assert_eq!(clean_filename("../../etc/passwd"), "passwd");
        assert_eq!(clean_filename("a\"b;\r\nc.pdf"), "abc.pdf");
        assert_eq!(clean_filename(".."), "file");
        assert_eq!(clean_filename(""), "file");
    }
}
