//! A minimal XLSX workbook around a worksheet's XML (and optionally its shared strings), for
//! tests and the fuzz targets: the parts a spreadsheet reader needs and no more, so that a
//! test can say exactly what a sheet holds.

use std::io::Write;

const CONTENT_TYPES: &[u8] = br#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>"#;
const RELS: &[u8] = br#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
const WORKBOOK: &[u8] = br#"<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
const WORKBOOK_RELS: &[u8] = br#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#;
const NO_STRINGS: &[u8] = br#"<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="0" uniqueCount="0"/>"#;

/// A workbook whose only sheet is `sheet_xml`, with `shared_strings` (None: an empty table),
/// deflated as spreadsheet programs write them.
pub fn workbook(sheet_xml: &[u8], shared_strings: Option<&[u8]>) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, body) in [
        ("[Content_Types].xml", CONTENT_TYPES),
        ("_rels/.rels", RELS),
        ("xl/workbook.xml", WORKBOOK),
        ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
        ("xl/worksheets/sheet1.xml", sheet_xml),
        ("xl/sharedStrings.xml", shared_strings.unwrap_or(NO_STRINGS)),
    ] {
        // Writing into memory cannot fail.
        zip.start_file(name, opts).expect("in memory");
        zip.write_all(body).expect("in memory");
    }
    zip.finish().expect("in memory").into_inner()
}

/// The worksheet XML around `rows` (`<row>` elements).
pub fn sheet_xml(rows: &str) -> Vec<u8> {
    format!(r#"<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{rows}</sheetData></worksheet>"#).into_bytes()
}

/// A fuzz input of the `read_sheet_xml` target as a workbook: worksheet XML, then after the
/// first NUL byte the shared strings' XML.
pub fn workbook_of_fuzz_input(data: &[u8]) -> Vec<u8> {
    match data.iter().position(|b| *b == 0) {
        Some(i) => workbook(&data[..i], Some(&data[i + 1..])),
        None => workbook(data, None),
    }
}
